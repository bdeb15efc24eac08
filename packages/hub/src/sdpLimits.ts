// What the hub checks of a client's SDP before the media plane sees it: how many tracks it sends.
// Kept to the few lines the limits need; the media plane does its own, fuller parsing.

/** Audio and video m-lines of `sdp` that are not rejected (port 0) and send (sendrecv, sendonly or no direction). */
export function sendingTrackCount(sdp: string): number {
  return mediaDirections(sdp).filter((direction) => direction === 'sendrecv' || direction === 'sendonly').length
}

/** Audio and video m-lines of `sdp` that are not rejected and only receive: a client's receive slots. */
export function receiveSlotCount(sdp: string): number {
  return mediaDirections(sdp).filter((direction) => direction === 'recvonly').length
}

/** The direction of each audio and video m-line that is not rejected (port 0). */
function mediaDirections(sdp: string): string[] {
  const directions: string[] = []
  for (const section of sdp.split(/\r?\n(?=m=)/).slice(1)) {
    const mLine = /^m=(audio|video) (\d+)/.exec(section)
    if (!mLine || mLine[2] === '0') continue
    directions.push(/^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.exec(section)?.[1] ?? 'sendrecv')
  }
  return directions
}
