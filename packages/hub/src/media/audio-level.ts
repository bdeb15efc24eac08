// The RFC 6464 client-to-mixer audio level a publisher puts on each audio packet (`ssrc-audio-level`
// header extension): one byte, the V (voice) bit and the level in -dBov (0 the loudest, 127 silence).
// Read from the extension elements the receive path already parsed (werift-receive-path.ts), by a loop
// over them: per audio packet, so no allocation and no closure.

export const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level'

/** The extension's id on a negotiated m-line, null when it is not negotiated. */
export function audioLevelId(headerExtensions: readonly { uri: string; id: number }[]): number | null {
  return headerExtensions.find((extension) => extension.uri === AUDIO_LEVEL_URI)?.id ?? null
}

/** The packet's audio-level byte (V bit << 7 | level), or -1 when it carries none. */
export function audioLevelIn(extensions: readonly { id: number; payload: Uint8Array }[], id: number): number {
  for (let i = 0; i < extensions.length; i++) {
    const extension = extensions[i]!
    if (extension.id === id) return extension.payload.length > 0 ? extension.payload[0]! : -1
  }
  return -1
}
