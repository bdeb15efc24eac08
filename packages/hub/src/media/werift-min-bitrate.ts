// The room's floor as the publisher's own minimum, for a publisher that estimates on the send side
// (transport-cc): libwebrtc takes a REMB only as an upper bound then, so the hub's floor no longer holds
// Chromium up, and on the ramp bench's lossy link its loss-based estimate fell to 81 kbit/s in every
// run (loadtest README, stop 28). `x-google-min-bitrate` (kbit/s) in the VP8 fmtp of the hub's description
// of a publisher's m-line (recvonly on the hub's side) is read by libwebrtc from its negotiated send codec
// as the minimum of its estimate; other browsers ignore it. werift answers with the offer's fmtp and has no
// parameter for it, so it is written into the description the client gets (offers too: the client
// re-reads its send codec from every remote description).
const MIN_BITRATE = 'x-google-min-bitrate'

/** `sdp` with `x-google-min-bitrate=<kbps>` on the VP8 format of every recvonly video section. */
export function withMinBitrate(sdp: string, kbps: number): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n'
  const sections = sdp.split(/(?=^m=)/m)
  return sections
    .map((section) => {
      if (!section.startsWith('m=video') || !/^a=recvonly\r?$/m.test(section)) return section
      const vp8 = /^a=rtpmap:(\d+) VP8\/90000(?=\r?$)/m.exec(section)
      if (!vp8 || section.includes(MIN_BITRATE)) return section
      const pt = vp8[1]!
      const fmtp = new RegExp(`^(a=fmtp:${pt} [^\\r\\n]*)`, 'm')
      if (fmtp.test(section)) return section.replace(fmtp, `$1;${MIN_BITRATE}=${kbps}`)
      return section.replace(vp8[0], `${vp8[0]}${eol}a=fmtp:${pt} ${MIN_BITRATE}=${kbps}`)
    })
    .join('')
}
