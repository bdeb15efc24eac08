// The main-thread owner over the core's fake peer connection, a fake worker and a fake script transform.
import { CHAT_CHANNEL_LABEL } from '@parley/protocol'
import { describe, expect, it, vi } from 'vitest'
import { DataChannels, type DataChannelEvent } from '../dataChannels.js'
import { PeerSession } from '../peerSession.js'
import type { DataChannelLike, MediaStreamLike, MediaStreamTrackLike } from '../ports.js'
import { FakeDataChannel } from '../test-support/fakeDataChannel.js'
import { FakeMediaStream, FakeMediaStreamTrack } from '../test-support/fakeMedia.js'
import { FakePeerConnections, type FakePeerConnection } from '../test-support/fakePeerConnection.js'
import { CHAT_FRAME_PREFIX, deriveChatKey, encryptChat } from './chatCrypto.js'
import { createE2ee, e2eeSupported, type E2eeStatus, type WorkerLike } from './e2ee.js'
import { safetyCode, type SubtleCryptoLike } from './frameCrypto.js'
import type { TransformOptions } from './worker.js'

class FakeWorker implements WorkerLike {
  readonly posted: unknown[] = []
  terminated = false
  private readonly listeners = new Set<(event: { data: unknown }) => void>()
  postMessage(message: unknown): void {
    this.posted.push(message)
  }
  addEventListener(_type: 'message', listener: (event: { data: unknown }) => void): void {
    this.listeners.add(listener)
  }
  removeEventListener(_type: 'message', listener: (event: { data: unknown }) => void): void {
    this.listeners.delete(listener)
  }
  terminate(): void {
    this.terminated = true
  }
  /** A message from the worker. */
  reply(data: unknown): void {
    for (const listener of [...this.listeners]) listener({ data })
  }
}

interface FakeScriptTransform {
  readonly worker: WorkerLike
  readonly options: TransformOptions
}

function setup(passphrase = 'fragment secret') {
  const workers: FakeWorker[] = []
  const transforms: FakeScriptTransform[] = []
  const e2ee = createE2ee({
    passphrase,
    worker: () => {
      const worker = new FakeWorker()
      workers.push(worker)
      return worker
    },
    scriptTransform: (worker, options) => {
      const transform = { worker, options: options as TransformOptions }
      transforms.push(transform)
      return transform
    },
  })
  const pcs = new FakePeerConnections()
  const statuses: E2eeStatus[] = []
  e2ee.subscribe((status) => statuses.push(status))
  return { e2ee, workers, worker: workers[0] as FakeWorker, transforms, pcs, factory: e2ee.peerConnection(pcs.factory), statuses }
}

/** The platform's WebCrypto, counting the passphrase's imports (one per derivation) and the safety code's bit derivations. */
/** The real WebCrypto, counted; its first `failingBitDerivations` deriveBits reject (the safety code's step). */
function countingSubtle({ failingBitDerivations = 0 } = {}) {
  const real = globalThis.crypto.subtle
  const counts = { imports: 0, bitDerivations: 0 }
  const subtle = {
    importKey: (...args: Parameters<typeof real.importKey>) => (counts.imports++, real.importKey(...args)),
    deriveKey: (...args: Parameters<typeof real.deriveKey>) => real.deriveKey(...args),
    deriveBits: (...args: Parameters<typeof real.deriveBits>) =>
      ++counts.bitDerivations <= failingBitDerivations ? Promise.reject(new Error('deriveBits failed')) : real.deriveBits(...args),
  } as unknown as SubtleCryptoLike
  return {
    subtle,
    get imports() {
      return counts.imports
    },
    get bitDerivations() {
      return counts.bitDerivations
    },
  }
}

const transformOf = (target: object) => (target as { transform?: FakeScriptTransform }).transform

