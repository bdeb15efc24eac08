// A Node participant that talks to a running hub exactly as the inLive SDK does, over HTTP and SSE:
// register, open the event stream, isallownegotiate → offer → PUT negotiate → answer, candidates both
// ways, settracksources on `tracks_added`, subscribetracks on `tracks_available`, answers to hub `offer`s
// through PUT negotiate, DELETE leave. Media comes from a werift participant (werift-participant.ts).
import {
  ALLOWED_RENEGOTIATION_EVENT,
  parseSseEvent,
  pathFor,
  type SseEventName,
  type TrackInfo,
} from '@parley/protocol'
import { EventSource } from 'eventsource'
import { createParticipant, type Participant } from './werift-participant.js'

interface Envelope {
  code: number
  message: string
  data: unknown
}

export interface HubParticipant {
  readonly name: string
  readonly clientId: string
  readonly media: Participant
  /** Tracks announced to this client by `tracks_available`, by track id. */
  readonly available: Map<string, TrackInfo>
  /** SSE events in arrival order (names only). */
  readonly events: SseEventName[]
  /** Failures of event handling (HTTP errors, SDP errors); a passing spec expects none. */
  readonly errors: string[]
  offersAnswered: number
  left: boolean
  /** Client offer through the negotiation lock (waits for `allowed_renegotation` when told to). */
  negotiate(): Promise<void>
  leave(): Promise<void>
  close(): Promise<void>
}

export async function call(baseUrl: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Envelope }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = (await response.json()) as Envelope
  return { status: response.status, body: json }
}

export async function joinHub(baseUrl: string, roomId: string, name: string): Promise<HubParticipant> {
  const registered = await call(baseUrl, 'POST', pathFor('register', { roomId }), { uid: name, name })
  if (registered.status !== 200) throw new Error(`register ${name}: ${registered.status} ${registered.body.message}`)
  const clientId = (registered.body.data as { client_id: string }).client_id
  const media = await createParticipant(name)
  const params = { roomId, clientId }
  let chain: Promise<unknown> = Promise.resolve()
  let negotiationWanted = false

  const participant: HubParticipant = {
    name,
    clientId,
    media,
    available: new Map(),
    events: [],
    errors: [],
    offersAnswered: 0,
    left: false,
    negotiate: () => serial(negotiateNow),
    async leave() {
      const response = await call(baseUrl, 'DELETE', pathFor('leave', params))
      if (response.status !== 200) throw new Error(`leave ${name}: ${response.status} ${response.body.message}`)
    },
    async close() {
      source.close()
      await chain.catch(() => undefined)
      await media.close()
    },
  }

  // Signalling steps run one at a time, as in the SDK's peer.
  const serial = (step: () => Promise<void>): Promise<void> => {
    const run = chain.then(step)
    chain = run.catch((error: unknown) => participant.errors.push(`${name}: ${String(error)}`))
    return run
  }

  async function negotiateNow(): Promise<void> {
    const allowed = await call(baseUrl, 'POST', pathFor('isAllowNegotiate', params))
    if (allowed.status < 200 || allowed.status > 299) {
      negotiationWanted = true // retried on allowed_renegotation
      return
    }
    negotiationWanted = false
    const offer = await media.pc.createOffer()
    await media.pc.setLocalDescription(offer)
    const local = media.pc.localDescription
    if (!local) throw new Error('no local offer')
    const response = await call(baseUrl, 'PUT', pathFor('negotiate', params), { type: 'offer', sdp: local.sdp })
    if (response.status !== 200) throw new Error(`negotiate offer: ${response.status} ${response.body.message}`)
    const answer = (response.body.data as { answer: { type: 'answer'; sdp: string } }).answer
    await media.pc.setRemoteDescription(answer)
  }

  media.onCandidate = (candidate) => {
    call(baseUrl, 'POST', pathFor('candidate', params), candidate)
      .then((response) => {
        if (response.status !== 200) participant.errors.push(`candidate: ${response.status} ${response.body.message}`)
      })
      .catch((error: unknown) => participant.errors.push(`candidate: ${String(error)}`))
  }

  const source = new EventSource(`${baseUrl}${pathFor('events', params)}`)
  const on = <N extends SseEventName>(event: N, handle: (data: Exclude<ReturnType<typeof parseSseEvent<N>>, { ok: false }>['data']) => void) => {
    source.addEventListener(event, (message) => {
      participant.events.push(event)
      const parsed = parseSseEvent(event, message.data)
      if (!parsed.ok) {
        participant.errors.push(parsed.error)
        return
      }
      handle(parsed.data)
    })
  }
  on('offer', (offer) => {
    // Errors are recorded by serial(); the rejection is not needed here.
    serial(async () => {
      await media.pc.setRemoteDescription(offer)
      await media.pc.setLocalDescription(await media.pc.createAnswer())
      const local = media.pc.localDescription
      if (!local) throw new Error('no local answer')
      const response = await call(baseUrl, 'PUT', pathFor('negotiate', params), { type: 'answer', sdp: local.sdp })
      if (response.status !== 200) throw new Error(`negotiate answer: ${response.status} ${response.body.message}`)
      participant.offersAnswered += 1
    }).catch(() => undefined)
  })
  on('candidate', (candidate) => {
    media.pc
      .addIceCandidate({
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid ?? undefined,
        sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
        usernameFragment: candidate.usernameFragment ?? undefined,
      })
      .catch((error: unknown) => participant.errors.push(`addIceCandidate: ${String(error)}`))
  })
  on('tracks_added', ({ tracks }) => {
    const sources = Object.keys(tracks).map((trackId) => ({ track_id: trackId, source: 'media' as const }))
    call(baseUrl, 'PUT', pathFor('setTrackSources', params), sources)
      .then((response) => {
        if (response.status !== 200) participant.errors.push(`settracksources: ${response.status} ${response.body.message}`)
      })
      .catch((error: unknown) => participant.errors.push(`settracksources: ${String(error)}`))
  })
  on('tracks_available', ({ tracks }) => {
    const wanted = Object.values(tracks).map((track) => {
      participant.available.set(track.track_id, track)
      return { client_id: track.client_id, stream_id: track.stream_id, track_id: track.track_id }
    })
    call(baseUrl, 'POST', pathFor('subscribeTracks', params), wanted)
      .then((response) => {
        if (response.status !== 200) participant.errors.push(`subscribetracks: ${response.status} ${response.body.message}`)
      })
      .catch((error: unknown) => participant.errors.push(`subscribetracks: ${String(error)}`))
  })
  on(ALLOWED_RENEGOTIATION_EVENT, () => {
    if (negotiationWanted) serial(negotiateNow).catch(() => undefined)
  })
  on('left', () => {
    participant.left = true
    source.close()
  })
  on('ping', () => undefined)
  on('meta_changed', () => undefined)
  return participant
}
