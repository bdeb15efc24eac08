// A participant that watches a fault happen to the room, through the public core (`@parley/core/node`,
// werift's peer connection, the load participant's receive tap counting what arrives). What the conference processed is read
// from its inspection events, so "nothing lost" is counted on the client side, by the values the events
// carry, after the core's own resume and de-duplication.
import { createLoadParticipant, type LoadParticipant } from '../participant.js'
import type { VideoShape } from '../media-source.js'

/** Small video: the faults are about signalling and liveness, not picture quality. */
export const FAULT_VIDEO: VideoShape = { width: 160, height: 120, fps: 10, kbps: 100 }

/** The prefix of the metadata keys a fault run writes (`fault.<n>`, value = sequence number). */
export const FAULT_META_PREFIX = 'fault.'

export interface Observer {
  readonly participant: LoadParticipant
  readonly clientId: string
  /** Sequence numbers of the `fault.*` meta_changed events the conference processed, in order. */
  readonly metaValues: number[]
  /** When the events region took its stream for dead or broken (entered `checking`), performance.now(). */
  readonly streamChecks: number[]
  /** When `participant.joined` / `participant.left` was emitted, by client id. */
  readonly joinedAt: Map<string, number>
  readonly leftAt: Map<string, number>
  close(): void
}

interface InspectedHubEvent {
  type?: string
  key?: string
  value?: unknown
}
type Inspected = { type: string; rootId?: string; actorRef?: { id?: string; sessionId?: string }; event?: InspectedHubEvent; snapshot?: { value?: unknown } }

export async function joinObserver(name: string, hubUrl: string, roomId: string, timeoutMs = 30_000): Promise<Observer> {
  const metaValues: number[] = []
  const streamChecks: number[] = []
  let eventsState: unknown
  const participant = createLoadParticipant({
    name,
    hubUrl,
    video: FAULT_VIDEO,
    inspect: (inspected) => {
      const event = inspected as unknown as Inspected
      const hubEvent = event.event
      if (event.type === '@xstate.event' && event.actorRef?.sessionId === event.rootId) {
        if (hubEvent?.type === 'hub.metaChanged' && hubEvent.key?.startsWith(FAULT_META_PREFIX) && typeof hubEvent.value === 'number') metaValues.push(hubEvent.value)
      }
      if (event.type === '@xstate.snapshot' && event.actorRef?.id === 'events') {
        const value = event.snapshot?.value
        if (value === 'checking' && eventsState !== 'checking') streamChecks.push(performance.now())
        eventsState = value
      }
    },
  })
  const joinedAt = new Map<string, number>()
  const leftAt = new Map<string, number>()
  participant.conference.actor.on('participant.joined', (event) => void joinedAt.set(event.clientId, performance.now()))
  participant.conference.actor.on('participant.left', (event) => void leftAt.set(event.clientId, performance.now()))
  participant.conference.join({ roomId, displayName: name, media: { audio: true, video: true } })
  const view = await participant.connected(timeoutMs)
  return {
    participant,
    clientId: view.clientId ?? '',
    metaValues,
    streamChecks,
    joinedAt,
    leftAt,
    close() {
      participant.leave()
      participant.stop()
    },
  }
}
