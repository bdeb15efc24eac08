// The main thread's owner of end-to-end encryption: one worker (worker.ts, started at creation so the key
// is derived before any peer connection exists), a wrapper of the peer connection factory that puts an
// RTCRtpScriptTransform on every sender and receiver, the room's chat channel encrypted in place
// (chatChannel.ts, with a key of its own derived here), and the status the worker's reports add up to.
// Nothing of the core's main entry imports this (its bundle has a size budget): `@parley/core/e2ee`.
import { CHAT_CHANNEL_LABEL } from '@parley/protocol'
import type { DataChannelLike, MediaStreamLike, MediaStreamTrackLike, PeerConnectionFactory, PeerConnectionLike, RtpTransceiverLike, TrackEventLike } from '../ports.js'
import { decryptChat, deriveChatKey, encryptChat, isEncryptedChatFrame, type ChatDecryptResult } from './chatCrypto.js'
import { encryptChatChannel, type ChatCipher, type ChatDrop } from './chatChannel.js'
import { safetyCode as deriveSafetyCode, type MediaKind, type SubtleCryptoLike } from './frameCrypto.js'
import type { KeyMessage, ReceiveState, SendState, TransformOptions, WorkerReport } from './worker.js'

export type E2eeStreamState = ReceiveState

export interface E2eeStatus {
  /**
   * 'ready' once the worker said its key is derived; 'failed' when it could not derive one (no WebCrypto:
   * a page not in a secure context): then nothing is sent and nothing received, frames wait for a key.
   */
  key: 'deriving' | 'ready' | 'failed'
  /** The worst of our senders: a codec we cannot encrypt safely (its frames dropped), or encrypting; idle before the first frame. */
  sending: 'encrypting' | 'unsupported-codec' | 'idle'
  /** By remote stream id (the track event's streams[0].id, what the core's participants list as streamIds): the worst state of that stream's audio and video. */
  streams: Record<string, E2eeStreamState>
  /** The encrypted chat's losses, counted since creation: what a UI can warn about ("a message could not be decrypted"). */
  chat: E2eeChatStatus
}

export interface E2eeChatStatus {
  /** Received messages dropped because they did not decrypt: another passphrase, or altered on the way. */
  undecryptable: number
  /** Received messages dropped because they were not encrypted (sent by someone outside the encryption). */
  unencrypted: number
  /**
   * Our messages the core handed over that never left: they could not be encrypted (no key: no WebCrypto),
   * or the channel closed while they were encrypted. The core counted them sent (it shows them as ours).
   */
  unsent: number
}

export interface WorkerLike {
  postMessage(message: unknown): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  terminate(): void
}

/** The browser's: `(worker, options) => new RTCRtpScriptTransform(worker, options)`. */
export type ScriptTransformFactory = (worker: WorkerLike, options: object) => unknown

export interface E2eeOptions {
  /** The invite link's secret (its URL fragment, which never reaches the hub). */
  passphrase: string
  /** Starts the worker of `@parley/core/e2ee/worker`. */
  worker: () => WorkerLike
  scriptTransform: ScriptTransformFactory
  /** The WebCrypto this thread derives the chat's key and the safety code with: `globalThis.crypto.subtle` when not given. */
  subtle?: SubtleCryptoLike
}

export interface E2ee {
  /** Wraps a peer connection factory: every transceiver's sender and receiver gets the transform. */
  peerConnection(factory: PeerConnectionFactory): PeerConnectionFactory
  status(): E2eeStatus
  /** Called at each change of the status (not at once: read `status()` first). Returns the unsubscribe. */
  subscribe(listener: (status: E2eeStatus) => void): () => void
  /**
   * Five groups of four digits people compare aloud: the same only for the same passphrase. Derived at the
   * first call (PBKDF2, 100,000 iterations: not work for a call's start when nobody looks at it), then that
   * same promise; a derivation that failed is not kept, and the next call derives again.
   */
  safetyCode(): Promise<string>
  /** Terminates the worker (after the conference is disposed). */
  close(): void
}

/** Whether this browser can run it (RTCRtpScriptTransform); without, a call cannot be end-to-end encrypted. */
export function e2eeSupported(scope: object = globalThis): boolean {
  return typeof (scope as { RTCRtpScriptTransform?: unknown }).RTCRtpScriptTransform === 'function'
}

