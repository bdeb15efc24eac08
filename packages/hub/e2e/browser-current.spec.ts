// Two Chromium participants running a current-generation client (clients/current.js: tracks_added →
// settracksources, tracks_available → subscribetracks) meet in one room on the real hub with its werift
// media plane: each decodes the other's video, tracks_available named the other participant with
// source "media", and when one leaves the other's tracks end and the tile goes away.
import { describe, expect, it } from 'vitest'
import { announcedStreams, clickLeave, snapshot, useBrowserClients } from './browser-clients.js'

describe('current-generation client against the hub (Chromium, werift)', () => {
  const clients = useBrowserClients('current')

  it('publishes with source media, subscribes by name, decodes both ways, and ends tracks on leave', async () => {
    const [alice, bob] = await clients.join('Alice', 'Bob')
    expect(bob.roomId).toBe(alice.roomId)

    for (const figures of await clients.decoding(alice, bob)) {
      expect(figures.videoWidth).toBeGreaterThan(0)
      expect(figures.counter).toBe('inbound-rtp.framesDecoded')
    }

    // tracks_available told each side who the other is; the remote stream it receives is that stream.
    const aliceKnows = await announcedStreams(alice.page)
    const bobKnows = await announcedStreams(bob.page)
    expect(Object.values(aliceKnows)).toEqual([{ name: 'Bob', source: 'media', clientId: bob.clientId, trackIds: expect.any(Array) }])
    expect(Object.values(bobKnows)).toEqual([{ name: 'Alice', source: 'media', clientId: alice.clientId, trackIds: expect.any(Array) }])
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

    const aliceAfter = await clients.remotesGone(alice, "bob's tracks end and his tile removed")
    expect(aliceAfter.remoteStreamIds).toEqual([])
    expect(aliceAfter.connectionState).toBe('connected')

    expect(alice.errors).toEqual([])
    expect(bob.errors).toEqual([])
  })
})
