// Synthetic camera and microphone for Node (werift) participants: getUserMedia returns a werift
// MediaStream whose tracks carry generated RTP: an opus-shaped packet every 20 ms (PT 111, +960 ticks
// at 48 kHz) and a VP8-shaped frame at ~15 fps (PT 96, +6000 ticks at 90 kHz, one packet per frame,
// marker set, a key frame first and then periodically). The payloads are well-formed enough for an SFU
// to forward (VP8 payload descriptor with S bit, key-frame tag and start code), not real pictures.
// Timers are injected so tests can drive them; stopping a track (or the whole source) clears its timer.
import { EventEmitter } from 'node:events'
import { OPUS_PAYLOAD_TYPE, VP8_PAYLOAD_TYPE } from '@parley/protocol'
import { MediaStream, MediaStreamTrack, RtpHeader, RtpPacket } from 'werift'

export interface IntervalTimers {
  setInterval(callback: () => void, ms: number): unknown
  clearInterval(handle: unknown): void
}

const realTimers: IntervalTimers = {
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
}

// The payload types every Parley peer pins (re-exported for the tests that build packets).
export { OPUS_PAYLOAD_TYPE, VP8_PAYLOAD_TYPE }

export interface RtpSequenceInit {
  payloadType: number
  ssrc: number
  /** First sequence number (16 bit). */
  sequenceNumber: number
  /** First timestamp (32 bit). */
  timestamp: number
  /** Timestamp advance per packet that ends a frame (`marker` or audio). */
  timestampStep: number
}

/** Numbers packets of one RTP stream: sequence +1 per packet (mod 2^16), timestamp +step per frame (mod 2^32). */
export class RtpSequence {
  private sequenceNumber: number
  private timestamp: number

  constructor(private readonly init: RtpSequenceInit) {
    this.sequenceNumber = init.sequenceNumber & 0xffff
    this.timestamp = init.timestamp >>> 0
  }

  /** The next packet. `endsFrame` false keeps the timestamp for the following packet of the same frame. */
  next(payload: Buffer, options: { marker: boolean; endsFrame?: boolean }): RtpPacket {
    const header = new RtpHeader({
      payloadType: this.init.payloadType,
      ssrc: this.init.ssrc,
      sequenceNumber: this.sequenceNumber,
      timestamp: this.timestamp,
      marker: options.marker,
    })
    this.sequenceNumber = (this.sequenceNumber + 1) & 0xffff
    if (options.endsFrame ?? true) this.timestamp = (this.timestamp + this.init.timestampStep) >>> 0
    return new RtpPacket(header, payload)
  }
}

/** An opus "silence" frame: TOC 0xf8 (CELT FB 20 ms, mono, one frame) and a two-byte body. */
export function opusSilencePayload(): Buffer {
  return Buffer.from([0xf8, 0xff, 0xfe])
}

/**
 * A VP8 RTP payload of one whole frame: a 1-byte payload descriptor (S=1, partition 0) then the VP8
 * frame header. A key frame carries the 3-byte tag (bit 0 = 0), start code 9d 01 2a and the size.
 */
export function vp8FramePayload(options: { keyFrame: boolean; width: number; height: number; size: number }): Buffer {
  const size = Math.max(options.size, options.keyFrame ? 11 : 4)
  const payload = Buffer.alloc(size, 0x55)
  payload[0] = 0x10
  const firstPartitionSize = Math.min(size - 1 - (options.keyFrame ? 10 : 3), 0x7ffff)
  // frame tag: key_frame (0 = key) | version 0 | show_frame 1 | first_part_size (19 bits)
  const tag = (options.keyFrame ? 0 : 1) | (1 << 4) | (firstPartitionSize << 5)
  payload[1] = tag & 0xff
  payload[2] = (tag >> 8) & 0xff
  payload[3] = (tag >> 16) & 0xff
  if (options.keyFrame) {
    payload[4] = 0x9d
    payload[5] = 0x01
    payload[6] = 0x2a
    payload.writeUInt16LE(options.width & 0x3fff, 7)
    payload.writeUInt16LE(options.height & 0x3fff, 9)
  }
  return payload
}

/** True when a payload made by `vp8FramePayload` (or a real VP8 packet starting a frame) is a key frame. */
export function isVp8KeyFramePayload(payload: Buffer): boolean {
  if (payload.length < 4) return false
  const extended = (payload[0]! & 0x80) !== 0
  if (extended) return false // our generator never sets X; real packets with X are not inspected here
  const startOfPartition = (payload[0]! & 0x10) !== 0
  return startOfPartition && (payload[1]! & 0x01) === 0
}

/** A werift track whose id is always set (werift assigns one in the constructor; its type says optional). */
export class SyntheticMediaStreamTrack extends MediaStreamTrack {
  declare id: string
}

/** A werift stream that also fires `addtrack`/`removetrack` like a browser MediaStream (MediaStreamLike). */
export class SyntheticMediaStream extends MediaStream {
  private readonly events = new EventEmitter()

  override getTracks(): SyntheticMediaStreamTrack[] {
    return super.getTracks() as SyntheticMediaStreamTrack[]
  }

