// A Chromium participant (clients/current.js) restarts ICE (pc.restartIce() → negotiationneeded →
// isallownegotiate → offer with a new ufrag/pwd → PUT negotiate) while in a call on the real hub:
// the hub answers with new ICE credentials and media keeps flowing both ways afterwards.
import { pathFor } from '@parley/protocol'
import { describe, expect, it } from 'vitest'
import { pollUntil, sampleVideo } from '@parley/testkit'
import type { Page } from 'playwright-core'
import { useBrowserClients } from './browser-clients.js'

/** The part of the page's RTCPeerConnection used here (this package's types have no DOM). */
interface PagePeer {
  readonly localDescription: { sdp: string } | null
  readonly remoteDescription: { sdp: string } | null
  readonly connectionState: string
  restartIce(): void
  getStats(): Promise<{ forEach(callback: (report: { type: string; selectedCandidatePairChanges?: number }) => void): void }>
}
type PageScope = { __pcs: PagePeer[] }

/** The ICE ufrag of the peer connection's local or remote description. */
async function ufrag(page: Page, side: 'local' | 'remote'): Promise<string | undefined> {
  return page.evaluate((which) => {
    const pcs = (globalThis as unknown as PageScope).__pcs
    const description = which === 'local' ? pcs.at(-1)?.localDescription : pcs.at(-1)?.remoteDescription
    return /a=ice-ufrag:(\S+)/.exec(description?.sdp ?? '')?.[1]
  }, side)
}

/** How often Chromium's transport switched its selected candidate pair (1 after the first connect). */
async function pairChanges(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pc = (globalThis as unknown as PageScope).__pcs.at(-1)!
    let changes = 0
    ;(await pc.getStats()).forEach((report: { type: string; selectedCandidatePairChanges?: number }) => {
      if (report.type === 'transport') changes = report.selectedCandidatePairChanges ?? 0
    })
    return changes
  })
}

async function framesNow(page: Page): Promise<number> {
  return (await sampleVideo(page, 'video.remote'))?.frames ?? 0
}

describe('ICE restart from a browser client (Chromium, werift)', () => {
  const clients = useBrowserClients('current')

  it('answers the restart with new credentials and keeps media flowing both ways', async () => {
    const { explain } = clients
    const [alice, bob] = await clients.join('Alice', 'Bob')
    await clients.decoding(alice, bob)

    const pairChangesBefore = await pairChanges(alice.page)
    const hubUfragBefore = await ufrag(alice.page, 'remote')
    const aliceUfragBefore = await ufrag(alice.page, 'local')
    await alice.page.evaluate(() => (globalThis as unknown as PageScope).__pcs.at(-1)!.restartIce())
    await pollUntil(async () => {
      const [local, remote] = [await ufrag(alice.page, 'local'), await ufrag(alice.page, 'remote')]
      return local !== aliceUfragBefore && remote !== hubUfragBefore ? true : undefined
    }, { timeoutMs: 20_000, description: 'the restart offer answered with new hub ICE credentials' }).catch(explain(alice, 'alice'))

    // The new ICE session took over (werift answered the checks under its new credentials and
    // nominated the pair), and media must still grow in both directions over it.
    await pollUntil(async () => ((await pairChanges(alice.page)) > pairChangesBefore ? true : undefined), {
      timeoutMs: 15_000,
      description: "alice's browser selecting a candidate pair of the restarted ICE session",
    }).catch(explain(alice, 'alice'))
    const before = { alice: await framesNow(alice.page), bob: await framesNow(bob.page) }
    const grown = await pollUntil(async () => {
      const alicePlus = (await framesNow(alice.page)) - before.alice
      const bobPlus = (await framesNow(bob.page)) - before.bob
      return alicePlus >= 30 && bobPlus >= 30 ? { alicePlus, bobPlus } : undefined
    }, { timeoutMs: 15_000, description: 'alice (hub → restarted client) and bob (restarted client → hub) still decoding' }).catch(explain(alice, 'alice'))
    expect(grown.alicePlus).toBeGreaterThanOrEqual(30)
    expect(await alice.page.evaluate(() => (globalThis as unknown as PageScope).__pcs.at(-1)!.connectionState)).toBe('connected')
    // The hub kept alice throughout, and its side of her peer is connected again.
    const hubView = await fetch(`${clients.hub.url}${pathFor('getClient', { roomId: alice.roomId, clientId: alice.clientId })}`)
    expect(hubView.status).toBe(200)
    expect(((await hubView.json()) as { data: { peer_connection_state: string } }).data.peer_connection_state).toBe('connected')
    expect(alice.errors).toEqual([])
    expect(bob.errors).toEqual([])
  })
})
