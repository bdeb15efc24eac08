// One subscriber's forwarding of a simulcast source (werift-simulcast.ts ranks the layers): its
// LayerChoice's level maps to a layer, and the switch to it waits for that layer's keyframe, the old
// layer forwarded until then; numbers, timestamps and VP8 picture ids continue across it; padding-only
// packets are left out, their numbers given to the next packets, and a packet lost on the way from the
// publisher stays a gap whose NACK is relayed and whose late resend fills it (renumbering.ts).
import type { RTCRtpSender, RtpHeader } from 'werift'
import { RtpPacket } from 'werift'
import { LayerChoice, type LayerChoiceActions } from './layer-choice.js'
import { Vp8Continuity } from './vp8-rewrite.js'
import { Renumbering } from './renumbering.js'
import type { Layer, SimulcastLayers } from './werift-simulcast.js'
import { ceilingLevel } from './viewer-size.js'
import type { Clock } from '../clock.js'

/** A switch still waiting for its keyframe asks again this often (a PLI or its keyframe can be lost). */
export const KEYFRAME_REASK_MS = 1_000
/** A tile's ceiling follows the layers the publisher sends: counted again this often, and on each keyframe. */
export const CEILING_CHECK_MS = 250
/** RTP video clock. */
const TICKS_PER_MS = 90

/** What the switch does to the subscriber's werift sender (its replaceRTP; a fake in tests). */
export type ContinuitySender = Pick<RTCRtpSender, 'replaceRTP'>

/** werift's sender fields the numbering reads and sets (werift 0.25.2; werift-fast-send.ts writes the same). */
interface NumberedSender {
  /** The last number sent, and its RTP time. */
  sequenceNumber?: number
  timestamp?: number
  /** The sender report's pair: the last packet's RTP time and the NTP time it was sent at. */
  rtpTimestamp?: number
  ntpTimestamp?: bigint
  /** Added to the publisher's number of each packet sent. */
  seqOffset: number
  /** A switch still to be applied: werift sets seqOffset at the next packet it sends. */
  rtpContinuityPending?: boolean
  /** Sends are queued until the transport is up (werift's pending RTP): numbered later, not now. */
  pendingRtpEnabled?: boolean
}

/** The offset werift's continuity gives the first packet `seq` after a switch: numbered right after the last sent. */
function continuityOffset(sender: NumberedSender, seq: number): number {
  return sender.sequenceNumber === undefined || sender.timestamp === undefined ? sender.seqOffset : (sender.sequenceNumber + 1 - seq) & 0xffff
}

/** A padding-only packet: no payload, only the publisher's padding (its bandwidth probes). */
export function paddingOnly(packet: { header: RtpHeader; payload: Buffer }): boolean {
  return packet.header.padding && packet.payload.length === 0
}

/** One subscriber's forwarding of a simulcast source. */
export class LayerSwitch {
  readonly choice: LayerChoice
  forwarded: Layer | undefined
  /** The publisher sequence number of the keyframe the forwarded layer started with. */
  #fromSeq = 0
  /** When a packet was last forwarded (the timestamp step of a switch). */
  #lastSentAt: number | undefined
  /** The target whose keyframe was asked for last. */
  #asked: Layer | undefined
  #askedAt = 0
  readonly vp8 = new Vp8Continuity()
  readonly #numbering = new Renumbering()
  /** A late packet is being sent under its own offset: the sender, and its offset, last number and time to put back after. */
  #putBack: { readonly sender: NumberedSender; readonly numbering: Pick<NumberedSender, 'seqOffset' | 'sequenceNumber' | 'timestamp' | 'rtpTimestamp' | 'ntpTimestamp'> } | undefined
  /** The subscriber's tile: layers under the widest sending one it needs (viewer-size.ts); undefined: never told. */
  #under: number | 'hidden' | undefined
  #ceilingCheckedAt = Number.NEGATIVE_INFINITY
  readonly #clock: Clock
  readonly #layers: SimulcastLayers | undefined

  /** `layers`: the source's, whose measured bitrates let a step down skip levels (LayerChoice). */
  constructor(clock: Clock, layerCount: number, actions: LayerChoiceActions, layers?: SimulcastLayers) {
    this.#clock = clock
    this.#layers = layers
    this.choice = new LayerChoice(clock, layerCount, actions, layerCount, layers && { bitrate: (level) => layers.layerAt(level, clock.now())?.bitsPerSecond })
  }

