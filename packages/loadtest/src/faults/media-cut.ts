// A participant whose media path alone fails: its peer connection goes only through testkit's
// impairing TURN relay (`iceTransportPolicy: 'relay'`; this kernel has no netem), its events stream
// goes straight to the hub. A blip (the relay drops everything for a moment) and a cut for good, as
// the others see them: the hub's `parley_connection` marks (a watcher) and `participant.left` (an observer).
import { pollUntil, startTurnRelay } from '@parley/testkit'
import { createLoadParticipant } from '../participant.js'
import { markOf, watchConnectionMarks } from './departure.js'
import { createRoom } from './hub.js'
import { FAULT_VIDEO, joinObserver } from './observer.js'

export interface MediaCutFigures {
  /** From the blip's start to the others' problem mark (undefined: never marked), ms. */
  blipMarkedMs?: number
  /** From the blip's end to the victim's media arriving at the observer again (50 packets), ms. */
  blipMediaBackMs: number
  /** From the blip's end to the mark cleared (when it was marked), ms. */
  blipClearedMs?: number
  /** Never left for the others during the blip. */
  blipStayed: boolean
  /** From the cut to the problem mark, and to `participant.left` at the observer, ms. */
  cutMarkedMs: number
  cutGoneMs: number
  /** Packets the relay carried for the victim before the cut (both directions): the media really went through it. */
  relayedPackets: number
}

export async function measureMediaCuts(baseUrl: string, blipMs: number): Promise<MediaCutFigures> {
  const relay = await startTurnRelay()
  const roomId = await createRoom(baseUrl, 'faults-media-cut')
  const observer = await joinObserver('media-cut-observer', baseUrl, roomId)
  const watcher = await watchConnectionMarks(baseUrl, roomId)
  const victim = createLoadParticipant({
    name: 'media-cut-victim',
    hubUrl: baseUrl,
    video: FAULT_VIDEO,
    peerConnectionConfig: { iceServers: [relay.iceServer], iceTransportPolicy: 'relay' },
  })
  try {
    victim.conference.join({ roomId, displayName: 'media-cut-victim', media: { audio: true, video: true } })
    const { clientId } = await victim.connected(30_000)
    if (!clientId) throw new Error('media-cut victim: connected without a client id')
    await pollUntil(() => observer.joinedAt.has(clientId) && observer.participant.received.count('video', 10) > 0, {
      description: 'the observer receiving the victim through the relay',
      timeoutMs: 30_000,
    })

    const blipAt = performance.now()
    relay.blackout(blipMs)
    await pollUntil(() => (relay.blackedOut() ? undefined : true), { description: 'the blip over', timeoutMs: blipMs + 5_000, intervalMs: 10 })
    const blipEnd = performance.now()
    const packetsAtEnd = observer.participant.received.packets
    const mediaBackAt = await pollUntil(() => (observer.participant.received.packets > packetsAtEnd + 50 ? performance.now() : undefined), {
      description: "the victim's media at the observer after the blip", timeoutMs: 20_000, intervalMs: 10,
    })
    const markedAt = markOf(watcher, clientId, true, blipAt)
    const clearedAt = markedAt === undefined ? undefined : await pollUntil(() => markOf(watcher, clientId, false, markedAt), {
      description: 'the blip mark cleared', timeoutMs: 20_000, intervalMs: 10,
    })
    const relayedPackets = relay.counters().clientToPeer.relayed + relay.counters().peerToClient.relayed

    const cutAt = performance.now()
    relay.blackout(Infinity)
    const cutMarkedAt = await pollUntil(() => markOf(watcher, clientId, true, cutAt), { description: 'the cut marked', timeoutMs: 20_000, intervalMs: 10 })
    const goneAt = await pollUntil(() => observer.leftAt.get(clientId), { description: 'the cut participant removed', timeoutMs: 60_000, intervalMs: 10 })
    return {
      ...(markedAt !== undefined ? { blipMarkedMs: markedAt - blipAt } : {}),
      blipMediaBackMs: mediaBackAt - blipEnd,
      ...(clearedAt !== undefined ? { blipClearedMs: clearedAt - blipEnd } : {}),
      blipStayed: !observer.leftAt.has(clientId) || observer.leftAt.get(clientId)! > cutAt,
      cutMarkedMs: cutMarkedAt - cutAt,
      cutGoneMs: goneAt - cutAt,
      relayedPackets,
    }
  } finally {
    victim.leave()
    await new Promise((resolve) => setTimeout(resolve, 200)) // the leave on its way before the actor stops
    victim.stop()
    watcher.close()
    observer.close()
    await relay.close()
  }
}
