// Small, tolerant SDP and ICE-candidate readers for the werift media plane. werift parses SDP itself;
// these only answer the plane's own questions (which m-lines a client sends, under which MSID) and
// check client input before it reaches werift.

export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'

export interface SdpMediaSection {
  readonly index: number
  readonly kind: string
  readonly port: number
  readonly mid: string | undefined
  readonly direction: SdpDirection
  /** `a=msid:<streamId> <trackId>`, when present. */
  readonly msid: { streamId: string; trackId: string } | undefined
  readonly ssrcCount: number
  /** The id of `urn:ietf:params:rtp-hdrext:sdes:mid` in this section's extmap. */
  readonly midExtensionId: number | undefined
}

const SDES_MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid'
const DIRECTIONS: readonly SdpDirection[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive']

/** Splits an SDP into its media sections. Session-level lines are ignored except the direction default. */
export function parseMediaSections(sdp: string): SdpMediaSection[] {
  const lines = sdp.split(/\r?\n/)
  const sections: SdpMediaSection[] = []
  let sessionDirection: SdpDirection = 'sendrecv'
  let current: {
    kind: string
    port: number
    mid?: string
    direction?: SdpDirection
    msid?: { streamId: string; trackId: string }
    ssrcs: Set<string>
    midExtensionId?: number
  } | undefined
  const finish = () => {
    if (!current) return
    sections.push({
      index: sections.length,
      kind: current.kind,
      port: current.port,
      mid: current.mid,
      direction: current.direction ?? sessionDirection,
      msid: current.msid,
      ssrcCount: current.ssrcs.size,
      midExtensionId: current.midExtensionId,
    })
  }
  for (const line of lines) {
    if (line.startsWith('m=')) {
      finish()
      const [kind = '', port = '0'] = line.slice(2).split(' ')
      current = { kind, port: Number.parseInt(port, 10) || 0, ssrcs: new Set() }
      continue
    }
    if (!line.startsWith('a=')) continue
    const attribute = line.slice(2).trim()
    const direction = DIRECTIONS.find((d) => d === attribute)
    if (direction) {
      if (current) current.direction = direction
      else sessionDirection = direction
      continue
    }
    if (!current) continue
    if (attribute.startsWith('mid:')) {
      current.mid = attribute.slice(4).trim()
    } else if (attribute.startsWith('msid:') && !current.msid) {
      const [streamId, trackId] = attribute.slice(5).trim().split(/\s+/)
      if (streamId && trackId) current.msid = { streamId, trackId }
    } else if (attribute.startsWith('ssrc:')) {
      const value = attribute.slice(5)
      const space = value.indexOf(' ')
      const ssrc = space === -1 ? value : value.slice(0, space)
      const rest = space === -1 ? '' : value.slice(space + 1)
      current.ssrcs.add(ssrc)
      // Old clients (Plan B era) only carry the MSID on the ssrc line.
      if (!current.msid && rest.startsWith('msid:')) {
        const [streamId, trackId] = rest.slice(5).trim().split(/\s+/)
        if (streamId && trackId) current.msid = { streamId, trackId }
      }
    } else if (attribute.startsWith('extmap:')) {
      const match = /^extmap:(\d+)(?:\/\S+)?\s+(\S+)/.exec(attribute)
      if (match && match[2] === SDES_MID_URI) current.midExtensionId = Number(match[1])
    }
  }
  finish()
  return sections
}

/** True when the client sends media on this section (an audio/video m-line that is not rejected). */
export function isSendingSection(section: SdpMediaSection): boolean {
  return (
    (section.kind === 'audio' || section.kind === 'video') &&
    section.port !== 0 &&
    (section.direction === 'sendonly' || section.direction === 'sendrecv')
  )
}

/** True when the description has an accepted m=application section. */
export function hasApplicationSection(sdp: string | undefined): boolean {
  if (!sdp) return false
  return parseMediaSections(sdp).some((s) => s.kind === 'application' && s.port !== 0)
}

export interface ParsedCandidate {
  readonly address: string
  readonly port: number
  readonly protocol: string
  readonly type: string
}

/**
 * Reads an ICE candidate line (`candidate:<foundation> <component> <transport> <priority> <address>
 * <port> typ <type> ...`, with or without the `a=` / `candidate:` prefix). Throws a clear Error when
 * the line is malformed, so the hub can answer 400 instead of handing werift something it chokes on.
 */
export function parseCandidate(candidate: string): ParsedCandidate {
  let text = candidate.trim()
  if (text.startsWith('a=')) text = text.slice(2)
  if (text.startsWith('candidate:')) text = text.slice('candidate:'.length)
  const fields = text.split(/\s+/)
  const [foundation, component, protocol, priority, address, port, typ, type] = fields
  const isInteger = (value: string | undefined) => value !== undefined && /^\d+$/.test(value)
  if (
    !foundation ||
    !isInteger(component) ||
    !protocol ||
    !isInteger(priority) ||
    !address ||
    !isInteger(port) ||
    Number(port) > 65535 ||
    typ !== 'typ' ||
    !type
  ) {
    throw new Error(`malformed ICE candidate: ${JSON.stringify(candidate.slice(0, 200))}`)
  }
  return { address, port: Number(port), protocol: protocol.toLowerCase(), type }
}

/** mDNS (`*.local`) candidates would make werift open a multicast socket; the plane never resolves them. */
export function isMdnsAddress(address: string): boolean {
  return address.toLowerCase().endsWith('.local')
}

/**
 * Removes `a=candidate` lines the plane will not use from an SDP: mDNS names and, when an allow-list is
 * given, addresses outside it. werift would otherwise resolve `.local` names over multicast.
 */
export function filterSdpCandidates(sdp: string, allowed: ReadonlySet<string>): string {
  const newline = sdp.includes('\r\n') ? '\r\n' : '\n'
  return sdp
    .split(/\r?\n/)
    .filter((line) => {
      if (!line.startsWith('a=candidate:')) return true
      try {
        const { address } = parseCandidate(line)
        if (isMdnsAddress(address)) return false
        return allowed.size === 0 || allowed.has(address)
      } catch {
        return false
      }
    })
    .join(newline)
}

/**
 * Rejects descriptions werift would accept but mis-handle: no media section, no ICE credentials or
 * DTLS fingerprint, or fewer m-lines than the previous description (m-lines are never removed, RFC 8829 5.2.2).
 */
export function assertUsableDescription(kind: 'offer' | 'answer', sdp: string, minimumSections: number): void {
  const sections = parseMediaSections(sdp)
  if (sections.length === 0) throw new Error(`the ${kind} has no media section (m=)`)
  if (sections.length < minimumSections) {
    throw new Error(`the ${kind} has ${sections.length} media sections, fewer than the ${minimumSections} negotiated before`)
  }
  if (sections.some((s) => s.port !== 0)) {
    for (const attribute of ['a=ice-ufrag:', 'a=ice-pwd:', 'a=fingerprint:']) {
      if (!sdp.includes(attribute)) throw new Error(`the ${kind} lacks ${attribute.slice(2, -1)}`)
    }
  }
  assertUsableAttributes(kind, sdp)
}

/** Bytes of a DTLS certificate fingerprint per hash function (RFC 8122). */
const FINGERPRINT_BYTES: Readonly<Record<string, number>> = { 'sha-1': 20, 'sha-224': 28, 'sha-256': 32, 'sha-384': 48, 'sha-512': 64 }
const SETUP_ROLES = new Set(['actpass', 'active', 'passive'])
const MAX_SSRC = 0xffff_ffff

/**
 * Lines werift takes without complaint but cannot connect with: a fingerprint no certificate can match,
 * a DTLS role it has no code for, an SSRC that does not fit 32 bits. Accepting them answers 200 for a
 * peer that never connects.
 */
function assertUsableAttributes(kind: 'offer' | 'answer', sdp: string): void {
  for (const [, value] of sdp.matchAll(/^a=fingerprint:(.*?)\s*$/gm)) {
    const [algorithm = '', hex = '', ...rest] = (value ?? '').trim().split(/\s+/)
    const bytes = FINGERPRINT_BYTES[algorithm.toLowerCase()]
    const valid = bytes !== undefined && rest.length === 0 && new RegExp(`^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){${bytes - 1}}$`).test(hex)
    if (!valid) throw new Error(`the ${kind} has an unusable fingerprint "${value}": expected sha-1/224/256/384/512 and that many hex bytes`)
  }
  for (const [, role] of sdp.matchAll(/^a=setup:(.*?)\s*$/gm)) {
    if (!SETUP_ROLES.has(role ?? '')) throw new Error(`the ${kind} has a=setup:${role}; the hub supports actpass, active or passive`)
  }
  const ssrcs = [...sdp.matchAll(/^a=ssrc:(\S+)/gm)].map((match) => match[1] ?? '')
  for (const [, members] of sdp.matchAll(/^a=ssrc-group:\S+ (.*?)\s*$/gm)) ssrcs.push(...(members ?? '').split(/\s+/))
  for (const ssrc of ssrcs) {
    if (!/^\d{1,10}$/.test(ssrc) || Number(ssrc) > MAX_SSRC) throw new Error(`the ${kind} has SSRC ${ssrc}, which is not a 32-bit unsigned number`)
  }
}