/** A peer session as the core builds one: our camera and microphone, and the receive slots. */
function session(pc: FakePeerConnection, delivered: [MediaStreamTrackLike, MediaStreamLike][] = []) {
  const tracks = [new FakeMediaStreamTrack('audio'), new FakeMediaStreamTrack('video')]
  return new PeerSession(pc, { stream: new FakeMediaStream(tracks), tracks }, { event: () => undefined, track: (track, stream) => delivered.push([track, stream]) }, { receiveSlots: 2 })
}

describe('createE2ee', () => {
  it('starts one worker at once and sends it the passphrase; key goes deriving → ready when the worker says so', () => {
    const { e2ee, workers, worker, statuses } = setup('my secret')
    expect(workers).toHaveLength(1)
    expect(worker.posted).toEqual([{ type: 'parley.e2ee.key', passphrase: 'my secret', generation: 0 }])
    expect(e2ee.status()).toEqual({ key: 'deriving', sending: 'idle', streams: {}, chat: { undecryptable: 0, unencrypted: 0, unsent: 0 } })
    worker.reply({ type: 'parley.e2ee.keyReady', generation: 0 })
    expect(e2ee.status().key).toBe('ready')
    expect(statuses.map((status) => status.key)).toEqual(['ready'])
    // A worker that could not derive (no WebCrypto) is reported too; junk is ignored.
    worker.reply('junk')
    worker.reply({ type: 'parley.e2ee.keyFailed', generation: 0 })
    expect(e2ee.status().key).toBe('failed')
    expect(statuses).toHaveLength(2)
  })

  it('refuses an empty passphrase', () => {
    expect(() => setup('')).toThrow(TypeError)
  })

  it('returns the same peer connection the factory made; every sender and receiver of the session gets one transform, recvonly slots too', () => {
    const { pcs, factory, transforms, worker } = setup()
    const pc = factory({}) as FakePeerConnection
    expect(pc).toBe(pcs.latest())
    session(pc)
    // Two sendonly (microphone, camera) and 2 × 2 receive slots.
    expect(pc.transceivers).toHaveLength(6)
    for (const transceiver of pc.transceivers) {
      const kind = transceiver.receiver.track.kind
      expect(transformOf(transceiver.sender)?.options).toMatchObject({ parley: 'e2ee', side: 'send', kind })
      expect(transformOf(transceiver.receiver)?.options).toMatchObject({ parley: 'e2ee', side: 'receive', kind })
      expect(transformOf(transceiver.sender)?.worker).toBe(worker)
    }
    expect(transforms).toHaveLength(12)
    expect(new Set(transforms.map((transform) => transform.options.id)).size).toBe(12)
    expect(pc.transceivers.map((transceiver) => transformOf(transceiver.sender)?.options.kind)).toEqual(['audio', 'video', 'audio', 'video', 'audio', 'video'])
  })

  it("a transceiver a remote offer made gets its transforms at the track event, before the core's listener runs, and once only", () => {
    const { factory, transforms } = setup()
    const pc = factory({}) as FakePeerConnection
    const seen: boolean[] = []
    const delivered: [MediaStreamTrackLike, MediaStreamLike][] = []
    session(pc, delivered)
    pc.addEventListener('track', (event) => seen.push(transformOf(event.transceiver.receiver) !== undefined))
    const before = transforms.length
    const { stream } = pc.emitTrack('video')
    const remote = pc.transceivers.at(-1)!
    expect(transformOf(remote.receiver)?.options).toMatchObject({ side: 'receive', kind: 'video' })
    expect(transformOf(remote.sender)?.options).toMatchObject({ side: 'send', kind: 'video' })
    expect(transforms).toHaveLength(before + 2)
    expect(seen).toEqual([true])
    expect(delivered.map(([, delivery]) => delivery)).toEqual([stream])

    // Another track event on the same receiver sets nothing again.
    pc.dispatch('track', { track: new FakeMediaStreamTrack('video'), streams: [new FakeMediaStream([])], transceiver: remote })
    expect(transforms).toHaveLength(before + 2)
  })

  it("the status by stream id follows the worker's reports: the worst of a stream's audio and video; a slot that carries another stream later counts for that one", () => {
    const { e2ee, factory, worker, statuses } = setup()
    const pc = factory({}) as FakePeerConnection
    session(pc)
    const [audioSlot, videoSlot] = pc.transceivers.slice(2, 4)
    const alice = new FakeMediaStream([], 'alice-stream')
    const bob = new FakeMediaStream([], 'bob-stream')
    pc.dispatch('track', { track: new FakeMediaStreamTrack('audio'), streams: [alice], transceiver: audioSlot! })
    pc.dispatch('track', { track: new FakeMediaStreamTrack('video'), streams: [alice], transceiver: videoSlot! })
    const receiveId = (transceiver: typeof audioSlot) => transformOf(transceiver!.receiver)!.options.id
    // No frame yet: the stream is in no state.
    expect(e2ee.status().streams).toEqual({})

    worker.reply({ type: 'parley.e2ee.status', id: receiveId(audioSlot), state: 'decrypting' })
    worker.reply({ type: 'parley.e2ee.status', id: receiveId(videoSlot), state: 'decrypting' })
    expect(e2ee.status().streams).toEqual({ 'alice-stream': 'decrypting' })
    worker.reply({ type: 'parley.e2ee.status', id: receiveId(videoSlot), state: 'undecryptable' })
    expect(e2ee.status().streams).toEqual({ 'alice-stream': 'undecryptable' })
    worker.reply({ type: 'parley.e2ee.status', id: receiveId(audioSlot), state: 'unencrypted' })
    expect(e2ee.status().streams).toEqual({ 'alice-stream': 'undecryptable' })
    worker.reply({ type: 'parley.e2ee.status', id: receiveId(videoSlot), state: 'decrypting' })
    expect(e2ee.status().streams).toEqual({ 'alice-stream': 'unencrypted' })

    // The audio slot now carries Bob's microphone (Alice's stream keeps her camera's slot).
    pc.dispatch('track', { track: new FakeMediaStreamTrack('audio'), streams: [bob], transceiver: audioSlot! })
    expect(e2ee.status().streams).toEqual({ 'alice-stream': 'decrypting', 'bob-stream': 'unencrypted' })
    expect(statuses.at(-1)).toBe(e2ee.status())
    // An unchanged status is not announced again.
    const announced = statuses.length
    worker.reply({ type: 'parley.e2ee.status', id: receiveId(videoSlot), state: 'decrypting' })
    expect(statuses).toHaveLength(announced)
  })

  it("a stream leaves the status when it leaves: its track ended (the hub stopped the slot) or taken out of the stream; not while another of its tracks comes", () => {
    const { e2ee, factory, worker, statuses } = setup()
    const pc = factory({}) as FakePeerConnection
    session(pc)
    const [aliceAudioSlot, aliceVideoSlot, bobAudioSlot] = pc.transceivers.slice(2, 5)
    const aliceAudio = new FakeMediaStreamTrack('audio')
    const aliceVideo = new FakeMediaStreamTrack('video')
    const alice = new FakeMediaStream([aliceAudio, aliceVideo], 'alice-stream')
    const bobAudio = new FakeMediaStreamTrack('audio')
    const bob = new FakeMediaStream([bobAudio], 'bob-stream')
    pc.dispatch('track', { track: aliceAudio, streams: [alice], transceiver: aliceAudioSlot! })
    pc.dispatch('track', { track: aliceVideo, streams: [alice], transceiver: aliceVideoSlot! })
    pc.dispatch('track', { track: bobAudio, streams: [bob], transceiver: bobAudioSlot! })
    const report = (transceiver: typeof aliceAudioSlot, state: string) =>
      worker.reply({ type: 'parley.e2ee.status', id: transformOf(transceiver!.receiver)!.options.id, state })
    report(aliceAudioSlot, 'decrypting')
    report(aliceVideoSlot, 'undecryptable')
    report(bobAudioSlot, 'decrypting')
    expect(e2ee.status().streams).toEqual({ 'alice-stream': 'undecryptable', 'bob-stream': 'decrypting' })

    // Alice's camera is taken out of her stream: her microphone still counts for it.
    alice.removeTrack(aliceVideo)
    expect(e2ee.status().streams).toEqual({ 'alice-stream': 'decrypting', 'bob-stream': 'decrypting' })
    // The hub stopped forwarding her microphone (its offer rejects the m-line): the track ends, Alice is gone.
    aliceAudio.end()
    expect(e2ee.status().streams).toEqual({ 'bob-stream': 'decrypting' })
    expect(statuses.at(-1)).toBe(e2ee.status())

    // A slot that carries another stream later: the stream it carried before no longer speaks for it.
    const carolAudio = new FakeMediaStreamTrack('audio')
    const carol = new FakeMediaStream([carolAudio], 'carol-stream')
    pc.dispatch('track', { track: carolAudio, streams: [carol], transceiver: bobAudioSlot! })
    bob.removeTrack(bobAudio)
    expect(e2ee.status().streams).toEqual({ 'carol-stream': 'decrypting' })
    carol.removeTrack(carolAudio)
    expect(e2ee.status().streams).toEqual({})
  })

  it("sending is idle until a send transform reports, then encrypting, unsupported-codec when any sender's codec is refused", () => {
    const { e2ee, factory, worker } = setup()
    const pc = factory({}) as FakePeerConnection
    session(pc)
    const [microphone, camera] = pc.transceivers
    expect(e2ee.status().sending).toBe('idle')
    worker.reply({ type: 'parley.e2ee.status', id: transformOf(microphone!.sender)!.options.id, state: 'encrypting' })
    expect(e2ee.status().sending).toBe('encrypting')
    worker.reply({ type: 'parley.e2ee.status', id: transformOf(camera!.sender)!.options.id, state: 'unsupported-codec' })
    expect(e2ee.status().sending).toBe('unsupported-codec')
    worker.reply({ type: 'parley.e2ee.status', id: transformOf(camera!.sender)!.options.id, state: 'encrypting' })
    expect(e2ee.status().sending).toBe('encrypting')
  })

  it('a script transform that cannot be made fails the peer session (nothing is sent unencrypted)', () => {
    const pcs = new FakePeerConnections()
    const e2ee = createE2ee({
      passphrase: 'x',
      worker: () => new FakeWorker(),
      scriptTransform: () => {
        throw new ReferenceError('RTCRtpScriptTransform is not defined')
      },
    })
    const pc = e2ee.peerConnection(pcs.factory)({}) as FakePeerConnection
    expect(() => session(pc)).toThrow(ReferenceError)
  })

  it("close() terminates the worker, stops listening to it and to the streams' tracks, and makes no more peer connections", () => {
    const { e2ee, worker, factory, statuses } = setup()
    const pc = factory({}) as FakePeerConnection
    session(pc)
    const slot = pc.transceivers[2]!
    const track = new FakeMediaStreamTrack('audio')
    pc.dispatch('track', { track, streams: [new FakeMediaStream([track], 'alice-stream')], transceiver: slot })
    worker.reply({ type: 'parley.e2ee.status', id: transformOf(slot.receiver)!.options.id, state: 'decrypting' })
    const announced = statuses.length
    e2ee.close()
    expect(worker.terminated).toBe(true)
    worker.reply({ type: 'parley.e2ee.keyReady', generation: 0 })
    track.end()
    expect(e2ee.status()).toMatchObject({ key: 'deriving', streams: { 'alice-stream': 'decrypting' } })
    expect(statuses).toHaveLength(announced)
    expect(() => factory({})).toThrow(/closed/)
  })

  it('derives the safety code at the first ask, not before, and once: the passphrase’s', async () => {
    const crypto = countingSubtle()
    const e2ee = createE2ee({ passphrase: 'compare me', worker: () => new FakeWorker(), scriptTransform: () => ({}), subtle: crypto.subtle })
    // Each derivation imports the passphrase at once: here the chat key's alone.
    expect(crypto.imports).toBe(1)
    const code = e2ee.safetyCode()
    expect(e2ee.safetyCode()).toBe(code)
    expect(await code).toBe(await safetyCode('compare me'))
    expect(await e2ee.safetyCode()).toBe(await code)
    expect(crypto.imports).toBe(2)
    expect(crypto.bitDerivations).toBe(1)
  })

  it('forgets a safety code derivation that failed: the next ask derives again, and keeps that code', async () => {
    const crypto = countingSubtle({ failingBitDerivations: 1 })
    const e2ee = createE2ee({ passphrase: 'compare me', worker: () => new FakeWorker(), scriptTransform: () => ({}), subtle: crypto.subtle })
    const failed = e2ee.safetyCode()
    // Asked again while it is still deriving: the same derivation, failing with it.
    expect(e2ee.safetyCode()).toBe(failed)
    await expect(failed).rejects.toThrow('deriveBits failed')
    const code = e2ee.safetyCode()
    expect(code).not.toBe(failed)
    expect(await code).toBe(await safetyCode('compare me'))
    expect(e2ee.safetyCode()).toBe(code)
    expect(crypto.bitDerivations).toBe(2)
  })

  it('e2eeSupported tells whether the scope has RTCRtpScriptTransform', () => {
    expect(e2eeSupported({ RTCRtpScriptTransform: class {} })).toBe(true)
    expect(e2eeSupported({})).toBe(false)
  })
})

