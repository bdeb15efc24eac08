// Voice activity of one published audio track, from the RFC 6464 level its packets carry (audio-level.ts
// reads it): the hub's `vad_started` / `vad_ended` (hub-api-v1.md §5). A packet louder than the threshold
// (RFC 6464 levels are -dBov: 0 the loudest, 127 silence) is voice and starts `speaking`; while speaking,
// the loud packets are batched and reported once per interval; a hangover with no loud packet ends it.
// So a track reports at most one frame per interval plus the end, whatever its packet rate, and a quiet
// track costs one comparison per packet. The values are the hosted hub's (inlivedev/sfu
// voiceactivedetector: 100 ms interval, 300 ms tail, threshold 40), except that it also requires the
// packet's V bit (the sender's own detection): here the level alone decides, so a sender that leaves the
// bit clear still counts, and the bit is passed on as `isVoice`.
import type { AudioLevelSample } from '@parley/protocol'
import { type Clock, Timer } from '../clock.js'

/** A packet whose level is below this (louder than -40 dBov) is voice. */
export const VAD_THRESHOLD = 40
/** Speaking ends after this long without a loud packet. */
export const VAD_HANGOVER_MS = 300
/** While speaking, the loud packets are reported once per this long. */
export const VAD_INTERVAL_MS = 100
/** At most this many levels per report, the newest (a 10 ms packetisation gives 10 per interval). */
export const VAD_MAX_LEVELS = 32

export interface VadOptions {
  threshold: number
  hangoverMs: number
  intervalMs: number
  maxLevels: number
}

/** Levels of the loud packets since the last report, oldest first; null: speaking ended. */
export type VoiceReport = (levels: AudioLevelSample[] | null) => void

export type VadState = 'quiet' | 'speaking' | 'ended'

export class VoiceDetector {
  readonly #clock: Clock
  readonly #report: VoiceReport
  readonly #options: VadOptions
  readonly #timer: Timer
  // The batch, preallocated: a packet adds numbers, never an object.
  readonly #sequenceNos: Uint16Array
  readonly #timestamps: Uint32Array
  /** The extension's byte: V bit and level. */
  readonly #bytes: Uint8Array
  #next = 0
  #count = 0
  #state: VadState = 'quiet'
  #lastLoudAt = 0

  constructor(clock: Clock, report: VoiceReport, options: Partial<VadOptions> = {}) {
    this.#clock = clock
    this.#report = report
    this.#options = { threshold: VAD_THRESHOLD, hangoverMs: VAD_HANGOVER_MS, intervalMs: VAD_INTERVAL_MS, maxLevels: VAD_MAX_LEVELS, ...options }
    this.#timer = new Timer(clock)
    const size = Math.max(1, this.#options.maxLevels)
    this.#sequenceNos = new Uint16Array(size)
    this.#timestamps = new Uint32Array(size)
    this.#bytes = new Uint8Array(size)
  }

  get state(): VadState {
    return this.#state
  }

  /** One packet: its RTP sequence number and timestamp, and its `ssrc-audio-level` byte (V bit, level). */
  onPacket(sequenceNo: number, timestamp: number, levelByte: number): void {
    if ((levelByte & 0x7f) >= this.#options.threshold || this.#state === 'ended') return
    const size = this.#bytes.length
    const at = this.#next
    this.#sequenceNos[at] = sequenceNo
    this.#timestamps[at] = timestamp
    this.#bytes[at] = levelByte
    this.#next = at + 1 === size ? 0 : at + 1
    if (this.#count < size) this.#count++
    this.#lastLoudAt = this.#clock.now()
    if (this.#state === 'quiet') {
      this.#state = 'speaking'
      this.#timer.start(this.#options.intervalMs, () => this.#tick())
    }
  }

  /** The track ended: no more reports. */
  end(): void {
    this.#timer.cancel()
    this.#state = 'ended'
    this.#count = 0
  }

  #tick(): void {
    if (this.#count > 0) this.#report(this.#drain())
    // The report may have ended the detector (its track went).
    if (this.#state !== 'speaking') return
    if (this.#clock.now() - this.#lastLoudAt >= this.#options.hangoverMs) {
      this.#state = 'quiet'
      this.#report(null)
      return
    }
    this.#timer.start(this.#options.intervalMs, () => this.#tick())
  }

  #drain(): AudioLevelSample[] {
    const size = this.#bytes.length
    const levels: AudioLevelSample[] = []
    for (let i = this.#count; i > 0; i--) {
      const at = (this.#next - i + size) % size
      const byte = this.#bytes[at]!
      levels.push({ sequenceNo: this.#sequenceNos[at]!, timestamp: this.#timestamps[at]!, audioLevel: byte & 0x7f, isVoice: (byte & 0x80) !== 0 })
    }
    this.#count = 0
    return levels
  }
}
