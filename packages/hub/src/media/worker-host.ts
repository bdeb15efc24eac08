// One media worker: the werift plane (fast send included) in a worker thread, driven by messages from
// worker-plane.ts (worker-protocol.ts). It holds whole rooms, so forwarding never leaves the thread;
// what crosses is signalling, handler calls, the peers' states and, batched, when each last received
// a packet. The plane's clock is the system clock: `Date.now()` here and on the main thread share one
// time base, which the hub's liveness rules compare `lastReceivedAt` against.
import { parentPort, workerData } from 'node:worker_threads'
import { setPriority } from 'node:os'
import { messageOf } from '@parley/protocol'
import type { LogFields, Logger } from '../log.js'
import type { MediaPeer, PublishedTrack, VoiceActivity } from './types.js'
import { createWeriftMediaPlane } from './werift.js'
import { raiseThreadPriority } from './thread-priority.js'
import type { FromWorker, MediaWorkerData, PeerCallName, PeerEvent, PeerStates, ToWorker } from './worker-protocol.js'

const port = parentPort
if (!port) throw new Error('worker-host.ts runs in a worker thread (worker-plane.ts starts it)')
const data = workerData as MediaWorkerData

function post(message: FromWorker): void {
  port!.postMessage(message)
}

/** Log fields as structured-clone data: an Error keeps its message and stack, anything else uncloneable becomes text. */
function cloneable(fields: LogFields | undefined): LogFields | undefined {
  if (!fields) return undefined
  const out: LogFields = {}
  for (const [key, value] of Object.entries(fields)) {
    if (value instanceof Error) out[key] = { message: value.message, stack: value.stack }
    else if (typeof value === 'function' || typeof value === 'symbol') out[key] = String(value)
    else out[key] = value
  }
  return out
}

const log: Logger = (level, msg, fields) => {
  try {
    post({ type: 'log', level, msg, fields: cloneable(fields) })
  } catch (error) {
    post({ type: 'log', level, msg, fields: { fieldsNotCloneable: messageOf(error) } })
  }
}

// Before any media: its arrival stamps wait for a core otherwise (thread-priority.ts).
raiseThreadPriority(data.nice, { platform: process.platform, setPriority, warn: (msg, fields) => log('warn', msg, fields) })

const plane = createWeriftMediaPlane({ ice: data.ice, log, fastSend: data.fastSend })
const peers = new Map<number, MediaPeer>()
/** The `lastReceivedAt` last posted per peer. */
const posted = new Map<number, number>()

const statesOf = (peer: MediaPeer): PeerStates => ({ connectionState: peer.connectionState, signalingState: peer.signalingState })

function createPeer(message: Extract<ToWorker, { type: 'peer.create' }>): void {
  const { peerId } = message
  const emit = (event: PeerEvent) => {
    const peer = peers.get(peerId)
    if (peer) post({ type: 'peer.event', peerId, states: statesOf(peer), ...event })
  }
  const peer = plane.createPeer({
    roomId: message.roomId,
    clientId: message.clientId,
    bitrates: message.bitrates,
    handlers: {
      onIceCandidate: (candidate) => emit({ event: 'iceCandidate', candidate }),
      onTrackPublished: (track) => emit({ event: 'trackPublished', track }),
      onTrackUnpublished: (track) => emit({ event: 'trackUnpublished', track }),
      onConnectionStateChange: (state) => emit({ event: 'connectionState', state }),
      onNegotiationNeeded: (change) => emit({ event: 'negotiationNeeded', change }),
      onDataChannelMessage: (label, payload) => emit({ event: 'dataChannelMessage', label, data: payload }),
      onVideoPaused: (track, paused) => emit({ event: 'videoPaused', track, paused }),
      ...(message.voiceActivity ? { onVoiceActivity: (track: PublishedTrack, activity: VoiceActivity) => emit({ event: 'voiceActivity', track, activity }) } : {}),
    },
  })
  peers.set(peerId, peer)
}

async function callPeer(callId: number, peerId: number, method: PeerCallName, arg: unknown): Promise<void> {
  const peer = peers.get(peerId)
  if (!peer) {
    post({ type: 'call.result', callId, ok: false, error: 'the peer is closed' })
    return
  }
  try {
    let value: unknown
    switch (method) {
      case 'handleOffer':
        value = await peer.handleOffer(arg as Parameters<MediaPeer['handleOffer']>[0])
        break
      case 'createOffer':
        value = await peer.createOffer()
        break
      case 'handleAnswer':
        value = await peer.handleAnswer(arg as Parameters<MediaPeer['handleAnswer']>[0])
        break
      case 'addIceCandidate':
        value = await peer.addIceCandidate(arg as Parameters<MediaPeer['addIceCandidate']>[0])
        break
      case 'close':
        await peer.close()
        peers.delete(peerId)
        posted.delete(peerId)
        break
    }
    post({ type: 'call.result', callId, peerId, states: statesOf(peer), ok: true, value })
  } catch (error) {
    post({ type: 'call.result', callId, peerId, states: statesOf(peer), ok: false, error: messageOf(error) })
  }
}

function command(message: Extract<ToWorker, { type: 'peer.command' }>): void {
  const peer = peers.get(message.peerId)
  if (!peer) return
  try {
    if (message.method === 'subscribe') peer.subscribe(message.track)
    else if (message.method === 'unsubscribe') peer.unsubscribe(message.track)
    else if (message.method === 'openDataChannel') peer.openDataChannel(message.label, message.ordered, message.withNextOffer)
    else if (message.method === 'viewerSize') peer.viewerSize(message.trackId, message.width, message.height)
    else if (message.method === 'publisherLayers') peer.publisherLayers(message.trackId, message.active)
    else peer.sendDataChannelMessage(message.label, message.data)
  } catch (error) {
    log('error', `${message.method} failed`, { clientId: peer.clientId, error })
  }
}

const tick = setInterval(() => {
  const stamps: [number, number][] = []
  for (const [peerId, peer] of peers) {
    const at = peer.lastReceivedAt
    if (at !== undefined && posted.get(peerId) !== at) {
      posted.set(peerId, at)
      stamps.push([peerId, at])
    }
  }
  post({ type: 'tick', stamps, packetsForwarded: plane.packetsForwarded?.() ?? 0 })
}, data.receivedIntervalMs)

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'peer.create':
      try {
        createPeer(message)
      } catch (error) {
        // The main side learns it from the peer's first call, and the peer reads as closed.
        log('error', 'creating a peer failed', { roomId: message.roomId, clientId: message.clientId, error })
        post({ type: 'peer.event', peerId: message.peerId, states: { connectionState: 'closed', signalingState: 'closed' }, event: 'connectionState', state: 'closed' })
      }
      return
    case 'peer.call':
      void callPeer(message.callId, message.peerId, message.method, message.arg)
      return
    case 'peer.command':
      command(message)
      return
    case 'plane.close':
      clearInterval(tick)
      plane.close().then(
        () => post({ type: 'call.result', callId: message.callId, ok: true, value: undefined }),
        (error: unknown) => post({ type: 'call.result', callId: message.callId, ok: false, error: messageOf(error) }),
      )
      return
    case 'fault.crash':
      setImmediate(() => {
        throw new Error('media worker crash (fault injection)')
      })
      return
  }
})

post({ type: 'ready' })