/**
 * One participant's side of the chat as the core runs it: a peer session that hands the hub's data
 * channels to the core's holder (`DataChannels`), whose watchers hear what arrives.
 */
function chatSide(passphrase: string) {
  const side = setup(passphrase)
  const pc = side.factory({}) as FakePeerConnection
  const channels = new DataChannels()
  const received: DataChannelLike[] = []
  new PeerSession(pc, { stream: undefined, tracks: [] }, { event: () => undefined, track: () => undefined, dataChannel: (channel) => (received.push(channel), channels.add(channel)) })
  const heard: unknown[] = []
  channels.watch(CHAT_CHANNEL_LABEL, (event: DataChannelEvent) => void (event.type === 'message' && heard.push(event.data)))
  /** The hub opens a room channel to us. */
  const open = (label = CHAT_CHANNEL_LABEL) => {
    const channel = new FakeDataChannel(label)
    pc.dispatch('datachannel', { channel })
    channel.open()
    return channel
  }
  return { ...side, pc, channels, received, heard, open }
}

/** Real crypto finishes in its own time: wait for what must come (never for a fixed time). */
const eventually = (check: () => void) => vi.waitFor(check, { timeout: 15_000, interval: 5 })

const message = (id: number, text = `message ${id}`) => JSON.stringify({ type: 'chat', id: `m${id}`, from: 'alice', name: 'Alice', time: id, text })