  override getAudioTracks(): SyntheticMediaStreamTrack[] {
    return super.getAudioTracks() as SyntheticMediaStreamTrack[]
  }

  override getVideoTracks(): SyntheticMediaStreamTrack[] {
    return super.getVideoTracks() as SyntheticMediaStreamTrack[]
  }

  override addTrack(track: MediaStreamTrack): void {
    super.addTrack(track)
    this.events.emit('addtrack', { track })
  }

  override removeTrack(track: MediaStreamTrack): void {
    super.removeTrack(track)
    this.events.emit('removetrack', { track })
  }

  addEventListener(type: 'addtrack' | 'removetrack', listener: () => void): void {
    this.events.on(type, listener)
  }

  removeEventListener(type: 'addtrack' | 'removetrack', listener: () => void): void {
    this.events.off(type, listener)
  }
}

export interface SyntheticMediaOptions {
  /** Injected for tests; real timers by default. */
  timers?: IntervalTimers
  /** Video frames per second. Default 15. */
  videoFps?: number
  /** A key frame every this many frames (the first frame is always one). Default 15 (~1 s). */
  keyFrameEvery?: number
  videoWidth?: number
  videoHeight?: number
  /** Random source for SSRCs and initial sequence numbers/timestamps. Default Math.random. */
  random?: () => number
}

export interface SyntheticDeviceInfo {
  readonly deviceId: string
  readonly kind: 'audioinput' | 'videoinput'
  readonly label: string
  readonly groupId: string
}

export interface SyntheticMedia {
  /** MediaDevicesLike: a new stream with fresh generated tracks per call. */
  getUserMedia(constraints: { audio: boolean | Record<string, unknown>; video: boolean | Record<string, unknown> }): Promise<SyntheticMediaStream>
  enumerateDevices(): Promise<SyntheticDeviceInfo[]>
  /** Stops every track made so far and clears every timer. Idempotent. */
  stop(): void
  /** How many packet timers are running (0 once every track is stopped). */
  readonly activeTimers: number
}

export function createSyntheticMedia(options: SyntheticMediaOptions = {}): SyntheticMedia {
  const timers = options.timers ?? realTimers
  const random = options.random ?? Math.random
  const videoFps = options.videoFps ?? 15
  const keyFrameEvery = Math.max(1, options.keyFrameEvery ?? 15)
  const width = options.videoWidth ?? 640
  const height = options.videoHeight ?? 480
  const running = new Map<MediaStreamTrack, unknown>()
  const randomBits = (bits: number) => Math.floor(random() * 2 ** bits) >>> 0

  const startTrack = (track: MediaStreamTrack, intervalMs: number, tick: () => RtpPacket) => {
    const handle = timers.setInterval(() => {
      if (track.stopped) return
      track.writeRtp(tick())
    }, intervalMs)
    running.set(track, handle)
    track.addEventListener('ended', () => {
      timers.clearInterval(handle)
      running.delete(track)
    })
  }

  const audioTrack = () => {
    const track = new SyntheticMediaStreamTrack({ kind: 'audio', id: `synthetic-audio-${randomBits(32).toString(16)}` })
    const sequence = new RtpSequence({
      payloadType: OPUS_PAYLOAD_TYPE,
      ssrc: randomBits(32),
      sequenceNumber: randomBits(16),
      timestamp: randomBits(32),
      timestampStep: 960,
    })
    startTrack(track, 20, () => sequence.next(opusSilencePayload(), { marker: false }))
    return track
  }

  const videoTrack = () => {
    const track = new SyntheticMediaStreamTrack({ kind: 'video', id: `synthetic-video-${randomBits(32).toString(16)}` })
    const sequence = new RtpSequence({
      payloadType: VP8_PAYLOAD_TYPE,
      ssrc: randomBits(32),
      sequenceNumber: randomBits(16),
      timestamp: randomBits(32),
      timestampStep: Math.round(90_000 / videoFps),
    })
    let frame = 0
    startTrack(track, 1000 / videoFps, () => {
      const keyFrame = frame % keyFrameEvery === 0
      frame += 1
      return sequence.next(vp8FramePayload({ keyFrame, width, height, size: keyFrame ? 1000 : 200 }), { marker: true })
    })
    return track
  }

  return {
    async getUserMedia(constraints) {
      if (!constraints.audio && !constraints.video) throw new TypeError('getUserMedia: at least one of audio and video is required')
      const stream = new SyntheticMediaStream({ id: `synthetic-${randomBits(32).toString(16)}` })
      if (constraints.audio) stream.addTrack(audioTrack())
      if (constraints.video) stream.addTrack(videoTrack())
      return stream
    },
    async enumerateDevices() {
      return [
        { deviceId: 'synthetic-microphone', kind: 'audioinput', label: 'Synthetic microphone', groupId: 'synthetic' },
        { deviceId: 'synthetic-camera', kind: 'videoinput', label: 'Synthetic camera', groupId: 'synthetic' },
      ]
    },
    stop() {
      for (const track of [...running.keys()]) track.stop()
    },
    get activeTimers() {
      return running.size
    },
  }
}
