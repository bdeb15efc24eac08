// The payload types of a client's offer that the hub never negotiates, dropped from the copy werift reads.
// A browser offers every codec it can (Chromium: 8 audio and 23–37 video payload types per m-line, with
// their fmtp and rtcp-fb lines); the hub answers opus and VP8 only (werift-config), and werift parses
// and matches every one of them for each m-line. With the core's receive slots (six recvonly m-lines) that
// was 18 ms of werift's 24 KB offer on a quiet box, and 6 ms without them (stop 45, hub README "Receive
// slots"). The answer is the same either way: werift answers the codecs it takes, with the offer's
// payload types, and the client's own description is untouched.
import type { RTCPeerConnectionConfig } from 'werift'

/** The codec names (`opus`, `vp8`: the part after the slash, lower case) a werift configuration takes. */
export function codecNamesOf(codecs: RTCPeerConnectionConfig['codecs']): Set<string> {
  return new Set([...(codecs?.audio ?? []), ...(codecs?.video ?? [])].map((codec) => codec.mimeType.split('/')[1]!.toLowerCase()))
}

/**
 * `sdp` with each audio/video m-line's payload types cut to the codecs named in `names` (and their
 * `rtpmap`/`fmtp`/`rtcp-fb` lines). An m-line with none of them is left whole: werift rejects it, as it did.
 */
export function withoutForeignCodecs(sdp: string, names: ReadonlySet<string>): string {
  const newline = sdp.includes('\r\n') ? '\r\n' : '\n'
  const [session = '', ...sections] = sdp.split(new RegExp(`${newline}(?=m=)`))
  return [session, ...sections.map((section) => keepInSection(section, newline, names))].join(newline)
}

function keepInSection(section: string, newline: string, names: ReadonlySet<string>): string {
  const lines = section.split(newline)
  const media = /^m=(audio|video) (\S+) (\S+) (.*)$/.exec(lines[0] ?? '')
  if (!media) return section
  const kept = new Set<string>()
  for (const line of lines) {
    const rtpmap = /^a=rtpmap:(\d+) ([^/\s]+)\//.exec(line)
    if (rtpmap && names.has(rtpmap[2]!.toLowerCase())) kept.add(rtpmap[1]!)
  }
  if (kept.size === 0) return section
  const payloadTypes = media[4]!.split(' ').filter((payloadType) => kept.has(payloadType))
  const rest = lines.slice(1).filter((line) => {
    const codecLine = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+) /.exec(line)
    return !codecLine || kept.has(codecLine[1]!)
  })
  return [`m=${media[1]} ${media[2]} ${media[3]} ${payloadTypes.join(' ')}`, ...rest].join(newline)
}
