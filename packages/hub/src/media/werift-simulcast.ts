// Simulcast on the werift plane: a publisher's video m-line with rids (a=rid / a=simulcast and the
// rtp-stream-id header extension) arrives as one werift track per rid, each its own SSRC. The hub answers
// with the same rids (werift does: its answer mirrors the offer's a=simulcast as recv) and forwards ONE of
// them to each subscriber, on that subscriber's one sender SSRC:
//   - the layers are ranked by the width of their keyframes (the rids' names mean nothing here), and only
//     layers that sent lately count (a publisher short of bandwidth stops its top ones: LAYER_IDLE_MS, sooner
//     while its other layers go on), and none the publisher said it stopped (its `internal` channel's
//     simulcast_layers frame: Parley's core sends one as it stops its lower layers, sendLayersActors.ts),
//     and are not starved: a publisher a little short keeps its top layer going at a few frames a second
//     (Chromium gives the lower layers their bitrate first), which is worse than the next one down;
//   - LayerChoice (layer-choice.ts) picks a level per subscriber; the level maps to a layer here, and
//     werift-layer-switch.ts forwards that layer to the subscriber:
//   - a switch happens only on a keyframe of the target layer (asked for on that layer's SSRC), the old
//     layer forwarded until then; at the switch, werift's replaceRTP makes the sequence numbers and RTP
//     timestamps continue from the last packet sent (the timestamp by the time that passed), and the
//     VP8 PictureID/TL0PICIDX continue too (vp8-rewrite.ts);
//   - resends of the new layer older than its switching keyframe are not forwarded (their numbers would
//     fall among the old layer's);
//   - padding-only packets are not forwarded (Chromium pads on its lowest layer: 144–209 kbit/s of it
//     reached a 300 kbit/s subscriber on that layer, stop 34), their numbers given to the next packets; a
//     packet lost on the way from the publisher stays a gap, the subscriber's NACK for it is relayed in the
//     publisher's numbering and the late resend takes the gap's number (renumbering.ts).
import { type RTCPeerConnectionConfig, type RTCRtpTransceiver, useSdesRTPStreamId } from 'werift'
import { KeyframeRequests } from './werift-keyframe-requests.js'
import { vp8KeyframeSize } from './vp8-rewrite.js'
import type { Clock } from '../clock.js'

/** A layer that sent nothing for this long is not forwarded (the publisher stopped it). */
export const LAYER_IDLE_MS = 1_500
/**
 * Sooner, while the source's other layers go on: a layer silent for IDLE_FRAMES of its frame intervals
 * (at least IDLE_MIN_MS) while IDLE_OTHER_PACKETS of its other layers' packets arrived. A publisher that
 * stops its top layer (its estimate cannot carry it) froze the subscribers on it for the whole
 * LAYER_IDLE_MS before their switch (web faults-impaired spec with simulcast, stop 34); the other layers'
 * packets keep an event-loop stall, which delays every layer alike, from reading as a stopped layer.
 */
export const IDLE_FRAMES = 4
export const IDLE_MIN_MS = 400
export const IDLE_OTHER_PACKETS = 20
/** A layer's frame rate is measured over windows this long. */
export const FRAME_RATE_WINDOW_MS = 1_000
/** A layer under this share of the next narrower layer's frame rate is starved: left out. */
export const STARVED_SHARE = 0.5
/** A starved layer counts again at this share (hysteresis: no switching back and forth at the edge). */
export const FED_SHARE = 0.75

/**
 * The hub's peer configuration with the rtp-stream-id extension on video: without it in the answer, a
 * browser sends no rid and so no simulcast (werift routes a rid's packets by it until their SSRC is known).
 */
export function withSimulcast(config: RTCPeerConnectionConfig): RTCPeerConnectionConfig {
  const video = config.headerExtensions?.video
  if (video && !video.some((extension) => extension.uri === useSdesRTPStreamId().uri)) video.push(useSdesRTPStreamId())
  return config
}

