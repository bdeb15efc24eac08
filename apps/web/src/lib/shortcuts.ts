// Keyboard shortcuts that work anywhere on the page, except while typing in a field.

export const STATE_PANEL_SHORTCUT = 'Shift+D'

export type KeyEventLike = Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target'>

export function isTyping(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null
  return element !== null && (element.tagName === 'INPUT' || element.tagName === 'TEXTAREA' || element.tagName === 'SELECT' || element.isContentEditable === true)
}

/** Shift+D, with no other modifier, outside text fields. */
export function isStatePanelShortcut(event: KeyEventLike): boolean {
  return event.shiftKey && !event.ctrlKey && !event.metaKey && !event.altKey && event.key.toLowerCase() === 'd' && !isTyping(event.target)
}
