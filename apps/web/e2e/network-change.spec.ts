// A network change in a call, for real on the media path: Ada's UDP port dies (a u32 filter on lo drops
// every packet from or to the port of her selected candidate pair, as when the address it was bound to
// is gone), then her browser reports the network back (`online`, what a switch from Wi-Fi to mobile
// fires). The core restarts ICE at once (network port → negotiation's ice.restoring): her peer
// connection gathers on new sockets and Grace's video decodes at Ada again within seconds, with the old
// port still dropped. Without the change event Chromium declares ICE failed first and our restart
// follows that: 7.4 s to video again, against 0.8 s (measured 2026-12-04, load ≈ 4). Chromium on the
// built app, real hub, loopback-only namespace, run as root (tc).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dropUdpOnLoopback, pollUntil, waitForDecodedVideo } from '@parley/testkit'
import { appStatus, oneRemoteDecoding, openRoom, remoteVideoSelector, useAppCall, type AppParticipant } from './web-app'

/** How soon the restart's offer must follow the change: Chromium takes seconds to call ICE failed. */
const RESTART_OFFER_WITHIN_MS = 1_500
/** How soon media must be back after the change (7.4 s when waiting for ICE to fail). */
const RECOVERY_TIMEOUT_MS = 5_000

interface OfferSeen {
  ufrag: string
  at: number
}

/** Before the app loads: every RTCPeerConnection of the page in `__pcs`, each new ICE ufrag of its offers in `__ufrags`. */
function exposePeerConnections() {
  const scope = globalThis as unknown as { __pcs: RTCPeerConnection[]; __ufrags: OfferSeen[]; RTCPeerConnection: typeof RTCPeerConnection }
  const Native = scope.RTCPeerConnection
  scope.__pcs = []
  scope.__ufrags = []
  scope.RTCPeerConnection = class extends Native {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args)
      scope.__pcs.push(this)
      this.addEventListener('signalingstatechange', () => {
        const ufrag = /a=ice-ufrag:(\S+)/.exec(this.localDescription?.sdp ?? '')?.[1]
        if (this.localDescription?.type === 'offer' && ufrag && scope.__ufrags.at(-1)?.ufrag !== ufrag) scope.__ufrags.push({ ufrag, at: Date.now() })
      })
    }
  }
}

/** In the page: the local port of the room's peer connection's selected candidate pair. */
async function selectedLocalPort(): Promise<number | null> {
  const pcs = (globalThis as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState === 'connected')
  for (const pc of pcs) {
    const report = await pc.getStats()
    let pairId: string | undefined
    report.forEach((stat: { type: string; selectedCandidatePairId?: string }) => {
      if (stat.type === 'transport' && stat.selectedCandidatePairId) pairId = stat.selectedCandidatePairId
    })
    const pair = pairId ? (report.get(pairId) as { localCandidateId?: string } | undefined) : undefined
    const local = pair?.localCandidateId ? (report.get(pair.localCandidateId) as { port?: number } | undefined) : undefined
    if (local?.port) return local.port
  }
  return null
}

describe('a network change in a call (Chromium, built app, real hub; the old UDP port dropped for real)', () => {
  const call = useAppCall(['Ada', 'Grace'])
  const { explain } = call
  let ada: AppParticipant
  let grace: AppParticipant
  let restoreUdp: (() => void) | undefined

  beforeAll(async () => {
    ada = call.page('Ada')
    grace = call.page('Grace')
    await ada.page.addInitScript(exposePeerConnections)
  })

  afterAll(() => restoreUdp?.())

  it("restarts ICE at once: Grace's video decodes at Ada again within seconds, on a new port", async () => {
    const invite = await openRoom(ada, call.hub.url, 'Network change', explain)
    await grace.page.goto(invite)
    await grace.page.getByTestId('display-name').fill('Grace')
    await grace.page.getByTestId('join-button').click()
    const graceId = await oneRemoteDecoding(ada, 'Grace', explain)
    await oneRemoteDecoding(grace, 'Ada', explain)

    const oldPort = await pollUntil(() => ada.page.evaluate(selectedLocalPort).then((port) => port ?? undefined), {
      timeoutMs: 10_000,
      description: "Ada's selected candidate pair",
    }).catch(explain)
    const ufragsBefore = await ada.page.evaluate(() => (globalThis as unknown as { __ufrags: OfferSeen[] }).__ufrags.length)
    restoreUdp = dropUdpOnLoopback({ port: oldPort })
    // The path is dead for real: Grace's video stops decoding at Ada.
    await expect(waitForDecodedVideo(ada.page, remoteVideoSelector(graceId), { minFramesGrowth: 5, timeoutMs: 1_500 })).rejects.toThrow()

    const changedAt = await ada.page.evaluate(() => {
      window.dispatchEvent(new Event('online'))
      return Date.now()
    })
    const figures = await waitForDecodedVideo(ada.page, remoteVideoSelector(graceId), { minFramesGrowth: 10, timeoutMs: RECOVERY_TIMEOUT_MS }).catch(explain)
    const recoveredMs = Date.now() - changedAt
    const newPort = await ada.page.evaluate(selectedLocalPort)
    const restart = (await ada.page.evaluate(() => (globalThis as unknown as { __ufrags: OfferSeen[] }).__ufrags))[ufragsBefore]
    console.info(
      `[network change] port ${oldPort} dropped; 'online' → restart offer in ${restart ? restart.at - changedAt : '-'} ms, ` +
        `Grace's video decoding at Ada again in ${recoveredMs} ms (+${figures.framesGrowth} frames), now on port ${newPort}`,
    )

    // The restart's offer (a new ufrag) follows the change at once, media is back on a new local port, and the call never left.
    expect(restart?.at).toBeDefined()
    expect(restart!.at - changedAt).toBeLessThan(RESTART_OFFER_WITHIN_MS)
    expect(newPort).not.toBe(oldPort)
    expect(await appStatus(ada.page)).toBe('connected')
    await waitForDecodedVideo(grace.page, remoteVideoSelector(await oneRemoteDecoding(grace, 'Ada', explain)), { minFramesGrowth: 10, timeoutMs: RECOVERY_TIMEOUT_MS }).catch(explain)
  })
})
