import { describe, expect, it } from 'vitest'
import { createTestApp } from '../testing/testApp'
import { useDevtoolsStore } from './devtools'

const key = (key: string, extra: Partial<KeyboardEvent> = {}) =>
  ({ key, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, target: null, ...extra }) as KeyboardEvent

describe('devtools store', () => {
  it('toggles the State panel with Shift+D and closes it with Escape', () => {
    createTestApp()
    const devtools = useDevtoolsStore()
    expect(devtools.handleKey(key('Escape'))).toBe(false) // nothing to close
    expect(devtools.handleKey(key('D', { shiftKey: true }))).toBe(true)
    expect(devtools.panelOpen).toBe(true)
    expect(devtools.handleKey(key('Escape'))).toBe(true)
    expect(devtools.panelOpen).toBe(false)
  })

  it('leaves Shift+D alone while typing, and with other modifiers', () => {
    createTestApp()
    const devtools = useDevtoolsStore()
    const input = document.createElement('input')
    expect(devtools.handleKey(key('D', { shiftKey: true, target: input }))).toBe(false)
    expect(devtools.handleKey(key('D', { shiftKey: true, ctrlKey: true }))).toBe(false)
    expect(devtools.handleKey(key('d'))).toBe(false)
    expect(devtools.panelOpen).toBe(false)
  })
})