/**
 * The hub's later offers to the publisher keep its rids (`a=simulcast:recv …`, `a=rid:… recv`): werift
 * writes them only for a transceiver whose options name them (its own sendEncodings), and a re-offer
 * without them makes the browser, as answerer, drop to its first encoding for good (measured: a publisher
 * sent only its widest layer once the hub offered it the other participants' tracks).
 */
export function keepSimulcastInOffers(transceiver: RTCRtpTransceiver, rids: readonly string[]): void {
  const options = (transceiver as unknown as { options?: { simulcast?: { rid: string; direction: 'send' | 'recv' }[] } }).options
  if (options) options.simulcast = rids.map((rid) => ({ rid, direction: 'recv' }))
}

/**
 * A video transceiver's tracks, one per rid, when it carries simulcast (werift answers a simulcast offer
 * with the same rids and receives each on a track of its own); none for one stream.
 */
export function simulcastTracks(transceiver: RTCRtpTransceiver): RTCRtpTransceiver['receiver']['tracks'] {
  const tracks = (transceiver.receiver.tracks ?? []).filter((track) => typeof track.rid === 'string' && track.rid !== '')
  return tracks.length > 1 ? tracks : []
}

/** One rid of a simulcast source. */
export interface Layer {
  readonly rid: string
  /** Its SSRC, from its first packet. */
  ssrc: number | undefined
  /** The width of its last keyframe (0: none seen yet: not ranked). */
  width: number
  /** When its last new media packet arrived (padding and resends left out: a stopped layer may still get both). */
  lastPacketAt: number
  /** Its highest sequence number so far (a packet at or below it is a resend). */
  highestSeq: number | undefined
  /** The source's packet count (all layers) at its last packet. */
  lastPacketCount: number
  /** Frames (RTP timestamps) seen in the current window, its start, and the last window's frames a second. */
  frames: number
  lastTimestamp: number | undefined
  windowStart: number
  framesPerSecond: number | undefined
  /** Bytes (payload and RTP header, padding-only packets left out) in the current window, and the last window's bit/s. */
  bytes: number
  bitsPerSecond: number | undefined
  /**
   * When the publisher said it stopped this layer (publisherSends), until it names it again: idle at once,
   * its subscribers moved to a layer it sends (the keyframe asked) without waiting out LAYER_IDLE_MS.
   */
  stoppedAt: number | undefined
  /** Sending far fewer frames than the next narrower layer (STARVED_SHARE, FED_SHARE): not forwarded. */
  starved: boolean
  /** Keyframe requests on this layer's SSRC (a switch to it waits for one). */
  readonly keyframes: KeyframeRequests
}

/** The layers of one simulcast source. */
export class SimulcastLayers {
  readonly layers: Layer[]
  /** The layer whose packets go to the keyframe hold (the top one when its keyframe started). */
  heldLayer: Layer | undefined
  /** Packets of all its layers so far (a layer's idleness is read against the others'). */
  #packets = 0

  constructor(rids: readonly string[], clock: Clock, sendPli: (layer: Layer) => boolean) {
    this.layers = rids.map((rid) => {
      const layer: Layer = {
        rid,
        ssrc: undefined,
        width: 0,
        lastPacketAt: Number.NEGATIVE_INFINITY,
        highestSeq: undefined,
        lastPacketCount: 0,
        frames: 0,
        lastTimestamp: undefined,
        windowStart: Number.NEGATIVE_INFINITY,
        framesPerSecond: undefined,
        bytes: 0,
        bitsPerSecond: undefined,
        stoppedAt: undefined,
        starved: false,
        keyframes: new KeyframeRequests(clock, () => sendPli(layer)),
      }
      return layer
    })
  }

  byRid(rid: string): Layer | undefined {
    return this.layers.find((layer) => layer.rid === rid)
  }

