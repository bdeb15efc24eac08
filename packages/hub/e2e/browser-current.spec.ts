// Two Chromium participants running a current-generation client (clients/current.js: tracks_added →
// settracksources, tracks_available → subscribetracks) meet in one room on the real hub with its werift
// media plane: each decodes the other's video, tracks_available named the other participant with
// source "media", and when one leaves the other's tracks end and the tile goes away.
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  assertLoopbackOnly,
  launchChromium,
  newParticipantPage,
  pollUntil,
  startStaticServer,
  startTestHub,
  waitForDecodedVideo,
  type ParticipantPage,
  type RunningServer,
  type TestHub,
} from '@parley/testkit'
import { announcedStreams, CLIENTS_DIR, clickJoin, clickLeave, describeLog, openClient, snapshot } from './browser-clients.js'

describe('current-generation client against the hub (Chromium, werift)', () => {
  let hub: TestHub | undefined
  let pages: RunningServer | undefined
  let browser: Browser | undefined
  const participants: ParticipantPage[] = []

  beforeAll(async () => {
    assertLoopbackOnly()
    hub = await startTestHub()
    pages = await startStaticServer(CLIENTS_DIR)
    browser = await launchChromium()
  })

  afterAll(async () => {
    for (const participant of participants) await participant.close().catch(() => undefined)
    await browser?.close()
    await pages?.close()
    await hub?.close()
  })

  it('publishes with source media, subscribes by name, decodes both ways, and ends tracks on leave', async () => {
    const alice = await newParticipantPage(browser!)
    const bob = await newParticipantPage(browser!)
    participants.push(alice, bob)
    // On failure: what the page's client did and what the hub logged.
    const withLog = (participant: ParticipantPage, who: string) => async (error: Error): Promise<never> => {
      const log = await snapshot(participant.page, 'current').then((state) => describeLog(state.log), (reason: Error) => reason.message)
      throw new Error(`${error.message}\n${who} client log:\n${log}\nhub log:\n${hub!.describeLogs()}`)
    }

    await openClient(alice, 'current', { pagesUrl: pages!.url, hubUrl: hub!.url, name: 'Alice' })
    const host = await clickJoin(alice.page, 'current')
    await openClient(bob, 'current', { pagesUrl: pages!.url, hubUrl: hub!.url, roomId: host.roomId!, name: 'Bob' })
    const guest = await clickJoin(bob.page, 'current')
    expect(guest.roomId).toBe(host.roomId)

    const [aliceSees, bobSees] = await Promise.all([
      waitForDecodedVideo(alice.page, 'video.remote', { minFramesGrowth: 20, timeoutMs: 40_000 }).catch(withLog(alice, 'alice')),
      waitForDecodedVideo(bob.page, 'video.remote', { minFramesGrowth: 20, timeoutMs: 40_000 }).catch(withLog(bob, 'bob')),
    ])
    for (const figures of [aliceSees, bobSees]) {
      expect(figures.videoWidth).toBeGreaterThan(0)
      expect(figures.counter).toBe('inbound-rtp.framesDecoded')
    }

    // tracks_available told each side who the other is; the remote stream it receives is that stream.
    const aliceKnows = await announcedStreams(alice.page)
    const bobKnows = await announcedStreams(bob.page)
    expect(Object.values(aliceKnows)).toEqual([{ name: 'Bob', source: 'media', clientId: guest.clientId, trackIds: expect.any(Array) }])
    expect(Object.values(bobKnows)).toEqual([{ name: 'Alice', source: 'media', clientId: host.clientId, trackIds: expect.any(Array) }])
    expect(Object.values(aliceKnows)[0]!.trackIds).toHaveLength(2)
    const aliceState = await snapshot(alice.page, 'current')
    const bobState = await snapshot(bob.page, 'current')
    expect(aliceState.remoteStreamIds).toEqual(Object.keys(aliceKnows))
    expect(bobState.remoteStreamIds).toEqual(Object.keys(bobKnows))
    expect(await alice.page.textContent('figure.remote figcaption')).toBe('Bob (media)')
    expect(await bob.page.textContent('figure.remote figcaption')).toBe('Alice (media)')
    // Both went through the current flow: their own tracks were announced and given a source.
    for (const state of [aliceState, bobState]) {
      expect(state.log.map((entry) => entry.what)).toEqual(expect.arrayContaining(['tracks_added', 'tracks_available', 'offer']))
    }

    await clickLeave(bob.page, 'current')

    const aliceAfter = await pollUntil(
      async () => {
        const state = await snapshot(alice.page, 'current')
        const sawEnd = state.log.some((entry) => entry.what === 'ended' || entry.what === 'removetrack')
        return state.remoteTileCount === 0 && sawEnd ? state : undefined
      },
      { timeoutMs: 20_000, description: "alice to see bob's tracks end and his tile removed" },
    ).catch(withLog(alice, 'alice'))
    expect(aliceAfter.remoteStreamIds).toEqual([])
    expect(aliceAfter.connectionState).toBe('connected')

    expect(alice.errors).toEqual([])
    expect(bob.errors).toEqual([])
  })
})
