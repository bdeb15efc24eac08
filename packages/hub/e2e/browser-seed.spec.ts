// Two Chromium participants running the seed tutorial's client (clients/seed.js) meet in one room on
// the real hub with its werift media plane: each decodes the other's video, and when one leaves the
// other's remote tracks end and the tile goes away. Runs only in a loopback-only namespace.
import { describe, expect, it } from 'vitest'
import { clickLeave, snapshot, useBrowserClients } from './browser-clients.js'

describe('seed tutorial client against the hub (Chromium, werift)', () => {
  const clients = useBrowserClients('seed')

  it('two participants see each other decode, then one leaves and the other tile goes away', async () => {
    // Alice is the host: the tutorial creates the room when there is no ?roomId=.
    const [alice, bob] = await clients.join('Alice', 'Bob')
    expect(alice.roomId).toMatch(/\S/)
    expect(bob.roomId).toBe(alice.roomId)
    expect(bob.clientId).not.toBe(alice.clientId)

    for (const figures of await clients.decoding(alice, bob)) {
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

    const aliceAfter = await clients.remotesGone(alice, "bob's tracks end and his tile removed")
    expect(aliceAfter.remoteTileCount).toBe(0)
    expect(aliceAfter.connectionState).toBe('connected')

    expect(alice.errors).toEqual([])
    expect(bob.errors).toEqual([])
  })
})
