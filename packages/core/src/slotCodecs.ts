// A receive slot offers only the codecs our hub forwards. A browser's recvonly m-line lists every codec it
// can decode (Chromium: VP8, VP9 profiles, H264 variants, AV1, H265, each with its rtx, and the audio
// codecs), ≈ 3 KB of offer per video m-line; the hub answers opus and VP8 only (hub README, "Receive
// slots"). Trimmed, a slot costs the offer ≈ 1 KB and the page's descriptions about half the time
// (loadtest README, "Stop 46"), so more slots fit in the same offer.
import { FORWARDED_CODECS } from '@parley/protocol'
import type { RtpTransceiverLike } from './ports.js'

interface CodecCapabilityLike {
  readonly mimeType: string
}

/** A browser's `RTCRtpReceiver` class: its static `getCapabilities`. werift's has none. */
interface ReceiverClassLike {
  getCapabilities?(kind: string): { readonly codecs: readonly CodecCapabilityLike[] } | null
}

/** A transceiver that may take codec preferences (browsers'; werift's too, but its receiver class has no capabilities). */
interface PreferringTransceiver extends RtpTransceiverLike {
  setCodecPreferences?(codecs: CodecCapabilityLike[]): void
}

/**
 * Narrows a receive slot's codecs to opus or VP8. The capabilities are those of the receiver class the
 * injected peer connection made (no browser global is read); where there is no such class or method
 * (werift, a trace replay's fakes) or the browser refuses, the slot keeps its whole list, as before.
 */
export function offerSlotCodecsOnly(transceiver: PreferringTransceiver, kind: 'audio' | 'video'): void {
  const receiverClass = (transceiver.receiver as { constructor?: ReceiverClassLike }).constructor
  const codecs = receiverClass?.getCapabilities?.(kind)?.codecs.filter((codec) => FORWARDED_CODECS.includes(codec.mimeType.toLowerCase()))
  if (!codecs?.length || typeof transceiver.setCodecPreferences !== 'function') return
  try {
    transceiver.setCodecPreferences(codecs)
  } catch {
    // The browser's whole list: the slot works as it did, only larger.
  }
}