  /**
   * One packet of `layer`: whether it is forwarded to this subscriber. A switch (the target layer's
   * keyframe) is applied to `sender` first; a target whose keyframe is wanted is asked for.
   */
  admit(layers: SimulcastLayers, layer: Layer, packet: { header: RtpHeader; payload: Buffer }, keyframe: boolean, now: number, sender: ContinuitySender): boolean {
    const { header } = packet
    const choice = this.choice
    if (this.#under !== undefined && (keyframe || now - this.#ceilingCheckedAt >= CEILING_CHECK_MS)) this.#applyCeiling(layers, now)
    const target = this.#kept(layers.layerAt(choice.target, now), layers, now)
    if (target !== this.forwarded) {
      if (target === undefined) {
        // Paused (or nothing ranked yet): stop now.
        this.forwarded = undefined
        return false
      }
      // The target's keyframe: the switch to it.
      if (keyframe && layer === target) return this.#begin(layers, layer, packet, now, sender)
      if (keyframe && choice.state === 'starting' && layer.width >= target.width && layers.isActive(layer, now)) {
        // The subscription's first picture, from a layer at least as wide as the target's (a ceiling lowered
        // the target before it): not held back for the target's keyframe, which follows (asked for below).
        // A narrower one is not taken: the keyframe request asks every layer, Chromium encodes them from one
        // capture, so the target's keyframe is moments behind and starting from it spares a switch.
        this.#begin(layers, layer, packet, now, sender)
      }
      if (this.#asked !== target || now - this.#askedAt >= KEYFRAME_REASK_MS) {
        this.#asked = target
        this.#askedAt = now
        target.keyframes.ask()
      }
    } else if (target !== undefined && choice.level !== choice.target) {
      // Both levels map to the same layer (fewer layers sending than rids): nothing to wait for.
      choice.switched(choice.target)
    }
    if (layer !== this.forwarded) return false
    // A resend of the layer from before its switch: its number would land among the old layer's.
    if (((header.sequenceNumber - this.#fromSeq) & 0xffff) >= 0x8000) return false
    this.#lastSentAt = now
    return true
  }

  /**
   * An admitted packet about to be sent, numbered (werift's seqOffset, which both send paths add): false
   * for padding-only ones (left out, their numbers given on) and for a late one whose offset is forgotten.
   * A late one is sent under its own segment's offset; `sent` puts the sender's numbering back after it.
   */
  sends(packet: { header: RtpHeader; payload: Buffer }, sender: object): boolean {
    // `sent` was not called after the last late packet: its numbering is put back before this one's.
    if (this.#putBack) this.#restore()
    const seq = packet.header.sequenceNumber
    if (paddingOnly(packet)) {
      this.#numbering.leftOut(seq)
      return false
    }
    const internals = sender as NumberedSender
    // A switch still pending numbers this packet itself (werift's replaceRTP), as computed here.
    const pending = internals.rtpContinuityPending === true
    const current = pending ? continuityOffset(internals, seq) : internals.seqOffset
    const late = this.#numbering.isLate(seq)
    const offset = this.#numbering.offsetFor(seq, current)
    if (offset === undefined) return false
    if (late) {
      // Queued or under a pending switch, the send would number it later, under another offset.
      if (pending || internals.pendingRtpEnabled) return false
      const { seqOffset, sequenceNumber, timestamp, rtpTimestamp, ntpTimestamp } = internals
      this.#putBack = { sender: internals, numbering: { seqOffset, sequenceNumber, timestamp, rtpTimestamp, ntpTimestamp } }
      internals.seqOffset = offset
    } else if (!pending && offset !== current) internals.seqOffset = offset
    this.choice.forwarded(packet.payload.length + 12)
    return true
  }

  /** The packet `sends` numbered was sent: after a late one, the sender's numbering and report are the newest packet's again. */
  sent(): void {
    if (this.#putBack) this.#restore()
  }

  #restore(): void {
    const { sender, numbering } = this.#putBack!
    this.#putBack = undefined
    // The sender report pairs the newest packet's RTP time with its NTP time, not the late one's.
    Object.assign(sender, numbering)
  }

  /**
   * The publisher's number, on the forwarded layer, of the subscriber's `seq` (a NACK to relay), or
   * undefined: numbered before the forwarded layer's start (another layer's), or its offset forgotten.
   */
  published(seq: number): number | undefined {
    return this.#numbering.published(seq)
  }

  /** The packet this subscriber gets of one it admitted: PictureID/TL0PICIDX continuous (vp8-rewrite.ts); itself while no offset is needed. */
  rewritten(packet: RtpPacket): RtpPacket {
    const payload = this.vp8.rewrite(packet.payload)
    return payload === packet.payload ? packet : new RtpPacket(packet.header, payload)
  }

  /** The keyframe-hold forwarded `layer`'s held keyframe (starting at `firstSeq`) to this subscriber. */
  startedWith(layers: SimulcastLayers, layer: Layer, firstSeq: number, now: number): void {
    this.forwarded = layer
    this.#fromSeq = firstSeq
    this.#numbering.restart(firstSeq)
    this.#lastSentAt = now
    // The hold keeps the widest layer's keyframe; a ceiling may have lowered the target since.
    this.#tell(layers, layer, now)
  }

  /** Forwards `layer` from its keyframe `packet` on: numbering, time and picture ids continued; the choice told. */
  #begin(layers: SimulcastLayers, layer: Layer, packet: { header: RtpHeader; payload: Buffer }, now: number, sender: ContinuitySender): true {
    this.#switch(layer, packet.header, now, sender)
    this.vp8.switchTo(packet.payload)
    this.#tell(layers, layer, now)
    return true
  }

  /**
   * The choice hears what the forwarding began on: the target's layer (`switched`), or, for the
   * subscription's first picture, another (`started`: the target follows from its keyframe).
   */
  #tell(layers: SimulcastLayers, layer: Layer, now: number): void {
    const choice = this.choice
    if (layers.layerAt(choice.target, now) === layer) choice.switched(choice.target)
    else choice.started(this.#levelOf(layers, layer, now))
  }

  /** The level `layer` is at now (its rank among the sending layers); the widest when it is not ranked. */
  #levelOf(layers: SimulcastLayers, layer: Layer, now: number): number {
    for (let level = 1; level <= this.choice.layerCount; level++) if (layers.layerAt(level, now) === layer) return level
    return this.choice.layerCount
  }

  /**
   * The subscriber's tile needs `under` layers under the widest sending one ('hidden': none): the
   * choice's ceiling, counted again as the publisher's layers come and go (viewer-size.ts).
   */
  viewer(under: number | 'hidden'): void {
    this.#under = under
    if (this.#layers) this.#applyCeiling(this.#layers, this.#clock.now())
  }

  #applyCeiling(layers: SimulcastLayers, now: number): void {
    this.#ceilingCheckedAt = now
    const under = this.#under
    if (under === undefined) return
    const sending = layers.activeCount(now)
    // Nothing ranked yet (no keyframe): a ceiling counted from nothing would pin the narrowest.
    if (under !== 'hidden' && sending === 0) return
    this.choice.setCeiling(ceilingLevel(under, sending))
  }

  /** The target's keyframe asked for again (a subscriber PLI, or the wait ran out). */
  askAgain(): void {
    this.#asked = undefined
  }

  /**
   * `target`, or the forwarded layer when that one is as wide and still sending: a switch between layers of
   * one size gains nothing and costs a keyframe wait (sendLayers' top layer shrinks to the width of the
   * `mid` it stops, and both send for a moment).
   */
  #kept(target: Layer | undefined, layers: SimulcastLayers, now: number): Layer | undefined {
    const forwarded = this.forwarded
    if (!target || !forwarded || target === forwarded || target.width !== forwarded.width) return target
    return layers.isActive(forwarded, now) ? forwarded : target
  }

  #switch(layer: Layer, header: RtpHeader, now: number, sender: ContinuitySender): void {
    if (this.forwarded !== undefined || this.#lastSentAt !== undefined) {
      const step = this.#lastSentAt === undefined ? 1 : Math.max(1, Math.round((now - this.#lastSentAt) * TICKS_PER_MS))
      // Applied by werift at the next packet it sends (this one): continuous numbering and time.
      sender.replaceRTP(header, false, step)
    }
    this.#numbering.restart(header.sequenceNumber)
    this.forwarded = layer
    this.#fromSeq = header.sequenceNumber
    this.#asked = undefined
    this.#lastSentAt = now
  }
}
