// The call screen's layout promises that need no browser to check: the invite card and the
// manual-copy field are parts of the layout, never layers over it. (Their real geometry is
// checked in Chromium by e2e/layout.spec.ts.)
import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import type { ClipboardLike } from '../environment'
import { makeParticipant } from '../testing/fakeConference'
import { createTestApp } from '../testing/testApp'
import CallView from './CallView.vue'

const room = { id: 'r1', name: 'Team' }
const refused: ClipboardLike = { writeText: () => Promise.reject(new Error('NotAllowedError')) }

function mountCall(clipboard?: ClipboardLike) {
  const app = createTestApp(clipboard ? { clipboard } : {})
  app.start()
  app.fake.setView({ status: 'connected', room })
  return { app, call: app.mount(CallView, { attachTo: document.body }) }
}

describe('CallView', () => {
  it('marks an encrypted call in its header, with the safety code to compare, and a tile whose frames it cannot decrypt says why', async () => {
    const app = createTestApp({ href: 'http://localhost/?roomId=r1#e2ee=Zm9vYmFyYmF6cXV4cXV1eA', canEncryptMedia: true })
    app.start()
    app.fake.setView({ status: 'connected', room, participants: [makeParticipant(1, { name: 'Ada' }), makeParticipant(2, { name: 'Bo' })] })
    app.fake.e2ee!.setStatus({ key: 'ready', sending: 'encrypting', streams: { 'stream-1': 'decrypting', 'stream-2': 'undecryptable' } })
    const call = app.mount(CallView, { attachTo: document.body })
    await flushPromises()
    expect(call.get('[data-testid="e2ee-mark"] summary').text()).toBe('Encrypted')
    // The safety code is derived when the card first opens, not with the call, and once.
    expect(app.fake.e2ee!.safetyCodeDerived).toBe(0)
    expect(call.find('[data-testid="e2ee-safety-code"]').exists()).toBe(false)
    await call.get('[data-testid="e2ee-mark"] summary').trigger('click')
    expect(call.get<HTMLDetailsElement>('[data-testid="e2ee-mark"]').element.open).toBe(true)
    await flushPromises()
    expect(call.get('[data-testid="e2ee-safety-code"]').text()).toBe('code of Zm9vYmFyYmF6cXV4cXV1eA')
    await call.get('[data-testid="e2ee-mark"] summary').trigger('click')
    await call.get('[data-testid="e2ee-mark"] summary').trigger('click')
    await flushPromises()
    expect(app.fake.e2ee!.safetyCodeDerived).toBe(1)
    // Asked when the card opens only (opened twice), not when it closes.
    expect(app.fake.e2ee!.safetyCodeAsked).toBe(2)
    expect(call.get('[data-testid="e2ee-safety-code"]').text()).toBe('code of Zm9vYmFyYmF6cXV4cXV1eA')
    expect(call.find('[data-testid="e2ee-not-sending"]').exists()).toBe(false)
    const tile = (key: string) => call.get(`[data-testid="tile"][data-participant="${key}"]`)
    expect(tile('client-1').find('[data-testid="tile-e2ee"]').exists()).toBe(false)
    expect(tile('client-2').attributes('data-e2ee')).toBe('undecryptable')
    expect(tile('client-2').get('[data-testid="tile-e2ee"]').text()).toBe("Can't decrypt — another key")
    expect(tile('client-2').attributes('data-video')).toBe('off')

    app.fake.e2ee!.setStatus({ sending: 'unsupported-codec', streams: { 'stream-1': 'unencrypted', 'stream-2': 'decrypting' } })
    await nextTick()
    expect(tile('client-1').get('[data-testid="tile-e2ee"]').text()).toBe('Not encrypted — not shown')
    expect(tile('client-2').find('[data-testid="tile-e2ee"]').exists()).toBe(false)
    expect(call.get('[data-testid="e2ee-not-sending"]').text()).toContain('not sent')
    expect(call.find('[data-testid="e2ee-no-key"]').exists()).toBe(false)
    app.fake.e2ee!.setStatus({ key: 'failed' })
    await nextTick()
    expect(call.get('[data-testid="e2ee-no-key"]').text()).toContain('nothing is sent or played')
    call.unmount()
  })

  it('has no encryption mark in a call without a key; an encrypting participant is locked there: said, and not heard', async () => {
    const { app, call } = mountCall()
    expect(call.find('[data-testid="e2ee-mark"]').exists()).toBe(false)
    app.fake.setView({ status: 'connected', room, participants: [makeParticipant(1, { name: 'Ada', encrypted: true }), makeParticipant(2, { name: 'Bo' })] })
    await nextTick()
    const tile = (key: string) => call.get(`[data-testid="tile"][data-participant="${key}"]`)
    expect(tile('client-1').get('[data-testid="tile-e2ee"]').text()).toBe('Encrypted — open the full invite link')
    expect(tile('client-1').get<HTMLVideoElement>('[data-testid="tile-video"]').element.muted).toBe(true)
    expect(tile('client-2').find('[data-testid="tile-e2ee"]').exists()).toBe(false)
    expect(tile('client-2').get<HTMLVideoElement>('[data-testid="tile-video"]').element.muted).toBe(false)
    call.unmount()
  })

  it('alone, puts the invite card in its own track of the stage, beside (or under) the tiles, not over your video', async () => {
    const { app, call } = mountCall()
    const layout = call.get('[data-testid="call-stage"] .call__layout')
    const card = call.get('[data-testid="alone-hint"]')
    expect(layout.classes()).toContain('call__layout--alone')
    // The card is a track of the stage's layout, next to the tiles' box, and holds no tile.
    expect(card.element.parentElement).toBe(layout.element)
    const tiles = layout.get('.call__tiles')
    expect(tiles.find('[data-testid="tile"][data-local="true"]').exists()).toBe(true)
    expect(tiles.find('[data-testid="alone-hint"]').exists()).toBe(false)
    expect(card.find('[data-testid="tile"]').exists()).toBe(false)
    expect(card.get('[data-testid="invite-link-text"]').text()).toBe('http://localhost/?roomId=r1&roomName=Team')

    // Someone joins: the card goes and the stage is the tiles' alone.
    app.fake.setView({ status: 'connected', room, participants: [makeParticipant(1)] })
    await nextTick()
    expect(call.find('[data-testid="alone-hint"]').exists()).toBe(false)
    expect(call.get('.call__layout').classes()).not.toContain('call__layout--alone')
    call.unmount()
  })

  it('shows a refused copy as a strip between the stage and the controls, never over a control', async () => {
    const { call } = mountCall(refused)
    await call.get('[data-testid="alone-copy-invite"]').trigger('click')
    await flushPromises()
    const manual = call.get('[data-testid="invite-manual"]')
    const main = call.get('[data-testid="call"]').element
    // In the call's own column, in reading order: stage, the strip, the control bar.
    const children = Array.from(main.children)
    const stageAt = children.indexOf(call.get('[data-testid="call-stage"]').element)
    const manualAt = children.indexOf(manual.element)
    const barAt = children.findIndex((child) => child.querySelector('[data-testid="control-bar"]'))
    expect([stageAt < manualAt, manualAt < barAt]).toEqual([true, true])
    expect(manual.find('button.control').exists()).toBe(false)
    expect(call.get('[data-testid="control-bar"]').find('[data-testid="invite-manual"]').exists()).toBe(false)
    expect(call.get('[data-testid="alone-hint"]').find('[data-testid="invite-manual"]').exists()).toBe(false)

    const field = call.get('[data-testid="invite-url"]').element as HTMLInputElement
    expect(field.value).toBe('http://localhost/?roomId=r1&roomName=Team')
    expect(field.readOnly).toBe(true)
    // Escape closes it and focus goes back to the Invite control.
    await call.get('[data-testid="invite-url"]').trigger('keydown', { key: 'Escape' })
    await flushPromises()
    expect(call.find('[data-testid="invite-manual"]').exists()).toBe(false)
    expect(document.activeElement).toBe(call.get('[data-testid="copy-invite"]').element)
    call.unmount()
  })

  it('copying from the control bar confirms on the button itself, with nothing floating over the stage', async () => {
    const copied: string[] = []
    const { call } = mountCall({ writeText: async (text) => void copied.push(text) })
    await call.get('[data-testid="copy-invite"]').trigger('click')
    await flushPromises()
    expect(copied).toHaveLength(1)
    expect(call.get('[data-testid="copy-invite"]').text()).toBe('Copied')
    expect(call.get('[data-testid="alone-copy-invite"]').text()).toBe('Copied')
    expect(call.get('[data-testid="invite-copied"]').classes()).toContain('visually-hidden')
    call.unmount()
  })
})
