// The resolution hold machine's I/O: the camera sender's degradation preference, set through the
// conference's CameraSender (sendResolution.ts), which the room's peer session attaches.
import { fromCallback } from 'xstate'
import type { CameraSender } from '../sendResolution.js'

/** What the hold machine tells its sender actor. */
export type SenderPreferenceCommand = { type: 'hold.release' }

export function resolutionHoldActors({ camera }: { camera: CameraSender }) {
  return {
    /**
     * Asks the camera's sender to hold its resolution as it starts; `hold.release` gives the sender its
     * own preference back once it has answered the hold (nothing when it did not take it). The answers
     * are not events: no state waits on a promise that a call trace does not record, so a replay takes
     * the recorded path. Nothing to clean up: the sender is the peer session's, and a release already
     * asked for still goes out (a closed connection's sender refuses it, which changes nothing).
     */
    senderPreference: fromCallback<SenderPreferenceCommand>(({ receive }) => {
      const held = camera.hold()
      receive(() => void held.then((own) => (own === null ? undefined : camera.release(own))))
    }),
  }
}

export type ResolutionHoldActors = ReturnType<typeof resolutionHoldActors>
