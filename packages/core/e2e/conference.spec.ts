// The core against the REAL hub, without a browser: three Node participants, each a `createConference`
// over `nodePorts` (werift RTCPeerConnection on loopback, the `eventsource` package, synthetic opus/VP8
// media, global fetch, the real clock), join one room. Every assertion reads what the core exposes
// (selectView, the stream registry) plus RTP actually arriving on the registry's remote tracks.
// Run inside a loopback-only namespace (see the briefing / assertLoopbackOnly).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EventSource } from 'eventsource'
import { MediaStreamTrack, type RTCPeerConnection } from 'werift'
import { assertLoopbackOnly, createSyntheticMedia, loopbackWeriftConfig, ParticipantPeerConnection, type SyntheticMedia } from '@parley/testkit'
import { startTestHub, type TestHub } from '@parley/hub/testing'
import { createConference, type ConferenceSnapshot, type ConferenceView, type Participant } from '@parley/core'
import { nodePorts } from '@parley/core/node'

const TIMEOUT_MS = 30_000

/** Every peer connection and event stream the core opened, to check that each is closed at the end. */
const openedPeers: RTCPeerConnection[] = []
const openedEventSources: EventSource[] = []

class RecordedPeerConnection extends ParticipantPeerConnection {
  constructor(config: ConstructorParameters<typeof RTCPeerConnection>[0]) {
    super(config)
    openedPeers.push(this)
  }
}

class RecordedEventSource extends EventSource {
  constructor(url: string) {
    super(url)
    openedEventSources.push(this)
  }
}

interface Member {
  readonly name: string
  readonly media: SyntheticMedia
  readonly conference: ReturnType<typeof createConference>
  /** RTP packets counted per remote werift track (by track object), from the stream registry. */
  readonly rtp: Map<MediaStreamTrack, number>
  view(): ConferenceView
}

function createMember(name: string, hubUrl: string): Member {
  const media = createSyntheticMedia()
  const conference = createConference({
    hub: { baseUrl: hubUrl },
    ports: nodePorts({
      RTCPeerConnection: RecordedPeerConnection,
      peerConnectionOptions: loopbackWeriftConfig(),
      EventSource: RecordedEventSource,
      media,
    }),
  })
  conference.actor.start()
  return {
    name,
    media,
    conference,
    rtp: new Map(),
    view: () => conference.selectView(conference.actor.getSnapshot()),
  }
}

/**
 * Waits until the conference's view satisfies `predicate` (checked on every snapshot the actor emits);
 * fails with the last view on the deadline.
 */
function waitForView(member: Member, description: string, predicate: (view: ConferenceView) => boolean): Promise<ConferenceView> {
  const { actor, selectView } = member.conference
  return new Promise((resolve, reject) => {
    let settled = false
    const check = (snapshot: ConferenceSnapshot) => {
      if (settled || !predicate(selectView(snapshot))) return
      settled = true
      clearTimeout(timer)
      subscription.unsubscribe()
      resolve(selectView(snapshot))
    }
    const timer = setTimeout(() => {
      settled = true
      subscription.unsubscribe()
      reject(new Error(`${member.name}: ${description} did not happen within ${TIMEOUT_MS} ms. Last view: ${JSON.stringify(member.view(), null, 1)}`))
    }, TIMEOUT_MS)
    const subscription = actor.subscribe(check)
    check(actor.getSnapshot())
  })
}

/** Open socket handles of this process (UDP for ICE, TCP for HTTP and SSE). */
function openSockets(): string[] {
  return process.getActiveResourcesInfo().filter((kind) => /UDP|TCP/i.test(kind))
}

