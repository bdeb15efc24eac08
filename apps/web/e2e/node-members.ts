// Node participants for the web app's big-room specs: the public core (`createConference` over
// `nodePorts`, werift on loopback, the `eventsource` package) with testkit's synthetic microphone and
// camera (opus silence every 20 ms, a VP8-shaped frame at 15 fps: forwarded as any video, no picture).
// They show no video: each tells the hub 0×0 for every video it is announced (the core's
// `reportVideoSize`), so the hub forwards them sound only and the box spends its cores on the page.
import { EventSource } from 'eventsource'
import type { RTCPeerConnection } from 'werift'
import { createConference, type Conference, type ConferenceView } from '@parley/core'
import { nodePorts } from '@parley/core/node'
import { createSyntheticMedia, loopbackWeriftConfig, ParticipantPeerConnection, pollUntil, type SyntheticMedia } from '@parley/testkit'

export interface NodeMember {
  readonly name: string
  readonly conference: Conference
  view(): ConferenceView
  /** Resolves with the view once `predicate` holds (checked on every snapshot), or fails after `timeoutMs`. */
  until(description: string, predicate: (view: ConferenceView) => boolean, timeoutMs?: number): Promise<ConferenceView>
  /** Leaves, stops the synthetic media and the actor. */
  close(): void
}

export function createNodeMember(name: string, hubUrl: string): NodeMember {
  const media: SyntheticMedia = createSyntheticMedia()
  const conference = createConference({
    hub: { baseUrl: hubUrl },
    ports: nodePorts({
      peerConnection: (config) => new ParticipantPeerConnection({ ...config, ...loopbackWeriftConfig() } as ConstructorParameters<typeof RTCPeerConnection>[0]),
      EventSource,
      media,
    }),
  })
  conference.actor.start()
  const view = () => conference.selectView(conference.actor.getSnapshot())
  const hidden = new Set<string>()
  // Every video announced to it: not shown (the core keeps the size and sends it once the hub's channel opens).
  const subscription = conference.actor.subscribe((snapshot) => {
    for (const participant of conference.selectView(snapshot).participants) {
      for (const track of participant.tracks) {
        if (track.kind !== 'video' || !track.live || hidden.has(track.trackId)) continue
        hidden.add(track.trackId)
        conference.reportVideoSize?.(track.trackId, 0, 0)
      }
    }
  })
  return {
    name,
    conference,
    view,
    until: (description, predicate, timeoutMs = 30_000) => {
      let last: ConferenceView | undefined
      return pollUntil(
        () => {
          last = view()
          return predicate(last) ? last : undefined
        },
        { timeoutMs, intervalMs: 100, description: `${name}: ${description}`, seen: () => ({ status: last?.status, participants: last?.participants.length }) },
      )
    },
    close() {
      subscription.unsubscribe()
      conference.leave()
      media.stop()
      conference.actor.stop()
    },
  }
}
