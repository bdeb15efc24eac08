// The main-thread owner over the core's fake peer connection, a fake worker and a fake script transform.
import { describe, expect, it } from 'vitest'
import { PeerSession } from '../peerSession.js'
import type { MediaStreamLike, MediaStreamTrackLike } from '../ports.js'
import { FakeMediaStream, FakeMediaStreamTrack } from '../test-support/fakeMedia.js'
import { FakePeerConnections, type FakePeerConnection } from '../test-support/fakePeerConnection.js'
import { createE2ee, e2eeSupported, type E2eeStatus, type WorkerLike } from './e2ee.js'
import { safetyCode } from './frameCrypto.js'
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
    expect(e2ee.status()).toEqual({ key: 'deriving', sending: 'idle', streams: {} })
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

    // Alice left; the audio slot now carries Bob's microphone.
    pc.dispatch('track', { track: new FakeMediaStreamTrack('audio'), streams: [bob], transceiver: audioSlot! })
    expect(e2ee.status().streams).toEqual({ 'alice-stream': 'decrypting', 'bob-stream': 'unencrypted' })
    expect(statuses.at(-1)).toBe(e2ee.status())
    // An unchanged status is not announced again.
    const announced = statuses.length
    worker.reply({ type: 'parley.e2ee.status', id: receiveId(videoSlot), state: 'decrypting' })
    expect(statuses).toHaveLength(announced)
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

  it('close() terminates the worker, stops listening to it and makes no more peer connections', () => {
    const { e2ee, worker, factory, statuses } = setup()
    e2ee.close()
    expect(worker.terminated).toBe(true)
    worker.reply({ type: 'parley.e2ee.keyReady', generation: 0 })
    expect(e2ee.status().key).toBe('deriving')
    expect(statuses).toEqual([])
    expect(() => factory({})).toThrow(/closed/)
  })

  it('the safety code is the passphrase’s', async () => {
    const { e2ee } = setup('compare me')
    expect(await e2ee.safetyCode).toBe(await safetyCode('compare me'))
  })

  it('e2eeSupported tells whether the scope has RTCRtpScriptTransform', () => {
    expect(e2eeSupported({ RTCRtpScriptTransform: class {} })).toBe(true)
    expect(e2eeSupported({})).toBe(false)
  })
})
