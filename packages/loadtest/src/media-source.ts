// Synthetic camera + microphone at a chosen resolution, frame rate and bitrate, built from testkit's
// RTP primitives (RtpSequence, vp8FramePayload, SyntheticMediaStream). testkit's createSyntheticMedia
// sends one fixed-size packet per frame; a load test needs the packet sizes and rates of a real
// encoder, so a video frame here is split into MTU-sized packets (a real VP8 packetizer does the same)
// and opus packets carry a 32 kbit/s-sized body. Payload buffers are built once per stream and reused:
// the generator's own cost per packet stays at the sender (header, SRTP, UDP send): werift's, or the
// hub's fast send (`fastSend`, set by the participant once it knows the tracks' senders).
import type { RtpPacket } from 'werift'
import {
  OPUS_PAYLOAD_TYPE,
  RtpSequence,
  SyntheticMediaStream,
  SyntheticMediaStreamTrack,
  VP8_PAYLOAD_TYPE,
  vp8FramePayload,
} from '@parley/testkit'

/** Largest RTP payload per video packet (Chromium packetizes VP8 at ~1200 B). */
export const MAX_VIDEO_PAYLOAD_BYTES = 1100
/** One 20 ms opus packet at 32 kbit/s. */
export const AUDIO_PAYLOAD_BYTES = 80
export const AUDIO_PACKETS_PER_SECOND = 50

export interface VideoShape {
  width: number
  height: number
  fps: number
  /** Target video bitrate; see defaultVideoKbps. */
  kbps: number
}

/** Roughly what Chromium's VP8 sends at this size and rate: 300 kbit/s at 320x240@20, scaled by pixels and fps. */
export function defaultVideoKbps(width: number, height: number, fps: number): number {
  return Math.max(30, Math.round((300 * (width * height)) / (320 * 240) * (fps / 20)))
}

/** The payloads of one frame, split into packets of at most MAX_VIDEO_PAYLOAD_BYTES (descriptor S bit on the first only). */
export function packetizeVp8Frame(options: { keyFrame: boolean; width: number; height: number; bytes: number }): Buffer[] {
  const frame = vp8FramePayload({ keyFrame: options.keyFrame, width: options.width, height: options.height, size: options.bytes })
  const count = Math.ceil(frame.length / MAX_VIDEO_PAYLOAD_BYTES)
  const share = Math.ceil(frame.length / count)
  const packets: Buffer[] = []
  for (let start = 0; start < frame.length; start += share) {
    const body = frame.subarray(start, start + share)
    // Continuation packets carry a payload descriptor without the start-of-partition bit (in place of
    // a filler byte, so the frame keeps its size and no packet exceeds the maximum).
    packets.push(start === 0 ? body : Buffer.concat([Buffer.from([0x00]), body.subarray(1)]))
  }
  return packets
}

/** Packets per second one publisher sends with this shape (audio + video, key frames included). */
export function publisherPacketsPerSecond(shape: VideoShape): number {
  const { delta, key, keyFrameEvery } = framePlan(shape)
  const videoPerFrame = (key.length + (keyFrameEvery - 1) * delta.length) / keyFrameEvery
  return AUDIO_PACKETS_PER_SECOND + videoPerFrame * shape.fps
}

function framePlan(shape: VideoShape) {
  const deltaBytes = Math.max(16, Math.round((shape.kbps * 1000) / 8 / shape.fps))
  const size = { width: shape.width, height: shape.height }
  return {
    delta: packetizeVp8Frame({ keyFrame: false, ...size, bytes: deltaBytes }),
    key: packetizeVp8Frame({ keyFrame: true, ...size, bytes: deltaBytes * 3 }),
    // A key frame every 2 s, so a subscriber that joins late decodes without waiting on a PLI.
    keyFrameEvery: Math.max(1, Math.round(shape.fps * 2)),
  }
}

