// A real ICE failure and the hub's grace for it (hub-api-v1.md §5: a client is stopped only after its
// peer has been `failed` for 5 s). Three Chromium participants (clients/current.js) are in a call;
// Chromium's network service is frozen (SIGSTOP) until werift's consent check declares every peer
// `failed` (~30 s). Then it resumes: Alice and Bob restart ICE, as Parley's core does on `failed`,
// and stay, decoding each other again; Carol does not, and is removed when the grace runs out, her
// tracks ending for the others. The grace is 10 s here (default 5 s): the three consent sessions
// expire up to a few seconds apart, and the restarts start only once all three have. Loopback-only
// namespace; takes about 45 s.
import { pathFor } from '@parley/protocol'
import { commandLineOf, descendantsOf, pollUntil, sampleVideo, waitForDecodedVideo, type ParticipantPage } from '@parley/testkit'
import { describe, expect, it } from 'vitest'
import { snapshot, useBrowserClients } from './browser-clients.js'

/** Chromium's network-service processes started by this test process (they carry every ICE packet). */
function ownNetworkServices(): number[] {
  return descendantsOf(process.pid).filter((pid) => commandLineOf(pid).includes('network.mojom.NetworkService'))
}

interface PagePeer {
  restartIce(): void
}

describe('a failed peer connection on the real hub (Chromium, werift)', () => {
  const FAILED_GRACE_MS = 10_000
  // The frozen-peer rule (liveness.ts: no media or RTCP for 8 s) would remove all three long before
  // werift's consent check fails them (~30 s): off here, so that this spec walks the failed grace alone.
  const clients = useBrowserClients('current', { timings: { failedGraceMs: FAILED_GRACE_MS, frozenPeerMs: 0 } })

  it('keeps the clients that restart ICE within the grace and removes the one that does not', async () => {
    const { explain } = clients
    const [alice, bob, carol] = await clients.join('Alice', 'Bob', 'Carol')
    const { roomId } = alice
    const remoteFrames = async (participant: ParticipantPage) => {
      const frames = await Promise.all((await participant.page.$$('video.remote')).map(async (video) => (await sampleVideo(participant.page, video))?.frames ?? 0))
      return frames.reduce((sum, value) => sum + value, 0)
    }
    // Every remote video decodes at everyone's: every hub offer so far is answered (the hub forwards
    // only on answered transceivers). An answer frozen in flight would end in the 30 s answer timeout.
    for (const participant of [alice, bob, carol]) {
      const videos = await pollUntil(async () => {
        const found = await participant.page.$$('video.remote')
        return found.length === 2 ? found : undefined
      }, { timeoutMs: 40_000, description: `${participant.name} showing two remote participants` }).catch(explain(participant, participant.name))
      for (const video of videos) {
        await waitForDecodedVideo(participant.page, video, { minFramesGrowth: 10, timeoutMs: 40_000 }).catch(explain(participant, participant.name))
      }
    }

    const hubState = async (clientId: string) => {
      const response = await fetch(`${clients.hub.url}${pathFor('getClient', { roomId, clientId })}`)
      if (response.status !== 200) return `gone (${response.status})`
      return ((await response.json()) as { data: { peer_connection_state: string } }).data.peer_connection_state
    }

    const frozen = ownNetworkServices()
    expect(frozen.length).toBeGreaterThan(0)
    const frozenAt = Date.now()
    for (const pid of frozen) process.kill(pid, 'SIGSTOP')
    let failedAfterMs: number
    try {
      const everyone = [alice, bob, carol]
      await pollUntil(async () => ((await Promise.all(everyone.map((participant) => hubState(participant.clientId)))).every((state) => state === 'failed') ? true : undefined), {
        timeoutMs: 60_000,
        intervalMs: 250,
        description: "the hub's peers of alice, bob and carol all reporting failed",
      }).catch(explain(alice, 'alice'))
      failedAfterMs = Date.now() - frozenAt
    } finally {
      for (const pid of frozen) process.kill(pid, 'SIGCONT')
    }
    // Inside the grace: still there, subscriptions and all.
    expect(await hubState(alice.clientId)).toBe('failed')

    const restart = (participant: ParticipantPage) =>
      participant.page.evaluate(() => (globalThis as unknown as { __pcs: PagePeer[] }).__pcs.at(-1)!.restartIce())
    await Promise.all([restart(alice), restart(bob)])
    await pollUntil(async () => ((await hubState(alice.clientId)) === 'connected' && (await hubState(bob.clientId)) === 'connected' ? true : undefined), {
      timeoutMs: 4_000,
      description: "alice's and bob's hub peers connected again after their ICE restarts (within the grace)",
    }).catch(explain(alice, 'alice'))

    // Carol never restarted: removed once her grace ran out, her tile gone at alice and bob.
    await pollUntil(async () => ((await hubState(carol.clientId)).startsWith('gone') ? true : undefined), {
      timeoutMs: FAILED_GRACE_MS + 5_000,
      description: 'carol removed after the grace',
    }).catch(explain(carol, 'carol'))
    await pollUntil(async () => ((await snapshot(alice.page, 'current')).remoteTileCount === 1 && (await snapshot(bob.page, 'current')).remoteTileCount === 1 ? true : undefined), {
      timeoutMs: 20_000,
      description: "carol's tracks ended at alice and bob",
    }).catch(explain(alice, 'alice'))

    // Alice and Bob stay, past the grace, and decode each other again.
    expect(await hubState(alice.clientId)).toBe('connected')
    expect(await hubState(bob.clientId)).toBe('connected')
    const before = { alice: await remoteFrames(alice), bob: await remoteFrames(bob) }
    await pollUntil(async () => ((await remoteFrames(alice)) - before.alice >= 30 && (await remoteFrames(bob)) - before.bob >= 30 ? true : undefined), {
      timeoutMs: 20_000,
      description: 'alice and bob decoding each other after the restart',
    }).catch(explain(alice, 'alice'))
    console.info('[ice-failed figures]', JSON.stringify({ failedAfterMs }))
    expect(alice.errors).toEqual([])
    expect(bob.errors).toEqual([])
  })
})