// Its own timeout: PBKDF2 (100,000 iterations per key) on a busy box.
describe('createE2ee: the chat', { timeout: 20_000 }, () => {
  it("the core's channel is the hub's object, patched in place: what it sends crosses encrypted and the other side's core hears the text, in the order sent", async () => {
    const alice = chatSide('shared secret')
    const bob = chatSide('shared secret')
    const aliceChannel = alice.open()
    const bobChannel = bob.open()
    expect(alice.received).toEqual([aliceChannel])
    expect(alice.received[0]).toBe(aliceChannel)
    const texts = [1, 2, 3, 4, 5].map((id) => message(id, id === 1 ? 'x'.repeat(1500) : `short ${id}`))
    for (const text of texts) expect(alice.channels.send(CHAT_CHANNEL_LABEL, text)).toBe(true)
    await eventually(() => expect(aliceChannel.sent).toHaveLength(5))
    for (const [index, frame] of aliceChannel.sent.entries()) {
      expect(frame.startsWith(CHAT_FRAME_PREFIX)).toBe(true)
      expect(frame).not.toContain(index === 0 ? 'xxx' : `short`)
    }
    // The hub forwards the frames as they are.
    for (const frame of aliceChannel.sent) bobChannel.deliver(frame)
    await eventually(() => expect(bob.heard).toEqual(texts))
    expect(bob.e2ee.status().chat).toEqual({ undecryptable: 0, unencrypted: 0, unsent: 0 })
  })

  it('a frame of another passphrase or in the clear never reaches the core; the status counts each drop', async () => {
    const bob = chatSide('shared secret')
    const channel = bob.open()
    const otherKey = await deriveChatKey('another link')
    const sameKey = await deriveChatKey('shared secret')
    channel.deliver(await encryptChat(otherKey, message(1)))
    channel.deliver(message(2))
    channel.deliver(`${CHAT_FRAME_PREFIX}${'A'.repeat(40)}`)
    channel.deliver(await encryptChat(sameKey, message(3)))
    // Arrival order is kept, so once the last is heard the others were dropped.
    await eventually(() => expect(bob.heard).toEqual([message(3)]))
    expect(bob.e2ee.status().chat).toEqual({ undecryptable: 2, unencrypted: 1, unsent: 0 })
    expect(bob.statuses.at(-1)?.chat).toEqual({ undecryptable: 2, unencrypted: 1, unsent: 0 })
  })

  it('a channel not open throws at once, as before (the core keeps the message), and nothing is sent later', async () => {
    const alice = chatSide('shared secret')
    const channel = new FakeDataChannel(CHAT_CHANNEL_LABEL)
    alice.pc.dispatch('datachannel', { channel })
    expect(() => channel.send(message(1))).toThrow(/connecting/)
    expect(alice.channels.send(CHAT_CHANNEL_LABEL, message(1))).toBe(false)
    channel.open()
    expect(alice.channels.send(CHAT_CHANNEL_LABEL, message(2))).toBe(true)
    await eventually(() => expect(channel.sent).toHaveLength(1))
    const bob = chatSide('shared secret')
    bob.open().deliver(channel.sent[0])
    await eventually(() => expect(bob.heard).toEqual([message(2)]))
  })

  it('a message handed over while the channel was open, whose channel closed before it was encrypted, is lost: the status counts it unsent', async () => {
    const alice = chatSide('shared secret')
    const channel = alice.open()
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    expect(alice.channels.send(CHAT_CHANNEL_LABEL, message(1))).toBe(true)
    channel.close()
    await eventually(() => expect(alice.e2ee.status().chat.unsent).toBe(1))
    expect(channel.sent).toEqual([])
    vi.restoreAllMocks()
  })

  it('removeEventListener removes a message listener of the chat channel; the core holder’s detach leaves only our own listener', async () => {
    const bob = chatSide('shared secret')
    const channel = bob.open()
    const removed: unknown[] = []
    const kept: unknown[] = []
    const remove = (event: { data?: unknown }) => removed.push(event.data)
    channel.addEventListener('message', remove)
    channel.addEventListener('message', (event) => kept.push(event.data))
    channel.removeEventListener('message', remove)
    channel.deliver(await encryptChat(await deriveChatKey('shared secret'), message(1)))
    await eventually(() => expect(kept).toEqual([message(1)]))
    expect(removed).toEqual([])
    // A newer channel replaces it in the core's holder, which detaches its open, close and message listeners.
    bob.open()
    expect(channel.listenerCount()).toBe(1)
  })

  it('channels of other labels are left as they are: their frames go and come in the clear', () => {
    const alice = chatSide('shared secret')
    const other = alice.open('parley.whiteboard')
    expect(other.send).toBe(FakeDataChannel.prototype.send)
    expect(other.addEventListener).toBe(FakeDataChannel.prototype.addEventListener)
    other.send('{"plain":true}')
    expect(other.sent).toEqual(['{"plain":true}'])
    const heard: unknown[] = []
    other.addEventListener('message', (event) => heard.push(event.data))
    other.deliver('in the clear')
    expect(heard).toEqual(['in the clear'])
  })
})
