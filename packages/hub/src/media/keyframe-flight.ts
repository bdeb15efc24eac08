// Whether a keyframe asked of a publisher is still on its way, so that a subscriber's request for one to
// recover from loss (its PLI/FIR, a NACK the hub could not answer) is answered by it rather than asking
// again. Chromium's receiver repeats its PLI every ≈ 200 ms until a keyframe decodes; at 80 kbit/s a
// 640x480 keyframe takes longer than that to arrive, so each repeat became another keyframe (one per 320
// ms, the request interval) and the encoder's rate control dropped frames after them: measured on the ramp
// bench's constrained link, 8 subscriber PLIs in 3 s and gaps of 700–1300 ms (loadtest README, stop 29).
// A join's keyframe is not gated (the hold needs a keyframe that starts after it, werift-keyframe-hold.ts).

/** How long a requested keyframe may take to arrive before a recovery request asks again. */
export const KEYFRAME_ANSWER_WAIT_MS = 1000

/** What one published video track keeps of its last keyframe request (werift-forwarder-types.ts, Source). */
export interface KeyframeFlight {
  lastKeyframeRequestAt: number
  /** A PLI went out and no keyframe has arrived since. */
  keyframeAwaited: boolean
  /** The requested keyframe is arriving: its first packet came and no packet of a later frame yet. */
  keyframeDelivering: boolean
  /** The RTP timestamp of the keyframe arriving. */
  keyframeTimestamp: number
}

/** Whether a recovery request is answered by a keyframe already asked for (awaited, or arriving). */
export function keyframeOnItsWay(flight: KeyframeFlight, now: number): boolean {
  return flight.keyframeDelivering || (flight.keyframeAwaited && now - flight.lastKeyframeRequestAt < KEYFRAME_ANSWER_WAIT_MS)
}

/**
 * One video packet of the track (allocation-free): `keyframeStart` when it begins a VP8 keyframe. Returns
 * true when it is the first packet of the keyframe awaited.
 */
export function keyframePacket(flight: KeyframeFlight, timestamp: number, keyframeStart: boolean): boolean {
  if (flight.keyframeDelivering && timestamp !== flight.keyframeTimestamp) flight.keyframeDelivering = false
  if (!flight.keyframeAwaited || !keyframeStart) return false
  flight.keyframeAwaited = false
  flight.keyframeDelivering = true
  flight.keyframeTimestamp = timestamp
  return true
}
