// What the end-to-end encryption worker does, over injected things (workerEntry.ts binds it to the worker
// global): it derives the key from the passphrase the main thread sends, and runs every
// RTCRtpScriptTransform the main thread attaches: a send transform encrypts each frame, a receive
// transform decrypts each frame and drops whatever does not decrypt. Each transform's state goes back to
// the main thread (e2ee.ts) when it changes.
import { decryptFrame, deriveFrameKey, encryptFrame, frameGeneration, type FrameKey, type MediaKind, type SubtleCryptoLike } from './frameCrypto.js'

/** An RTCEncodedVideoFrame or RTCEncodedAudioFrame, as far as the worker reads one. */
export interface EncodedFrameLike {
  data: ArrayBuffer
  /** Video: 'key', 'delta' or 'empty'; audio frames have none. */
  readonly type?: string
  getMetadata?(): { mimeType?: string }
}

/** An RTCRtpScriptTransformer (the `rtctransform` event's `transformer`). */
export interface FrameTransformerLike {
  readonly readable: ReadableStream<EncodedFrameLike>
  readonly writable: WritableStream<EncodedFrameLike>
  readonly options?: unknown
  /** Receivers only; absent in some browsers. */
  sendKeyFrameRequest?(): Promise<void> | void
}

/** What the main thread gives each RTCRtpScriptTransform (e2ee.ts). */
export interface TransformOptions {
  parley: 'e2ee'
  side: 'send' | 'receive'
  kind: MediaKind
  id: number
}

export type SendState = 'encrypting' | 'unsupported-codec'
export type ReceiveState = 'decrypting' | 'undecryptable' | 'unencrypted'

/** Main thread → worker. */
export interface KeyMessage {
  type: 'parley.e2ee.key'
  passphrase: string
  /** Counts key changes; its low byte is written into every frame (frameCrypto.ts). */
  generation: number
}

/** Worker → main thread. */
export type WorkerReport =
  | { type: 'parley.e2ee.keyReady'; generation: number }
  /** Deriving failed (no WebCrypto: an insecure context; an empty passphrase): frames keep waiting, nothing goes out in the clear. */
  | { type: 'parley.e2ee.keyFailed'; generation: number }
  | { type: 'parley.e2ee.status'; id: number; state: SendState | ReceiveState }

/**
 * Non-decrypted frames in a row, with no decrypted frame between, before a receive transform reports
 * `undecryptable` or `unencrypted`: one odd frame (a stray packet, a frame from before the key arrived)
 * does not flap the state. The streak is `undecryptable` if any of its frames had our trailer and did not
 * authenticate, `unencrypted` if none had one; it ends at the next decrypted frame.
 */
export const MISSES_BEFORE_REPORT = 3

/** The codecs whose RTP packetizers never parse the (encrypted) bitstream: any other is dropped. */
const SUPPORTED_MIME_TYPES = new Set(['video/vp8', 'video/vp9', 'audio/opus'])

/** One transform's work on a frame: enqueue it (changed) or not (dropped). */
interface FrameStep {
  transform(frame: EncodedFrameLike, controller: { enqueue(frame: EncodedFrameLike): void }): Promise<void>
}

export interface FrameWorker {
  /** A message from the main thread (anything else than a key message is ignored). */
  message(data: unknown): void
  /** Runs one transform until its streams end (an `rtctransform` event). */
  transform(transformer: FrameTransformerLike): Promise<void>
}

export function isTransformOptions(value: unknown): value is TransformOptions {
  const options = value as Partial<TransformOptions> | null
  return (
    typeof options === 'object' &&
    options !== null &&
    options.parley === 'e2ee' &&
    (options.side === 'send' || options.side === 'receive') &&
    (options.kind === 'audio' || options.kind === 'video') &&
    typeof options.id === 'number'
  )
}

function isKeyMessage(value: unknown): value is KeyMessage {
  const message = value as Partial<KeyMessage> | null
  return typeof message === 'object' && message !== null && message.type === 'parley.e2ee.key' && typeof message.passphrase === 'string' && Number.isInteger(message.generation)
}

