// The call's own keyboard shortcuts (the help dialog lists them): apart from lib/shortcuts.ts, whose
// State panel key the first download needs, so that this list loads with the call only.
import { isTyping, type KeyEventLike } from './shortcuts'

/** The call's shortcuts: one key, no modifier (`?` is Shift+/ on most layouts), never while typing. */
export const MEETING_SHORTCUTS = [
  { action: 'microphone', key: 'm', label: 'M', description: 'Turn the microphone on or off' },
  { action: 'camera', key: 'v', label: 'V', description: 'Turn the camera on or off' },
  { action: 'chat', key: 'c', label: 'C', description: 'Open or close the chat' },
  { action: 'hand', key: 'h', label: 'H', description: 'Raise or lower your hand' },
  { action: 'participants', key: 'p', label: 'P', description: 'Show or hide the participants' },
  // Zoom's keys for its gallery's pages; handled by the grid itself (VideoGrid.vue), only while it has pages.
  { action: 'previousPage', key: 'pageup', label: 'Page Up', description: 'Previous page of people (in a big room)' },
  { action: 'nextPage', key: 'pagedown', label: 'Page Down', description: 'Next page of people (in a big room)' },
  { action: 'help', key: '?', label: '?', description: 'Show these shortcuts' },
] as const

export type MeetingShortcut = (typeof MEETING_SHORTCUTS)[number]['action']

/** The call shortcut this key press means, if any. */
export function meetingShortcutOf(event: KeyEventLike): MeetingShortcut | undefined {
  if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return undefined
  const key = event.key.toLowerCase()
  // Shift is only part of `?`; Shift+M etc. are left alone (Shift+D is the State panel).
  if (event.shiftKey && key !== '?') return undefined
  return MEETING_SHORTCUTS.find((shortcut) => shortcut.key === key)?.action
}