  /**
   * The publisher sends only the rids in `active` from now on (its simulcast_layers frame): the others are
   * idle until it names them again. A frame naming none of the layers is ignored (it would stop them all).
   */
  publisherSends(active: readonly string[], now: number): void {
    if (!this.layers.some((layer) => active.includes(layer.rid))) return
    for (const layer of this.layers) layer.stoppedAt = active.includes(layer.rid) ? undefined : (layer.stoppedAt ?? now)
  }

  /** The rids the publisher said it stopped and has not sent new media on since (the hub's offers write them paused). */
  stoppedRids(): string[] {
    return this.layers.filter((layer) => layer.stoppedAt !== undefined).map((layer) => layer.rid)
  }

  /**
   * A packet of `layer`; its keyframes tell its width. Only new media says the layer is sending: Chromium
   * keeps padding on a layer it stopped (sendLayers' `mid`: 500 padding packets in 25 s, web faults-impaired
   * spec, stop 35), which kept that layer ranked, as wide as the shrunk top one, and asked for its keyframe
   * every second (each answered by a keyframe of the top layer across the lossy path).
   */
  onPacket(layer: Layer, ssrc: number, payload: Uint8Array, now: number, keyframe: boolean, rtpTimestamp?: number, sequenceNumber?: number): void {
    if (layer.ssrc !== ssrc) {
      layer.ssrc = ssrc
      layer.highestSeq = undefined
      layer.keyframes.retry()
    }
    // Padding is numbered too: past it, a resend is still told by its number.
    const fresh = this.#fresh(layer, sequenceNumber)
    if (payload.length === 0) return
    layer.bytes += payload.length + 12
    if (fresh) {
      layer.lastPacketAt = now
      layer.lastPacketCount = ++this.#packets
      if (rtpTimestamp !== undefined) this.#countFrame(layer, rtpTimestamp, now)
      // New media long after the stop (the packets in flight at it are in by then): the layer is back though
      // no frame named it. A publisher whose channel closed in between; or Chromium, which turns every rid
      // on again when it applies a description, behind the back of the app that stopped them: it sent `mid`
      // and starved the top layer, and its subscribers got nothing until `mid`'s next keyframe, which only a
      // request brings (loadtest README, stop 41: freezes of 1–12 s, and whole runs).
      if (layer.stoppedAt !== undefined && now - layer.stoppedAt > LAYER_IDLE_MS) layer.stoppedAt = undefined
    }
    if (!keyframe) return
    if (layer.keyframes.awaitingKeyframe) layer.keyframes.keyframeArrived()
    const size = vp8KeyframeSize(payload)
    if (size) layer.width = size.width
  }

  /** Whether a packet of `layer` goes to the keyframe hold: only the widest sending layer's, from its keyframe. */
  holds(layer: Layer, keyframe: boolean, now: number): boolean {
    if (keyframe && this.layerAt(Number.POSITIVE_INFINITY, now) === layer) this.heldLayer = layer
    return this.heldLayer === layer
  }