/** Worse states win when a stream's audio and video differ. */
const STREAM_SEVERITY: Record<E2eeStreamState, number> = { decrypting: 0, unencrypted: 1, undecryptable: 2 }
const SEND_STATES: readonly string[] = ['encrypting', 'unsupported-codec'] satisfies SendState[]
const RECEIVE_STATES: readonly string[] = Object.keys(STREAM_SEVERITY)

export function createE2ee({ passphrase, worker: startWorker, scriptTransform, subtle }: E2eeOptions): E2ee {
  if (passphrase.length === 0) throw new TypeError('end-to-end encryption needs a passphrase')
  const worker = startWorker()
  const generation = 0
  let key: E2eeStatus['key'] = 'deriving'
  let closed = false
  let nextTransformId = 1
  /** The senders and receivers that have our transform (each gets exactly one). */
  const transformed = new WeakSet<object>()
  const receiveTransformOf = new WeakMap<object, number>()
  const sendStates = new Map<number, SendState>()
  const receiveStates = new Map<number, ReceiveState>()
  /** A receive transform's stream: the latest track event's on its receiver (a receive slot may carry another one later). */
  const streamOfTransform = new Map<number, string>()
  /** Stops watching a receive transform's track for the end of its stream (`followStream`). */
  const unfollowOf = new Map<number, () => void>()
  const listeners = new Set<(status: E2eeStatus) => void>()
  const chatDrops: E2eeChatStatus = { undecryptable: 0, unencrypted: 0, unsent: 0 }
  let current = computeStatus()

  function computeStatus(): E2eeStatus {
    const sending = [...sendStates.values()]
    const streams: Record<string, E2eeStreamState> = {}
    for (const [id, streamId] of streamOfTransform) {
      const state = receiveStates.get(id)
      const known = streams[streamId]
      if (state && (!known || STREAM_SEVERITY[state] > STREAM_SEVERITY[known])) streams[streamId] = state
    }
    return {
      key,
      sending: sending.includes('unsupported-codec') ? 'unsupported-codec' : sending.length > 0 ? 'encrypting' : 'idle',
      streams,
      chat: { ...chatDrops },
    }
  }

  function changed(): void {
    const next = computeStatus()
    if (JSON.stringify(next) === JSON.stringify(current)) return
    current = next
    for (const listener of [...listeners]) listener(next)
  }

  function onMessage({ data }: { data: unknown }): void {
    const report = data as Partial<WorkerReport> | null
    if (typeof report !== 'object' || report === null) return
    if (report.type === 'parley.e2ee.keyReady' && report.generation === generation) key = 'ready'
    else if (report.type === 'parley.e2ee.keyFailed' && report.generation === generation) key = 'failed'
    else if (report.type === 'parley.e2ee.status' && typeof report.id === 'number' && typeof report.state === 'string') {
      if (SEND_STATES.includes(report.state)) sendStates.set(report.id, report.state as SendState)
      else if (RECEIVE_STATES.includes(report.state)) receiveStates.set(report.id, report.state as ReceiveState)
    } else return
    changed()
  }

  /** Puts our transform on a sender or receiver that has none yet. A factory that throws fails the call: nothing goes out unencrypted. */
  function attach(target: object, side: TransformOptions['side'], kind: MediaKind): void {
    if (transformed.has(target)) return
    const id = nextTransformId++
    const options: TransformOptions = { parley: 'e2ee', side, kind, id }
    ;(target as { transform?: unknown }).transform = scriptTransform(worker, options)
    transformed.add(target)
    if (side === 'receive') receiveTransformOf.set(target, id)
  }

  function attachBoth(transceiver: RtpTransceiverLike, kind: MediaKind): void {
    attach(transceiver.sender, 'send', kind)
    attach(transceiver.receiver, 'receive', kind)
  }

  function patch(pc: PeerConnectionLike): void {
    const addTransceiver = pc.addTransceiver.bind(pc)
    pc.addTransceiver = (trackOrKind: MediaStreamTrackLike | MediaKind, init?: Parameters<PeerConnectionLike['addTransceiver']>[1]) => {
      const transceiver = addTransceiver(trackOrKind, init)
      attachBoth(transceiver, kindOf(typeof trackOrKind === 'string' ? trackOrKind : trackOrKind.kind))
      return transceiver
    }
    // Added at creation, so it runs before the core's own track listener: a transceiver a remote offer
    // made gets its transforms before its first frame, and its stream is known for the status.
    pc.addEventListener('track', (event: TrackEventLike) => {
      const { receiver } = event.transceiver
      attachBoth(event.transceiver, kindOf(event.track.kind))
      const id = receiveTransformOf.get(receiver)
      const stream = event.streams[0]
      if (id === undefined) return
      unfollowOf.get(id)?.()
      if (stream === undefined) streamOfTransform.delete(id)
      else followStream(id, event.track, stream)
      changed()
    })
    // Also at creation, before the core's own listener: the channel it receives is already encrypted.
    pc.addEventListener('datachannel', ({ channel }: { channel: DataChannelLike }) => {
      if (channel.label === CHAT_CHANNEL_LABEL) encryptChatChannel(channel, chatCipher, chatDropped)
    })
  }

  /**
   * Counts a receive transform for `stream` until the stream leaves: the track ends (the hub stops the
   * forwarding, its next offer rejects the m-line, the browser ends the receiver's track) or it is taken out
   * of the stream (a remote description that no longer sends it). Then the stream's state goes from `status().streams`.
   */
  function followStream(id: number, track: MediaStreamTrackLike, stream: MediaStreamLike): void {
    streamOfTransform.set(id, stream.id)
    const left = () => {
      const ended = track.readyState === 'ended'
      // Another track of the stream went (its video, say): this one still counts.
      if (!ended && stream.getTracks().includes(track)) return
      unfollow()
      streamOfTransform.delete(id)
      // A stopped receiver's transform never carries anything again.
      if (ended) receiveStates.delete(id)
      changed()
    }
    const unfollow = () => {
      track.removeEventListener('ended', left)
      stream.removeEventListener('removetrack', left)
      unfollowOf.delete(id)
    }
    track.addEventListener('ended', left)
    stream.addEventListener('removetrack', left)
    unfollowOf.set(id, unfollow)
  }

  function chatDropped(drop: ChatDrop): void {
    chatDrops[drop]++
    changed()
  }

  worker.addEventListener('message', onMessage)
  worker.postMessage({ type: 'parley.e2ee.key', passphrase, generation } satisfies KeyMessage)
  let safetyCode: Promise<string> | undefined
  // The chat's key, on this thread (the channel lives here): messages wait for it, none goes out in the clear.
  const chatKey = deriveChatKey(passphrase, subtle)
  chatKey.catch(() => undefined)
  const chatCipher: ChatCipher = {
    encrypt: async (text) => encryptChat(await chatKey, text),
    // Without a key (no WebCrypto) our frames are undecryptable; someone's plain text is still unencrypted.
    decrypt: (frame) => chatKey.then((key) => decryptChat(key, frame), (): ChatDecryptResult => ({ kind: isEncryptedChatFrame(frame) ? 'failed' : 'unencrypted' })),
  }

  return {
    peerConnection(factory) {
      return (config) => {
        if (closed) throw new Error('end-to-end encryption was closed: no unencrypted peer connection is made')
        const pc = factory(config)
        patch(pc)
        return pc
      }
    },
    status: () => current,
    subscribe(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    safetyCode() {
      if (safetyCode) return safetyCode
      const derivation = deriveSafetyCode(passphrase, subtle)
      safetyCode = derivation
      // A failed derivation is forgotten, so the next ask derives again; a code, once derived, stays.
      derivation.catch(() => {
        if (safetyCode === derivation) safetyCode = undefined
      })
      return derivation
    },
    close() {
      if (closed) return
      closed = true
      listeners.clear()
      for (const unfollow of [...unfollowOf.values()]) unfollow()
      worker.removeEventListener('message', onMessage)
      worker.terminate()
    },
  }
}

function kindOf(kind: string): MediaKind {
  return kind === 'audio' ? 'audio' : 'video'
}
