// Voice activity on the werift plane: a detector (vad.ts) per published audio track that a subscriber
// registered with enable_vad receives, fed the RFC 6464 level of each packet (audio-level.ts), its reports
// handed to each such subscriber that is being forwarded the track. The detector is made when the first
// such subscriber attaches and ended when the last one goes (or the track does): a track nobody asked
// about costs one property check per packet.
import type { RtpHeader } from 'werift'
import type { AudioLevelSample } from '@parley/protocol'
import type { Clock } from '../clock.js'
import { audioLevelId, audioLevelIn } from './audio-level.js'
import type { Source, Subscription } from './werift-forwarder-types.js'
import { VoiceDetector } from './vad.js'

export interface SourceVoice {
  readonly detector: VoiceDetector
  /** The extension's id on the publisher's m-line (null: not negotiated), looked up on the first packet. */
  extensionId: number | null | undefined
}

/** A subscription was attached: its source gets a detector if its subscriber wants reports. */
export function voiceAttached(source: Source, subscription: Subscription, clock: Clock): void {
  if (source.voice || source.published.kind !== 'audio' || !subscription.owner.voiceActivity) return
  source.voice = { detector: new VoiceDetector(clock, (levels) => reportVoice(source, levels)), extensionId: undefined }
}

/** A subscription went: the detector ends with the last subscriber that wants reports. */
export function voiceDetached(source: Source): void {
  if (!source.voice) return
  for (const subscription of source.subscriptions) if (subscription.owner.voiceActivity) return
  voiceEnded(source)
}

export function voiceEnded(source: Source): void {
  source.voice?.detector.end()
  source.voice = undefined
}

/** Per packet of a source with a detector. */
export function voicePacket(voice: SourceVoice, source: Source, header: RtpHeader): void {
  let id = voice.extensionId
  if (id === undefined) id = voice.extensionId = audioLevelId(source.transceiver.headerExtensions)
  if (id === null) return
  const byte = audioLevelIn(header.extensions, id)
  if (byte >= 0) voice.detector.onPacket(header.sequenceNumber, header.timestamp, byte)
}

function reportVoice(source: Source, levels: AudioLevelSample[] | null): void {
  for (const subscription of source.subscriptions) {
    // Only to a subscriber that has the track (something was forwarded to it): the SDK finds the stream by id.
    if (subscription.forwarding) subscription.owner.voiceActivity?.(subscription, levels)
  }
}
