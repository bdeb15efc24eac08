// The worker's logic under Node: real web streams, fake encoded frames and a fake transformer.
import { describe, expect, it, vi } from 'vitest'
import { encryptFrame, deriveFrameKey, type SubtleCryptoLike } from './frameCrypto.js'
import { MISSES_BEFORE_REPORT, createFrameWorker, type EncodedFrameLike, type TransformOptions, type WorkerReport } from './worker.js'

const PASSPHRASE = 'the invite link fragment'
/** A deadline for frames to come through (PBKDF2 is 100,000 rounds); the tests assert no timing. */
const ARRIVAL = { timeout: 15_000 }

let nextId = 1

interface FakeFrame extends EncodedFrameLike {
  readonly label: number
}

let nextLabel = 0
/** A frame whose bytes are unique to it (the first byte is not, so a clear prefix tells nothing). */
function videoFrame(type: 'key' | 'delta' = 'delta', mimeType: string | undefined = 'video/VP8'): FakeFrame {
  const label = ++nextLabel
  const data = Uint8Array.from({ length: 40 }, (_, index) => (label * 31 + index) & 0xff).buffer
  return { label, data, type, ...(mimeType === undefined ? {} : { getMetadata: () => ({ mimeType }) }) }
}

function audioFrame(): FakeFrame {
  const label = ++nextLabel
  return { label, data: Uint8Array.from({ length: 20 }, (_, index) => (label + index * 3) & 0xff).buffer, getMetadata: () => ({ mimeType: 'audio/opus' }) }
}

/** A transformer whose input the test writes and whose output it reads. */
function fakeTransformer(side: 'send' | 'receive', kind: 'audio' | 'video' = 'video') {
  const options: TransformOptions = { parley: 'e2ee', side, kind, id: nextId++ }
  const input = new TransformStream<EncodedFrameLike, EncodedFrameLike>()
  const writer = input.writable.getWriter()
  const output: FakeFrame[] = []
  const fake = {
    options,
    output,
    keyFrameRequests: 0,
    transformer: {
      readable: input.readable,
      writable: new WritableStream<EncodedFrameLike>({ write: (frame) => void output.push(frame as FakeFrame) }),
      options,
      sendKeyFrameRequest: () => void (fake.keyFrameRequests += 1),
    },
    push(...frames: EncodedFrameLike[]) {
      for (const frame of frames) void writer.write(frame)
    },
  }
  return fake
}

function workerWithReports(subtle?: SubtleCryptoLike) {
  const reports: WorkerReport[] = []
  const worker = createFrameWorker((report) => reports.push(report), subtle)
  return { worker, reports, statusOf: (id: number) => reports.flatMap((report) => (report.type === 'parley.e2ee.status' && report.id === id ? [report.state] : [])) }
}

/** WebCrypto whose key derivation waits until `open()`. */
function gatedSubtle() {
  const real = globalThis.crypto.subtle
  let open: () => void = () => undefined
  const gate = new Promise<void>((resolve) => (open = resolve))
  const subtle = {
    importKey: real.importKey.bind(real),
    deriveKey: async (...args: Parameters<typeof real.deriveKey>) => {
      await gate
      return real.deriveKey(...args)
    },
  } as unknown as SubtleCryptoLike
  return { subtle, open }
}

/** Lets every already-runnable task run (the streams' and WebCrypto's own steps). */
async function settle() {
  for (let round = 0; round < 20; round++) await new Promise((resolve) => setImmediate(resolve))
}

const bytes = (buffer: ArrayBuffer) => [...new Uint8Array(buffer)]

