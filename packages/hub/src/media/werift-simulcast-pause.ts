// Paused rids (RFC 8853's `~`) in what the hub sends a simulcast publisher. Chromium sets each encoding's
// `active` from the a=simulcast of every remote description it applies, offer or answer (webrtc's
// UpdateSimulcastLayerStatusInSender: `active = !is_paused`; measured with Chromium 156, loadtest README
// "stop 42"): a rid written plain turns a layer the app stopped back on (stop 41), `~rid` keeps it off.
// werift writes every rid plain and ignores the `~` it reads, so the hub marks them in the text it hands
// the client: in its offers the layers the publisher said it stopped (simulcast_layers), in its answers
// the ones the client's own offer sent paused. Only descriptions pass here, never packets.

/** Rids to write paused, by the mid of their m-section. */
export type PausedRids = ReadonlyMap<string, ReadonlySet<string>>

const SIMULCAST = 'a=simulcast:'

/**
 * `sdp` with the rids of `paused` marked `~` in each named m-section's `a=simulcast:` recv list (the
 * hub's side: it receives the publisher's layers). Nothing else changes, `a=rid:` lines included.
 */
export function pauseRids(sdp: string, paused: PausedRids): string {
  if (paused.size === 0) return sdp
  const newline = sdp.includes('\r\n') ? '\r\n' : '\n'
  const lines = sdp.split(/\r?\n/)
  for (const section of sections(lines)) {
    const rids = section.mid === undefined ? undefined : paused.get(section.mid)
    if (!rids || rids.size === 0 || section.simulcastLine === undefined) continue
    lines[section.simulcastLine] = rewriteList(lines[section.simulcastLine]!, 'recv', (rid, wasPaused) => (wasPaused || rids.has(rid) ? `~${rid}` : rid))
  }
  return lines.join(newline)
}

/** The rids a description sends paused (`~` in its `a=simulcast:` send list), by mid; sections with none left out. */
export function pausedRidsOf(sdp: string): Map<string, Set<string>> {
  const lines = sdp.split(/\r?\n/)
  const paused = new Map<string, Set<string>>()
  for (const section of sections(lines)) {
    if (section.mid === undefined || section.simulcastLine === undefined) continue
    const rids = new Set<string>()
    rewriteList(lines[section.simulcastLine]!, 'send', (rid, wasPaused) => {
      if (wasPaused) rids.add(rid)
      return rid
    })
    if (rids.size > 0) paused.set(section.mid, rids)
  }
  return paused
}

interface Section {
  mid: string | undefined
  /** The index of its `a=simulcast:` line. */
  simulcastLine: number | undefined
}

function sections(lines: readonly string[]): Section[] {
  const found: Section[] = []
  let current: Section | undefined
  lines.forEach((line, index) => {
    if (line.startsWith('m=')) found.push((current = { mid: undefined, simulcastLine: undefined }))
    else if (!current) return
    else if (line.startsWith('a=mid:')) current.mid = line.slice('a=mid:'.length).trim()
    else if (line.startsWith(SIMULCAST)) current.simulcastLine = index
  })
  return found
}

/**
 * The `a=simulcast:` line with each rid of its `direction` list (`recv a;b,c`: `;` separates streams, `,`
 * alternatives) replaced by `map(rid without ~, whether it had one)`.
 */
function rewriteList(line: string, direction: 'send' | 'recv', map: (rid: string, paused: boolean) => string): string {
  const fields = line.slice(SIMULCAST.length).trim().split(/\s+/)
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] !== direction) continue
    fields[i + 1] = fields[i + 1]!
      .split(';')
      .map((stream) =>
        stream
          .split(',')
          .map((rid) => (rid.startsWith('~') ? map(rid.slice(1), true) : map(rid, false)))
          .join(','),
      )
      .join(';')
  }
  return SIMULCAST + fields.join(' ')
}
