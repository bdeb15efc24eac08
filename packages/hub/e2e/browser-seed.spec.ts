// Two Chromium participants running the seed tutorial's client (clients/seed.js) meet in one room on
// the real hub with its werift media plane: each decodes the other's video, and when one leaves the
// other's remote tracks end and the tile goes away. Runs only in a loopback-only namespace.
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
import { CLIENTS_DIR, clickJoin, clickLeave, describeLog, openClient, snapshot } from './browser-clients.js'

describe('seed tutorial client against the hub (Chromium, werift)', () => {
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

  it('two participants see each other decode, then one leaves and the other tile goes away', async () => {
    const alice = await newParticipantPage(browser!)
    const bob = await newParticipantPage(browser!)
    participants.push(alice, bob)
    // On failure: what the page's client did and what the hub logged.
    const explain = (participant: ParticipantPage, who: string) => async (error: Error): Promise<never> => {
      const log = await snapshot(participant.page, 'seed').then((state) => describeLog(state.log), (reason: Error) => reason.message)
      throw new Error(`${error.message}\n${who} client log:\n${log}\nhub log:\n${hub!.describeLogs()}`)
    }

    // Alice is the host: the tutorial creates the room when there is no ?roomId=.
    await openClient(alice, 'seed', { pagesUrl: pages!.url, hubUrl: hub!.url })
    const host = await clickJoin(alice.page, 'seed')
    expect(host.roomId).toMatch(/\S/)

    await openClient(bob, 'seed', { pagesUrl: pages!.url, hubUrl: hub!.url, roomId: host.roomId! })
    const guest = await clickJoin(bob.page, 'seed')
    expect(guest.roomId).toBe(host.roomId)
    expect(guest.clientId).not.toBe(host.clientId)

    const [aliceSees, bobSees] = await Promise.all([
      waitForDecodedVideo(alice.page, 'video.remote', { minFramesGrowth: 20, timeoutMs: 40_000 }).catch(explain(alice, 'alice')),
      waitForDecodedVideo(bob.page, 'video.remote', { minFramesGrowth: 20, timeoutMs: 40_000 }).catch(explain(bob, 'bob')),
    ])
    for (const figures of [aliceSees, bobSees]) {
      expect(figures.videoWidth).toBeGreaterThan(0)
      expect(figures.counter).toBe('inbound-rtp.framesDecoded')
      expect(figures.framesGrowth).toBeGreaterThanOrEqual(20)
    }
    // Exactly one remote participant each: one stream, one tile.
    const aliceBefore = await snapshot(alice.page, 'seed')
    expect(aliceBefore.remoteStreamIds).toHaveLength(1)
    expect(aliceBefore.remoteTileCount).toBe(1)
    expect((await snapshot(bob.page, 'seed')).remoteTileCount).toBe(1)

    await clickLeave(bob.page, 'seed')

    const aliceAfter = await pollUntil(
      async () => {
        const state = await snapshot(alice.page, 'seed')
        const sawEnd = state.log.some((entry) => entry.what === 'ended' || entry.what === 'removetrack')
        return state.remoteTileCount === 0 && sawEnd ? state : undefined
      },
      { timeoutMs: 20_000, description: "alice to see bob's tracks end and his tile removed" },
    ).catch(explain(alice, 'alice'))
    expect(aliceAfter.remoteTileCount).toBe(0)
    expect(aliceAfter.connectionState).toBe('connected')

    expect(alice.errors).toEqual([])
    expect(bob.errors).toEqual([])
  })
})