export interface SyntheticCamera {
  /** MediaDevicesLike for the core's ports. */
  getUserMedia(constraints: { audio?: unknown; video?: unknown }): Promise<SyntheticMediaStream>
  enumerateDevices(): Promise<{ deviceId: string; kind: 'audioinput' | 'videoinput'; label: string; groupId: string }[]>
  /** RTP packets handed to werift so far (audio + video). */
  readonly packetsSent: number
  /** Of packetsSent, the video packets. */
  readonly videoPacketsSent: number
  /**
   * While paused no packet is sent (the timers keep running, so sending resumes on the beat). The
   * load run pauses every camera around its window so that nothing is in flight at either edge.
   */
  paused: boolean
  /** Of packetsSent, those `fastSend` sent. */
  readonly fastPacketsSent: number
  /** Sends one packet of `track` past werift's MediaStreamTrack and sender path; false: werift's `writeRtp` sends it. */
  fastSend: ((track: SyntheticMediaStreamTrack, packet: RtpPacket) => boolean) | undefined
  stop(): void
}

const randomBits = (bits: number) => Math.floor(Math.random() * 2 ** bits) >>> 0

/** An RTP stream with a random SSRC, first sequence number and first timestamp. */
function randomSequence(payloadType: number, timestampStep: number): RtpSequence {
  return new RtpSequence({ payloadType, timestampStep, ssrc: randomBits(32), sequenceNumber: randomBits(16), timestamp: randomBits(32) })
}

export function createSyntheticCamera(shape: VideoShape): SyntheticCamera {
  const plan = framePlan(shape)
  const audioPayload = Buffer.alloc(AUDIO_PAYLOAD_BYTES, 0x33)
  audioPayload[0] = 0xf8 // opus TOC: CELT FB 20 ms, mono, one frame
  const timers = new Set<ReturnType<typeof setInterval>>()
  let packetsSent = 0
  let videoPacketsSent = 0
  let fastPacketsSent = 0
  const write = (track: SyntheticMediaStreamTrack, packet: RtpPacket) => {
    if (camera.fastSend?.(track, packet)) fastPacketsSent += 1
    else track.writeRtp(packet)
  }

  const every = (ms: number, track: SyntheticMediaStreamTrack, tick: () => void) => {
    const timer = setInterval(() => {
      if (!track.stopped && !camera.paused) tick()
    }, ms)
    timers.add(timer)
    track.addEventListener('ended', () => {
      clearInterval(timer)
      timers.delete(timer)
    })
  }

  const audioTrack = () => {
    const track = new SyntheticMediaStreamTrack({ kind: 'audio', id: `load-audio-${randomBits(32).toString(16)}` })
    const sequence = randomSequence(OPUS_PAYLOAD_TYPE, 48_000 / AUDIO_PACKETS_PER_SECOND)
    every(1000 / AUDIO_PACKETS_PER_SECOND, track, () => {
      write(track, sequence.next(audioPayload, { marker: false }))
      packetsSent += 1
    })
    return track
  }

  const videoTrack = () => {
    const track = new SyntheticMediaStreamTrack({ kind: 'video', id: `load-video-${randomBits(32).toString(16)}` })
    const sequence = randomSequence(VP8_PAYLOAD_TYPE, Math.round(90_000 / shape.fps))
    let frame = 0
    every(1000 / shape.fps, track, () => {
      const packets = frame % plan.keyFrameEvery === 0 ? plan.key : plan.delta
      frame += 1
      packets.forEach((payload, index) => {
        const last = index === packets.length - 1
        write(track, sequence.next(payload, { marker: last, endsFrame: last }))
      })
      packetsSent += packets.length
      videoPacketsSent += packets.length
    })
    return track
  }

  const tracks: SyntheticMediaStreamTrack[] = []
  const camera: SyntheticCamera = {
    paused: false,
    fastSend: undefined,
    async getUserMedia(constraints) {
      const stream = new SyntheticMediaStream({ id: `load-${randomBits(32).toString(16)}` })
      if (constraints.audio) stream.addTrack(audioTrack())
      if (constraints.video) stream.addTrack(videoTrack())
      tracks.push(...stream.getTracks())
      return stream
    },
    async enumerateDevices() {
      return [
        { deviceId: 'load-microphone', kind: 'audioinput', label: 'Synthetic microphone', groupId: 'load' },
        { deviceId: 'load-camera', kind: 'videoinput', label: 'Synthetic camera', groupId: 'load' },
      ]
    },
    get packetsSent() {
      return packetsSent
    },
    get videoPacketsSent() {
      return videoPacketsSent
    },
    get fastPacketsSent() {
      return fastPacketsSent
    },
    stop() {
      for (const track of tracks) track.stop()
      for (const timer of timers) clearInterval(timer)
      timers.clear()
    },
  }
  return camera
}
