// Our camera's sender holds its resolution for the first seconds of sending only (`degradationPreference:
// 'maintain-resolution'`, then back to the sender's own preference). Why the hold: Firefox sent a
// 640x480 camera at 480x360 for its first ~2 s (libwebrtc drops the first frames as too large for its
// start rate and scales down, and scales back up only once the hub's estimate has come), where issue 10
// asks for 640x480 from the first second; held, it sends 640x480 from its first frame. Why the release:
// held for good, on a link below what the camera needs the encoder loses its way down (Firefox at
// 250 kbit/s froze 7.5–8 s of 15 against 3 s unheld). The loadtest README's ramp, stop 30, has the figures.
import type { ClockLike, RtpSenderLike } from './ports.js'

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
 * Asks the sender to hold its resolution now; `start()` (ICE connected; the first call counts) has the
 * release due RESOLUTION_HOLD_MS later, back to the preference the sender had (`balanced` when it named
 * none); `stop()` (the session closes) cancels it. A sender without parameters is left as it is; a
 * refusal, thrown or rejected, changes nothing and the release then asks nothing; werift's
 * setParameters answers with no promise.
 */
export function holdResolution(sender: RtpSenderLike, clock: Pick<ClockLike, 'setTimeout' | 'clearTimeout'>): { start(): void; stop(): void } {
  let own: string | undefined
  let held: Promise<boolean> | undefined = set(sender, (given) => ((own = given ?? 'balanced'), 'maintain-resolution'))
  let timer: unknown
  return {
    start() {
      if (held)
        timer ??= clock.setTimeout(() => {
          void held?.then((applied) => applied && set(sender, () => own!))
          held = undefined
        }, RESOLUTION_HOLD_MS)
    },
    stop() {
      clock.clearTimeout(timer)
      held = undefined
    },
  }
}

/** Sets the sender's preference (given its own); resolves whether the sender took it. */
async function set(sender: RtpSenderLike, preference: (own: string | undefined) => string): Promise<boolean> {
  try {
    const parameters = sender.getParameters?.()
    if (!parameters || !sender.setParameters) return false
    await sender.setParameters({ ...parameters, degradationPreference: preference(parameters.degradationPreference) })
    return true
  } catch {
    return false
  }
}