export function createFrameWorker(post: (report: WorkerReport) => void, subtle?: SubtleCryptoLike): FrameWorker {
  /** The ready keys by generation byte: the current one and the one before (for frames still in flight). */
  const keys = new Map<number, FrameKey>()
  let current: { generation: number; key: FrameKey } | undefined
  /** The newest generation asked for: an older derivation that finishes later is not installed. */
  let latestAsked: number | undefined
  const derivations = new Map<number, Promise<unknown>>()
  let firstKeyReady: () => void = () => undefined
  const firstKey = new Promise<void>((resolve) => (firstKeyReady = resolve))
  /** The receive transforms' keyframe requests, asked of those `undecryptable` when a new key is set. */
  const receivers = new Set<{ state: () => ReceiveState | undefined; requestKeyFrame: () => void }>()

  function setKey({ passphrase, generation }: KeyMessage): void {
    latestAsked = generation
    const byte = generation & 0xff
    const derivation = deriveFrameKey(passphrase, subtle).then(
      (key) => {
        if (latestAsked !== generation) return
        const previous = current
        current = { generation, key }
        keys.clear()
        if (previous) keys.set(previous.generation & 0xff, previous.key)
        keys.set(byte, key)
        post({ type: 'parley.e2ee.keyReady', generation })
        firstKeyReady()
        for (const receiver of receivers) if (receiver.state() === 'undecryptable') receiver.requestKeyFrame()
      },
      () => post({ type: 'parley.e2ee.keyFailed', generation }),
    )
    derivations.set(byte, derivation)
    void derivation.finally(() => derivations.get(byte) === derivation && derivations.delete(byte))
  }

  /** The key to send with; frames wait for the first one (never out in the clear, never dropped for it). */
  async function sendKey(): Promise<{ generation: number; key: FrameKey }> {
    if (!current) await firstKey
    return current as { generation: number; key: FrameKey }
  }

  async function decrypt(frame: EncodedFrameLike, kind: MediaKind) {
    if (!current) await firstKey
    const generation = frameGeneration(frame.data)
    // A frame of a key still being derived here (the sender's came first) waits for it.
    if (generation !== undefined && !keys.has(generation)) await derivations.get(generation)
    return decryptFrame(keys, frame.data, { kind, keyframe: frame.type === 'key' })
  }

  function sendTransform({ id, kind }: TransformOptions, report: (state: SendState) => void): FrameStep {
    return {
      async transform(frame, controller) {
        const mimeType = frame.getMetadata?.().mimeType
        if (mimeType !== undefined && !SUPPORTED_MIME_TYPES.has(mimeType.toLowerCase())) return report('unsupported-codec')
        const { generation, key } = await sendKey()
        try {
          frame.data = await encryptFrame(key, frame.data, { kind, keyframe: frame.type === 'key' }, generation & 0xff)
        } catch (error) {
          console.warn(`parley e2ee: transform ${id} dropped a frame it could not encrypt`, error)
          return
        }
        controller.enqueue(frame)
        report('encrypting')
      },
    }
  }

  function receiveTransform({ kind }: TransformOptions, transformer: FrameTransformerLike, report: (state: ReceiveState) => void) {
    let state: ReceiveState | undefined
    let misses = 0
    let streakFailed = false
    const requestKeyFrame = () => void Promise.resolve(transformer.sendKeyFrameRequest?.()).catch(() => undefined)
    const change = (next: ReceiveState) => {
      if (next === state) return
      state = next
      report(next)
    }
    const receiver = { state: () => state, requestKeyFrame }
    const stream: FrameStep = {
      async transform(frame, controller) {
        const result = await decrypt(frame, kind)
        if (result.kind === 'decrypted') {
          frame.data = result.data
          controller.enqueue(frame)
          misses = 0
          streakFailed = false
          // Frames decrypt again after an undecryptable stretch: the decoder lost its references.
          if (state === 'undecryptable') requestKeyFrame()
          return change('decrypting')
        }
        // Dropped either way: a participant who does not encrypt is not shown in an encrypted call.
        misses += 1
        streakFailed ||= result.kind === 'failed'
        if (misses >= MISSES_BEFORE_REPORT) change(streakFailed ? 'undecryptable' : 'unencrypted')
      },
    }
    return { stream, receiver }
  }

  return {
    message(data) {
      if (isKeyMessage(data)) setKey(data)
    },

    async transform(transformer) {
      const options = transformer.options
      // Not ours, or malformed: its frames go nowhere (fail closed).
      if (!isTransformOptions(options)) return
      let last: SendState | ReceiveState | undefined
      const report = (state: SendState | ReceiveState) => {
        if (state === last) return
        last = state
        post({ type: 'parley.e2ee.status', id: options.id, state })
      }
      let stream: FrameStep
      let receiver: { state: () => ReceiveState | undefined; requestKeyFrame: () => void } | undefined
      if (options.side === 'send') stream = sendTransform(options, report)
      else ({ stream, receiver } = receiveTransform(options, transformer, report))
      if (receiver) receivers.add(receiver)
      try {
        await transformer.readable.pipeThrough(new TransformStream<EncodedFrameLike, EncodedFrameLike>(stream)).pipeTo(transformer.writable)
      } catch {
        // The transform was replaced or its sender/receiver stopped: the streams error, nothing to do.
      } finally {
        if (receiver) receivers.delete(receiver)
      }
    },
  }
}