/** Polls a condition with a deadline (the pace is not an assertion). */
async function until(description: string, condition: () => boolean, timeoutMs = TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/**
 * A remote participant with this name whose audio and video are both delivered (live in the view) and
 * whose stream the registry holds.
 */
function liveParticipant(member: Member, view: ConferenceView, name: string): Participant | undefined {
  const participant = view.participants.find((p) => p.name === name)
  if (!participant) return undefined
  const kinds = participant.tracks.filter((t) => t.live).map((t) => t.kind).sort()
  if (kinds.join() !== 'audio,video') return undefined
  const streamId = participant.streamIds[0]
  if (participant.streamIds.length !== 1 || streamId === undefined) return undefined
  return member.conference.streams.get(streamId) ? participant : undefined
}

function hasTwoLiveRemotes(member: Member, others: readonly string[]) {
  return (view: ConferenceView) =>
    view.status === 'connected' && view.participants.length === 2 && others.every((name) => liveParticipant(member, view, name) !== undefined)
}

/** The kinds of the tracks the registry's stream for this participant holds, e.g. 'audio,video'. */
function registryKinds(member: Member, participant: Participant): string {
  return participant.streamIds
    .flatMap((id) => member.conference.streams.get(id)?.getTracks() ?? [])
    .map((t) => t.kind)
    .sort()
    .join()
}

/** Counts RTP on every werift track of the participant's stream in `member`'s registry. */
function countRtp(member: Member, participant: Participant): MediaStreamTrack[] {
  const tracks: MediaStreamTrack[] = []
  for (const streamId of participant.streamIds) {
    for (const track of member.conference.streams.get(streamId)?.getTracks() ?? []) {
      if (!(track instanceof MediaStreamTrack)) throw new Error(`${member.name}: a remote track of ${participant.name} is not a werift track`)
      tracks.push(track)
      if (member.rtp.has(track)) continue
      member.rtp.set(track, 0)
      track.onReceiveRtp.subscribe(() => member.rtp.set(track, (member.rtp.get(track) ?? 0) + 1))
    }
  }
  return tracks
}

/** Both media planes of the hub: the participants are werift either way (the core's Node ports). */
for (const plane of ['werift', 'ndc'] as const) {
  describe(`three participants on the core over the real hub (${plane} plane, werift participants, loopback)`, () => {
    let hub: TestHub
    const members: Member[] = []
    let ada: Member
    let grace: Member
    let linus: Member
    let roomId: string
    const figures: Record<string, number> = {}

    /** Sockets open before the hub and the participants existed (the test runner's own). */
    let socketsBefore: string[]

    beforeAll(async () => {
      assertLoopbackOnly()
      socketsBefore = openSockets()
      openedPeers.length = 0
      openedEventSources.length = 0
      hub = await startTestHub({ mediaPlaneKind: plane })
    })

    afterAll(async () => {
      for (const member of members) member.conference.actor.stop()
      for (const member of members) member.media.stop()
      await hub?.close()
      console.log(`[core e2e figures, ${plane}]`, JSON.stringify(figures))
      // No UDP (ICE) or TCP (HTTP, SSE) socket outlives the test.
      await until('every socket opened by the test closed', () => openSockets().length <= socketsBefore.length, 5_000).catch((error: unknown) => {
        throw new Error(`${error instanceof Error ? error.message : String(error)}: before ${socketsBefore.join()} / now ${openSockets().join()}`)
      })
    })

    it('joins three named participants who each see the other two with live media', async () => {
      ada = createMember('Ada', hub.url)
      grace = createMember('Grace', hub.url)
      linus = createMember('Linus', hub.url)
      members.push(ada, grace, linus)

      const joinedAt = new Map<Member, number>()
      joinedAt.set(ada, performance.now())
      ada.conference.join({ roomName: 'core-e2e', displayName: 'Ada', media: { audio: true, video: true } })
      const adaView = await waitForView(ada, 'creating the room and connecting', (v) => v.status === 'connected' && v.room !== undefined)
      roomId = adaView.room!.id
      expect(adaView.displayName).toBe('Ada')
      expect(adaView.local).toMatchObject({ audioEnabled: true, videoEnabled: true, audioAvailable: true, videoAvailable: true })

      for (const [member, name] of [
        [grace, 'Grace'],
        [linus, 'Linus'],
      ] as const) {
        joinedAt.set(member, performance.now())
        member.conference.join({ roomId, displayName: name, media: { audio: true, video: true } })
      }

      for (const member of members) {
        const others = members.filter((m) => m !== member).map((m) => m.name)
        const view = await waitForView(member, `two live remote participants (${others.join(', ')})`, hasTwoLiveRemotes(member, others))
        figures[`joinToTwoLiveRemotesMs.${member.name}`] = Math.round(performance.now() - joinedAt.get(member)!)
        expect(view.room?.id).toBe(roomId)
        expect(view.participants.map((p) => p.name).sort()).toEqual([...others].sort())
        // Each remote participant is the real hub client, not a placeholder keyed by stream.
        for (const participant of view.participants) expect(participant.clientId.startsWith('stream:')).toBe(false)
        expect(new Set(view.participants.map((p) => p.clientId)).size).toBe(2)
      }
      console.log(
        `[core e2e, ${plane}] join → two live remote participants: ${members.map((m) => `${m.name} ${figures[`joinToTwoLiveRemotesMs.${m.name}`]} ms`).join(', ')} (Ada created the room first; Grace and Linus joined by id together)`,
      )

      // The registry holds each remote participant's stream with BOTH its tracks (what a UI attaches to
      // a <video>/<audio>). Soft, so the RTP checks below still run and report when it fails.
      for (const member of members) {
        for (const participant of member.view().participants) {
          expect.soft(registryKinds(member, participant), `${member.name}'s registry stream of ${participant.name}`).toBe('audio,video')
        }
      }

      // Live media: RTP keeps arriving on every remote track the registry holds.
      const watched = members.map((member) => ({
        member,
        tracks: member.view().participants.flatMap((participant) => countRtp(member, participant)),
      }))
      for (const { member, tracks } of watched) expect(tracks.length, `${member.name}'s remote tracks in the registry`).toBeGreaterThanOrEqual(2)
      await until('at least 10 RTP packets on each remote track of every participant', () =>
        watched.every(({ member, tracks }) => tracks.every((track) => (member.rtp.get(track) ?? 0) >= 10)),
      )
      const before = watched.map(({ member, tracks }) => tracks.map((track) => member.rtp.get(track) ?? 0))
      await until('RTP counters growing on every remote track', () =>
        watched.every(({ member, tracks }, i) => tracks.every((track, j) => (member.rtp.get(track) ?? 0) > before[i]![j]! + 5)),
      )
    })

    it("a camera turned off shows as videoEnabled === false at the others", async () => {
      grace.conference.setCamera(false)
      await waitForView(grace, 'own camera off', (v) => v.local.videoEnabled === false && v.local.audioEnabled === true)
      for (const member of [ada, linus]) {
        const view = await waitForView(member, "Grace's camera off", (v) => v.participants.find((p) => p.name === 'Grace')?.videoEnabled === false)
        const graceThere = view.participants.find((p) => p.name === 'Grace')!
        expect(graceThere.audioEnabled).toBe(true)
        // The others are untouched.
        expect(view.participants.find((p) => p.name !== 'Grace')?.videoEnabled).toBe(true)
      }
      // A toggle only republishes the media state: the rest of the room session (connection, negotiation,
      // events stream, remote track watching) carries on untouched.
      expect(grace.view().status, "Grace's status after turning her camera off").toBe('connected')
      expect(grace.view().stateValue).toContain('inRoom.connection.connected.settled')
      expect(openedEventSources.length, 'event streams opened (one per participant, none reopened by the toggle)').toBe(3)
    })

    it('chat over the hub\'s room channel: the channel opens at everyone, a message reaches the other two, named, and not the sender twice', async () => {
      for (const member of members) {
        await waitForView(member, 'the chat channel open', (v) => v.chat.channel === 'open').catch((error: Error) => {
          throw new Error(`${error.message}\nhub log:\n${hub.describeLogs()}`)
        })
      }
      const sentAt = performance.now()
      const received = [grace, linus].map((member) =>
        waitForView(member, "Ada's message received", (v) => v.chat.messages.some((m) => m.text === 'Hello from Ada <b>')).then((view) => {
          figures[`chatDeliveryMs.Ada->${member.name}`] = Math.round(performance.now() - sentAt)
          return view
        }),
      )
      ada.conference.sendChat('Hello from Ada <b>')
      await waitForView(ada, 'her own message sent', (v) => v.chat.messages.some((m) => m.text === 'Hello from Ada <b>' && m.status === 'sent'))
      for (const view of await Promise.all(received)) {
        const message = view.chat.messages.find((m) => m.text === 'Hello from Ada <b>')!
        expect(message).toMatchObject({ name: 'Ada', from: ada.view().clientId, status: 'received' })
        expect(view.chat.unread).toBe(1)
      }
      const replyAt = performance.now()
      grace.conference.sendChat('Hi Ada')
      await waitForView(ada, "Grace's reply", (v) => v.chat.messages.some((m) => m.text === 'Hi Ada' && m.name === 'Grace'))
      figures['chatDeliveryMs.Grace->Ada'] = Math.round(performance.now() - replyAt)
      // The hub forwards to the others only: nobody sees a message of theirs come back.
      expect(ada.view().chat.messages.filter((m) => m.text === 'Hello from Ada <b>')).toHaveLength(1)
      expect(grace.view().chat.messages.filter((m) => m.text === 'Hi Ada')).toHaveLength(1)
    })

    it("a participant who leaves drops out of the others' lists", async () => {
      const linusClientId = linus.view().clientId
      expect(linusClientId).toBeDefined()
      // Linus deletes his media state before the hub's next offer ends his tracks: in between, his
      // still-live stream must not show up as an unnamed "Guest" at the others.
      const placeholders: string[] = []
      const watchers = [ada, grace].map((member) =>
        member.conference.actor.subscribe((snapshot) => {
          for (const p of member.conference.selectView(snapshot).participants) if (p.clientId.startsWith('stream:')) placeholders.push(`${member.name} saw ${p.name} (${p.clientId})`)
        }),
      )
      linus.conference.leave()
      await waitForView(linus, 'status left', (v) => v.status === 'left')
      for (const member of [ada, grace]) {
        const view = await waitForView(
          member,
          "Linus gone from the participant list",
          (v) => v.participants.length === 1 && v.participants.every((p) => p.clientId !== linusClientId && p.name !== 'Linus'),
        )
        expect(view.status).toBe('connected')
        expect(liveParticipant(member, view, member === ada ? 'Grace' : 'Ada')).toBeDefined()
      }
      for (const watcher of watchers) watcher.unsubscribe()
      expect(placeholders, 'placeholder participants while Linus left').toEqual([])
    })

    it('the host ends the room: everyone else reaches ended, the host left, and everything is released', async () => {
      ada.conference.endRoom()
      // The host leaves through `endingRoom` → `leaving` → `left`; the others hear `left` (reason ended).
      const adaView = await waitForView(ada, 'status left after ending the room', (v) => v.status === 'left')
      expect(adaView.error).toBeUndefined()
      expect(adaView.endedReason).toBe('ended-by-me')
      const graceView = await waitForView(grace, 'status ended', (v) => v.status === 'ended')
      expect(graceView.endedReason).toBe('host-ended')
      expect(grace.conference.actor.getSnapshot().context.endedReason).toBe('host-ended')

      // Final states stop the actors: local tracks stopped, peer connections and event streams closed.
      for (const member of members) expect(member.conference.actor.getSnapshot().status).toBe('done')
      await until('every synthetic track stopped', () => members.every((m) => m.media.activeTimers === 0), 5_000)
      expect(openedPeers).toHaveLength(3)
      await until('every peer connection closed', () => openedPeers.every((pc) => pc.connectionState === 'closed'), 5_000)
      expect(openedEventSources.map((source) => source.readyState)).toEqual(openedEventSources.map(() => EventSource.CLOSED))
    })
  })
}
