// A simulcast publisher's stopped layers through the hub's later offers, with a real Chromium page
// (signalled from Node, as simulcast.spec.ts): Chromium sets each encoding's `active` from the a=simulcast
// of every remote description, so the hub writes the layers the publisher said it stopped as paused
// (`~rid`, werift-simulcast-pause.ts) and they stay stopped; named again, they are written plain. Run
// inside a loopback-only namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { assertLoopbackOnly, launchChromium, pollUntil } from '@parley/testkit'
import { createWeriftMediaPlane } from '../src/media/werift.js'
import type { MediaPlane } from '../src/media/types.js'
import { type ChromeSide, hubNegotiates, joinSimulcastPair } from './support/chrome-side.js'

/** The page's peer connection, as far as these tests read it (the hub's tsconfig has no DOM types). */
interface PageEncoding {
  rid?: string
  active?: boolean
}
interface PagePc {
  getSenders(): { track: { kind: string } | null; getParameters(): { encodings: PageEncoding[] }; setParameters(parameters: { encodings: PageEncoding[] }): Promise<void> }[]
}

/** Each of the page's video encodings: whether it is active (`getParameters()`). */
function encodings(side: ChromeSide): Promise<Record<string, boolean>> {
  return side.page.page.evaluate(() => {
    const pc = (globalThis as unknown as { pc: PagePc }).pc
    const sender = pc.getSenders().find((each) => each.track?.kind === 'video')
    return Object.fromEntries((sender?.getParameters().encodings ?? []).map((encoding) => [encoding.rid ?? '', encoding.active !== false]))
  })
}

/** The page's app turns on only the rids in `active`, as Parley's core does with setParameters. */
function setActive(side: ChromeSide, active: readonly string[]): Promise<void> {
  return side.page.page.evaluate(async (rids) => {
    const pc = (globalThis as unknown as { pc: PagePc }).pc
    const sender = pc.getSenders().find((each) => each.track?.kind === 'video')!
    const parameters = sender.getParameters()
    for (const encoding of parameters.encodings) encoding.active = rids.includes(encoding.rid ?? '')
    await sender.setParameters(parameters)
  }, active)
}

describe('werift simulcast: stopped layers through the hub offers (Chromium on loopback)', () => {
  let browser: Browser
  let plane: MediaPlane
  const sides: ChromeSide[] = []

  beforeAll(async () => {
    assertLoopbackOnly()
    browser = await launchChromium()
    plane = createWeriftMediaPlane({ log: () => undefined })
  })

  afterAll(async () => {
    for (const side of sides) await side.page.close()
    await browser?.close()
    await plane?.close()
  })

  it('keeps the layers the publisher said it stopped off when the hub offers it a track, and writes them plain once it names them', async () => {
    const { alice, bob } = await joinSimulcastPair(plane, browser, sides)
    const video = alice.published.find((track) => track.kind === 'video')!

    // Alice's app keeps the widest layer alone and says so (simulcast_layers); then the hub offers her Bob's audio.
    await setActive(alice, ['f'])
    alice.peer.publisherLayers(video.trackId, ['f'])
    for (const track of bob.published) alice.peer.subscribe(track)
    await pollUntil(() => alice.negotiationNeeded > 0, { description: 'alice negotiation needed' })
    expect(await hubNegotiates(alice)).toMatch(/^a=simulcast:recv ~q;~h;f\r?$/m)
    expect(await encodings(alice)).toEqual({ q: false, h: false, f: true })

    // All three again: the next offer (Bob's audio taken away) names them plain, and they stay on.
    await setActive(alice, ['q', 'h', 'f'])
    alice.peer.publisherLayers(video.trackId, ['q', 'h', 'f'])
    const before = alice.negotiationNeeded
    for (const track of bob.published) alice.peer.unsubscribe(track)
    await pollUntil(() => alice.negotiationNeeded > before, { description: 'alice negotiation needed again' })
    expect(await hubNegotiates(alice)).toMatch(/^a=simulcast:recv q;h;f ?\r?$/m)
    expect(await encodings(alice)).toEqual({ q: true, h: true, f: true })
    for (const side of sides) expect(side.errors).toEqual([])
  }, 120_000)
})
