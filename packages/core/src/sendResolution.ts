// Our camera's sender holds its resolution for the first seconds of sending only (`degradationPreference:
// 'maintain-resolution'`, then back to the sender's own preference). Why the hold: Firefox sent a
// 640x480 camera at 480x360 for its first ~2 s (libwebrtc drops the first frames as too large for its
// start rate and scales down, and scales back up only once the hub's estimate has come), where issue 10
// asks for 640x480 from the first second; held, it sends 640x480 from its first frame. Why the release:
// held for good, on a link below what the camera needs the encoder loses its way down (Firefox at
// 250 kbit/s froze 7.5–8 s of 15 against 3 s unheld). The loadtest README's ramp, stop 30, has the figures.
// The hold and its release are the states of machines/resolutionHoldMachine.ts; this is their I/O.
import type { RtpSenderLike } from './ports.js'

/**
 * How long the hold lasts once ICE is connected: the initial frame drop happens on the first frames
 * (0.1–0.5 s after ICE connects), and 1 s covers them; after this the browser degrades as it chooses
 * again. Held longer on a link below what 640x480 needs, the queue behind the held frames froze the
 * video at the release: 5 s (stop 30) gave Firefox gaps of 700–900 ms at 250 kbit/s, 1.5 s up to 483 ms
 * (Chromium 683), 1 s at most 217 ms (Chromium 333), with 640x480 throughout on a clean link at either
 * length (loadtest README, ramp, stop 31).
 */
export const RESOLUTION_HOLD_MS = 1000

/**
 * Where the hold machine's actors find the camera's sender: the room's peer session attaches it while
 * it lives (it stays that sender's one owner; this only sets its degradation preference). A sender
 * without parameters is left as it is; a refusal, thrown or rejected, changes nothing; werift's
 * setParameters answers with no promise.
 */
export class CameraSender {
  private sender: RtpSenderLike | null = null
  /** The attached sender's first track's id: its MSID track id, which the hub knows the track by (replaceTrack keeps the MSID). */
  trackId: string | undefined
  /** The degradation preference the sender had before its lower layers went off. */
  private preference: string | undefined

  attach(sender: RtpSenderLike): () => void {
    this.sender = sender
    this.trackId = sender.track?.id
    return () => {
      if (this.sender === sender) this.sender = null
    }
  }

  /** Asks the sender to hold its resolution; resolves the preference to go back to (its own, `balanced` when it named none), or null when it did not take the hold. */
  async hold(): Promise<string | null> {
    let own = 'balanced'
    const applied = await set(this.sender, (parameters) => ((own = parameters.degradationPreference ?? 'balanced'), { degradationPreference: 'maintain-resolution' }))
    return applied ? own : null
  }

  /** Gives the sender back `preference` (what `hold()` resolved). */
  async release(preference: string): Promise<void> {
    await set(this.sender, () => ({ degradationPreference: preference }))
  }

  /**
   * Turns every simulcast layer but the first (the top one) on or off (machines/sendLayersMachine.ts). Off,
   * the top layer alone keeps its frame rate (`maintain-framerate`): a lone layer is adapted by the browser,
   * and 'balanced' took it to 320x240 at 7–10 fps on the lossy relay where `mid` had run at 20; on again, the
   * preference it had comes back. Resolves whether the sender took it.
   */
  layers(on: boolean): Promise<boolean> {
    return set(this.sender, ({ encodings, degradationPreference }) => {
      if (!on) this.preference = degradationPreference ?? 'balanced'
      return {
        encodings: lowerLayers(encodings, on),
        degradationPreference: on ? (this.preference ?? degradationPreference) : 'maintain-framerate',
      }
    })
  }

  /**
   * Turns the lower layers on or off again where a description set them otherwise: the send-layers
   * machine asks after each negotiation, with what its state says they are. Chromium sets each
   * encoding's `active` from the remote description's `a=simulcast` (a rid not marked paused is on,
   * one marked `~` off). Unpaused, the hub's next offer (a participant joining) restarted `mid` behind
   * our back: Chromium sent `mid` and starved the top layer, while the hub, told that only the top one
   * sends, had no layer to forward (the ramp bench's constrained link: 1–12 s and whole-run freezes,
   * loadtest README, stop 41). Paused, a hub offer that left before our restart reached the hub would
   * keep them off for good (hub README, stop 42). Resolves whether it had to.
   */
  async keepLayers(on: boolean): Promise<boolean> {
    const encodings = this.sender?.getParameters?.().encodings as { active?: boolean }[] | undefined
    if (!encodings?.some((encoding, index) => index > 0 && (encoding.active ?? true) !== on)) return false
    return set(this.sender, ({ encodings: current }) => ({ encodings: lowerLayers(current, on) }))
  }
}

type SenderParameters = ReturnType<NonNullable<RtpSenderLike['getParameters']>>

/** The sender's encodings with every one but the first (the top layer) on or off. */
function lowerLayers(encodings: unknown, active: boolean): object[] | undefined {
  return (encodings as object[] | undefined)?.map((encoding, index) => (index === 0 ? encoding : { ...encoding, active }))
}

/** Sets what `change` gives over the sender's parameters; resolves whether the sender took it. */
async function set(sender: RtpSenderLike | null, change: (parameters: SenderParameters) => object): Promise<boolean> {
  try {
    const parameters = sender?.getParameters?.()
    if (!parameters || !sender?.setParameters) return false
    await sender.setParameters({ ...parameters, ...change(parameters) })
    return true
  } catch {
    return false
  }
}
