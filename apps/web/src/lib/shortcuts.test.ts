import { describe, expect, it } from 'vitest'
import { meetingShortcutOf } from './meetingShortcuts'
import { isStatePanelShortcut } from './shortcuts'

const press = (key: string, extra: Partial<KeyboardEvent> = {}, target: EventTarget | null = document.body) =>
  ({ key, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, target, ...extra }) as KeyboardEvent

describe('call shortcuts', () => {
  it('maps single keys to actions, `?` with Shift too', () => {
    expect(['m', 'V', 'c', 'h', 'p'].map((key) => meetingShortcutOf(press(key)))).toEqual(['microphone', 'camera', 'chat', 'hand', 'participants'])
    expect(meetingShortcutOf(press('?', { shiftKey: true }))).toBe('help')
  })

  it('never fires with a modifier, on Shift+letter (Shift+D is the State panel), or while typing', () => {
    expect(meetingShortcutOf(press('m', { ctrlKey: true }))).toBeUndefined()
    expect(meetingShortcutOf(press('m', { metaKey: true }))).toBeUndefined()
    expect(meetingShortcutOf(press('M', { shiftKey: true }))).toBeUndefined()
    expect(isStatePanelShortcut(press('D', { shiftKey: true }))).toBe(true)
    for (const tag of ['input', 'textarea', 'select']) expect(meetingShortcutOf(press('m', {}, document.createElement(tag)))).toBeUndefined()
    const editable = document.createElement('div')
    editable.contentEditable = 'true'
    document.body.append(editable)
    expect(meetingShortcutOf(press('m', {}, editable))).toBeUndefined()
    editable.remove()
  })
})
