// What the hub checks of a client's SDP before the media plane sees it: how many tracks it sends.
// Kept to the few lines the limits need; the media plane does its own, fuller parsing.

/** Audio and video m-lines of `sdp` that are not rejected (port 0) and send (sendrecv, sendonly or no direction). */
export function sendingTrackCount(sdp: string): number {
  let count = 0
  for (const section of sdp.split(/\r?\n(?=m=)/).slice(1)) {
    const mLine = /^m=(audio|video) (\d+)/.exec(section)
    if (!mLine || mLine[2] === '0') continue
    const direction = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.exec(section)?.[1] ?? 'sendrecv'
    if (direction === 'sendrecv' || direction === 'sendonly') count++
  }
  return count
}