describe('the e2ee worker', () => {
  it('a send transform encrypts every frame; a receive transform with the same passphrase gets the originals back; each reports its state once', async () => {
    const sender = workerWithReports()
    const receiver = workerWithReports()
    sender.worker.message({ type: 'parley.e2ee.key', passphrase: PASSPHRASE, generation: 0 })
    receiver.worker.message({ type: 'parley.e2ee.key', passphrase: PASSPHRASE, generation: 0 })
    const send = fakeTransformer('send')
    const receive = fakeTransformer('receive')
    void sender.worker.transform(send.transformer)
    void receiver.worker.transform(receive.transformer)

    const frames = [videoFrame('key'), videoFrame(), videoFrame()]
    const originals = frames.map((frame) => bytes(frame.data))
    send.push(...frames)
    await vi.waitFor(() => expect(send.output).toHaveLength(3), ARRIVAL)
    for (const [index, frame] of send.output.entries()) {
      expect(bytes(frame.data)).not.toEqual(originals[index])
      expect(bytes(frame.data).slice(-2)).toEqual([0x50, 0xe2])
    }
    receive.push(...send.output)
    await vi.waitFor(() => expect(receive.output).toHaveLength(3), ARRIVAL)
    expect(receive.output.map((frame) => bytes(frame.data))).toEqual(originals)
    expect(sender.statusOf(send.options.id)).toEqual(['encrypting'])
    expect(receiver.statusOf(receive.options.id)).toEqual(['decrypting'])
    expect(sender.reports).toContainEqual({ type: 'parley.e2ee.keyReady', generation: 0 })
  })

  it('audio frames (no type) round-trip too', async () => {
    const { worker } = workerWithReports()
    worker.message({ type: 'parley.e2ee.key', passphrase: PASSPHRASE, generation: 0 })
    const send = fakeTransformer('send', 'audio')
    const receive = fakeTransformer('receive', 'audio')
    void worker.transform(send.transformer)
    void worker.transform(receive.transformer)
    const frame = audioFrame()
    const original = bytes(frame.data)
    send.push(frame)
    await vi.waitFor(() => expect(send.output).toHaveLength(1), ARRIVAL)
    expect(bytes(send.output[0]!.data)[0]).toBe(original[0])
    receive.push(...send.output)
    await vi.waitFor(() => expect(receive.output).toHaveLength(1), ARRIVAL)
    expect(bytes(receive.output[0]!.data)).toEqual(original)
  })

  it('frames that arrive before the key wait for it: none goes out in the clear, none is dropped, the order is kept', async () => {
    const gated = gatedSubtle()
    const { worker, reports } = workerWithReports(gated.subtle)
    const send = fakeTransformer('send')
    void worker.transform(send.transformer)
    const frames = [videoFrame('key'), videoFrame(), videoFrame()]
    const originals = frames.map((frame) => bytes(frame.data))
    send.push(...frames)
    await settle()
    worker.message({ type: 'parley.e2ee.key', passphrase: PASSPHRASE, generation: 0 })
    await settle()
    expect(send.output).toEqual([])
    expect(reports).toEqual([])

    gated.open()
    await vi.waitFor(() => expect(send.output).toHaveLength(3), ARRIVAL)
    expect(send.output.map((frame) => frame.label)).toEqual(frames.map((frame) => frame.label))
    // Each came out encrypted: it decrypts with the key to the frame sent.
    const receiver = workerWithReports()
    receiver.worker.message({ type: 'parley.e2ee.key', passphrase: PASSPHRASE, generation: 0 })
    const receive = fakeTransformer('receive')
    void receiver.worker.transform(receive.transformer)
    receive.push(...send.output)
    await vi.waitFor(() => expect(receive.output).toHaveLength(3), ARRIVAL)
    expect(receive.output.map((frame) => bytes(frame.data))).toEqual(originals)
  })

  it('a receive transform also waits for the key before deciding anything', async () => {
    const gated = gatedSubtle()
    const { worker, reports } = workerWithReports(gated.subtle)
    const receive = fakeTransformer('receive')
    void worker.transform(receive.transformer)
    const frame = videoFrame('key')
    const original = bytes(frame.data)
    frame.data = await encryptFrame(await deriveFrameKey(PASSPHRASE), frame.data, { kind: 'video', keyframe: true }, 0)
    receive.push(frame)
    worker.message({ type: 'parley.e2ee.key', passphrase: PASSPHRASE, generation: 0 })
    await settle()
    expect(receive.output).toEqual([])
    expect(reports).toEqual([])
    gated.open()
    await vi.waitFor(() => expect(receive.output).toHaveLength(1), ARRIVAL)
    expect(bytes(receive.output[0]!.data)).toEqual(original)
  })

  it(`unencrypted frames are dropped; 'unencrypted' is reported once after ${MISSES_BEFORE_REPORT} in a row, 'decrypting' once when frames decrypt again`, async () => {
    const { worker, statusOf } = workerWithReports()
    worker.message({ type: 'parley.e2ee.key', passphrase: PASSPHRASE, generation: 0 })
    const key = await deriveFrameKey(PASSPHRASE)
    const receive = fakeTransformer('receive')
    void worker.transform(receive.transformer)
    const encrypted = async () => {
      const frame = videoFrame()
      frame.data = await encryptFrame(key, frame.data, { kind: 'video', keyframe: false }, 0)
      return frame
    }
    // One odd frame between decrypted ones does not change the state.
    const first = [await encrypted(), videoFrame(), await encrypted()]
    receive.push(...first)
    await vi.waitFor(() => expect(receive.output).toHaveLength(2), ARRIVAL)
    expect(receive.output.map((frame) => frame.label)).toEqual([first[0]!.label, first[2]!.label])
    expect(statusOf(receive.options.id)).toEqual(['decrypting'])

    const plain = [videoFrame(), videoFrame(), videoFrame(), videoFrame(), videoFrame()]
    const last = await encrypted()
    receive.push(...plain, last)
    await vi.waitFor(() => expect(receive.output).toHaveLength(3), ARRIVAL)
    expect(receive.output.at(-1)!.label).toBe(last.label)
    expect(statusOf(receive.options.id)).toEqual(['decrypting', 'unencrypted', 'decrypting'])
    expect(receive.keyFrameRequests).toBe(0)
  })

  it("frames that fail to decrypt are dropped and reported 'undecryptable' once; decrypting again asks for a keyframe", async () => {
    const { worker, statusOf } = workerWithReports()
    worker.message({ type: 'parley.e2ee.key', passphrase: PASSPHRASE, generation: 0 })
    const right = await deriveFrameKey(PASSPHRASE)
    const wrong = await deriveFrameKey('another link')
    const receive = fakeTransformer('receive')
    void worker.transform(receive.transformer)
    const sealed = async (key: typeof right) => {
      const frame = videoFrame()
      frame.data = await encryptFrame(key, frame.data, { kind: 'video', keyframe: false }, 0)
      return frame
    }
    const bad = [await sealed(wrong), await sealed(wrong), await sealed(wrong), await sealed(wrong)]
    const good = await sealed(right)
    receive.push(...bad, good)
    await vi.waitFor(() => expect(receive.output).toHaveLength(1), ARRIVAL)
    expect(receive.output[0]!.label).toBe(good.label)
    expect(statusOf(receive.options.id)).toEqual(['undecryptable', 'decrypting'])
    expect(receive.keyFrameRequests).toBe(1)
  })

  it('the codec guard drops frames of another codec (H264) and reports unsupported-codec once; VP8, VP9 and opus in any case pass', async () => {
    const { worker, statusOf } = workerWithReports()
    worker.message({ type: 'parley.e2ee.key', passphrase: PASSPHRASE, generation: 0 })
    const send = fakeTransformer('send')
    void worker.transform(send.transformer)
    const h264 = [videoFrame('key', 'video/H264'), videoFrame('delta', 'video/H264'), videoFrame('delta', 'video/h264')]
    const vp8 = videoFrame('key', 'video/vp8')
    send.push(...h264, vp8)
    await vi.waitFor(() => expect(send.output).toHaveLength(1), ARRIVAL)
    expect(send.output[0]!.label).toBe(vp8.label)
    expect(statusOf(send.options.id)).toEqual(['unsupported-codec', 'encrypting'])

    const others = [videoFrame('key', 'video/VP9'), videoFrame('delta', undefined)]
    send.push(...others)
    await vi.waitFor(() => expect(send.output).toHaveLength(3), ARRIVAL)
    const audio = fakeTransformer('send', 'audio')
    void worker.transform(audio.transformer)
    audio.push(audioFrame())
    await vi.waitFor(() => expect(audio.output).toHaveLength(1), ARRIVAL)
  })

  it('after a key change the previous key still decrypts frames in flight, and a transform that was undecryptable asks for a keyframe when the new key is set', async () => {
    const { worker, reports, statusOf } = workerWithReports()
    worker.message({ type: 'parley.e2ee.key', passphrase: PASSPHRASE, generation: 0 })
    const oldKey = await deriveFrameKey(PASSPHRASE)
    const newKey = await deriveFrameKey('the next link')
    const receive = fakeTransformer('receive')
    void worker.transform(receive.transformer)
    const sealed = async (key: typeof oldKey, generation: number) => {
      const frame = videoFrame()
      frame.data = await encryptFrame(key, frame.data, { kind: 'video', keyframe: false }, generation)
      return frame
    }
    // The other side changed first: its frames of generation 1 do not decrypt here yet.
    receive.push(await sealed(newKey, 1), await sealed(newKey, 1), await sealed(newKey, 1))
    await vi.waitFor(() => expect(statusOf(receive.options.id)).toEqual(['undecryptable']), ARRIVAL)
    expect(receive.keyFrameRequests).toBe(0)

    worker.message({ type: 'parley.e2ee.key', passphrase: 'the next link', generation: 1 })
    await vi.waitFor(() => expect(reports).toContainEqual({ type: 'parley.e2ee.keyReady', generation: 1 }), ARRIVAL)
    expect(receive.keyFrameRequests).toBe(1)

    const inFlight = await sealed(oldKey, 0)
    const fresh = await sealed(newKey, 1)
    receive.push(inFlight, fresh)
    await vi.waitFor(() => expect(receive.output.map((frame) => frame.label)).toEqual([inFlight.label, fresh.label]), ARRIVAL)

    // The send side now uses generation 1.
    const send = fakeTransformer('send')
    void worker.transform(send.transformer)
    send.push(videoFrame())
    await vi.waitFor(() => expect(send.output).toHaveLength(1), ARRIVAL)
    expect(bytes(send.output[0]!.data).at(-3)).toBe(1)
  })

  it('a transform without our options passes nothing; messages that are not key messages are ignored', async () => {
    const { worker, reports } = workerWithReports()
    worker.message({ type: 'parley.e2ee.key', passphrase: 42, generation: 0 })
    worker.message('hello')
    worker.message({ type: 'parley.e2ee.key', passphrase: PASSPHRASE, generation: 0 })
    const stranger = fakeTransformer('send')
    const transformer = { ...stranger.transformer, options: { side: 'send', kind: 'video', id: 99 } }
    await worker.transform(transformer)
    stranger.push(videoFrame())
    await vi.waitFor(() => expect(reports).toEqual([{ type: 'parley.e2ee.keyReady', generation: 0 }]), ARRIVAL)
    await settle()
    expect(stranger.output).toEqual([])
  })
})