  /** The layers sending now and not starved, narrowest first (the narrowest is never starved). */
  active(now: number): Layer[] {
    const sending = this.layers.filter((layer) => layer.width > 0 && !this.#idle(layer, now)).sort((a, b) => a.width - b.width)
    return sending.filter((layer, index) => index === 0 || !layer.starved)
  }

  /** Whether `layer` is in active(now), without its arrays and sort (LayerSwitch asks it per packet). */
  isActive(layer: Layer, now: number): boolean {
    if (layer.width <= 0 || this.#idle(layer, now)) return false
    if (!layer.starved) return true
    // A starved layer counts only as the narrowest sending one (ties in width: the earlier layer first).
    const index = this.layers.indexOf(layer)
    return !this.layers.some(
      (other, i) => other !== layer && other.width > 0 && (other.width < layer.width || (other.width === layer.width && i < index)) && !this.#idle(other, now),
    )
  }

  /** How many layers are in active(now), without its arrays (a tile's ceiling counts down from the widest). */
  activeCount(now: number): number {
    let count = 0
    for (const layer of this.layers) if (this.isActive(layer, now)) count++
    return count
  }

  /** A sequence number past the layer's highest (kept as the new highest); unnumbered packets count as new. */
  #fresh(layer: Layer, sequenceNumber: number | undefined): boolean {
    if (sequenceNumber === undefined) return true
    const ahead = layer.highestSeq === undefined ? 1 : (sequenceNumber - layer.highestSeq) & 0xffff
    if (ahead === 0 || ahead >= 0x8000) return false
    layer.highestSeq = sequenceNumber
    return true
  }

  /** Stopped by the publisher, silent for LAYER_IDLE_MS, or for IDLE_FRAMES of its frames while the others sent IDLE_OTHER_PACKETS. */
  #idle(layer: Layer, now: number): boolean {
    if (layer.stoppedAt !== undefined) return true
    const silentMs = now - layer.lastPacketAt
    if (silentMs > LAYER_IDLE_MS) return true
    const fps = layer.framesPerSecond
    const soonMs = fps && fps > 0 ? Math.max(IDLE_MIN_MS, (IDLE_FRAMES * 1000) / fps) : LAYER_IDLE_MS
    return silentMs > soonMs && this.#packets - layer.lastPacketCount >= IDLE_OTHER_PACKETS
  }

  #countFrame(layer: Layer, rtpTimestamp: number, now: number): void {
    if (layer.lastTimestamp === rtpTimestamp) return
    layer.lastTimestamp = rtpTimestamp
    if (now - layer.windowStart < FRAME_RATE_WINDOW_MS) {
      layer.frames++
      return
    }
    if (Number.isFinite(layer.windowStart)) {
      layer.framesPerSecond = (layer.frames * 1000) / (now - layer.windowStart)
      layer.bitsPerSecond = (layer.bytes * 8 * 1000) / (now - layer.windowStart)
      this.#judgeStarved(layer)
    }
    layer.windowStart = now
    layer.frames = 1
    layer.bytes = 0
  }

  /** Compared with the next narrower sending layer, at the end of each of its windows. */
  #judgeStarved(layer: Layer): void {
    const narrower = this.layers.filter((other) => other.width > 0 && other.width < layer.width).sort((a, b) => b.width - a.width)[0]
    const own = layer.framesPerSecond
    const below = narrower?.framesPerSecond
    if (own === undefined || below === undefined || below <= 0) {
      layer.starved = false
      return
    }
    layer.starved = own < below * (layer.starved ? FED_SHARE : STARVED_SHARE)
  }

  /**
   * The layer for `level` (1 = narrowest; clamped to the widest sending); undefined for 0 or none sending.
   * It is active(now)[min(level, its length) − 1], without active's arrays and sort: it runs per forwarded
   * packet and subscriber. The sending layers are walked narrowest first (equal widths in layer order, as
   * the stable sort), the narrowest counted even when starved.
   */
  layerAt(level: number, now: number): Layer | undefined {
    if (level <= 0) return undefined
    const layers = this.layers
    let found: Layer | undefined
    let count = 0
    let previous = -1
    for (;;) {
      let next = -1
      for (let i = 0; i < layers.length; i++) {
        const layer = layers[i]!
        if (layer.width <= 0 || this.#idle(layer, now)) continue
        if (previous >= 0) {
          const after = layers[previous]!
          if (layer.width < after.width || (layer.width === after.width && i <= previous)) continue
        }
        if (next < 0 || layer.width < layers[next]!.width) next = i
      }
      if (next < 0) return found
      if (count === 0 || !layers[next]!.starved) {
        found = layers[next]
        if (++count >= level) return found
      }
      previous = next
    }
  }

  end(): void {
    for (const layer of this.layers) layer.keyframes.end()
  }
}
