// A readable timeline of a trace, one line per entry (what `parley-trace show` prints).
import type { Trace, TraceEntry } from './format.js'

const short = (text: string, limit = 96) => (text.length > limit ? `${text.slice(0, limit)}… (${text.length} chars)` : text)
const pathOf = (url: string) => url.replace(/^[a-z]+:\/\/[^/]*/i, '')

/** `{ inRoom: { connection: 'connected', … } }` → 'inRoom.connection.connected, …'. */
export function stateText(value: unknown, prefix = ''): string {
  if (typeof value === 'string') return prefix + value
  if (typeof value !== 'object' || value === null) return prefix || String(value)
  const parts = Object.entries(value as Record<string, unknown>).map(([key, child]) => stateText(child, `${prefix}${key}.`))
  return parts.length > 0 ? parts.join(', ') : prefix.replace(/\.$/, '')
}

export function describeEntry(entry: TraceEntry, actorPath: (ref: number) => string): [who: string, what: string] {
  switch (entry.kind) {
    case 'event': {
      const { type, ...rest } = entry.event
      const payload = Object.keys(rest).length > 0 ? ` ${short(JSON.stringify(rest), 80)}` : ''
      return [actorPath(entry.actor), `⇐ ${type}${entry.source !== undefined ? ` from ${actorPath(entry.source)}` : ''}${payload}`]
    }
    case 'state':
      return [actorPath(entry.actor), `${entry.value === undefined ? entry.status : stateText(entry.value)}${entry.status !== 'active' && entry.value !== undefined ? ` (${entry.status})` : ''}`]
    case 'http.request':
      return ['http', `→ #${entry.req} ${entry.method} ${pathOf(entry.url)}${entry.body ? ` ${short(entry.body, 80)}` : ''}`]
    case 'http.response':
      return ['http', `← #${entry.req} ${entry.status} ${short(entry.body, 80)}`]
    case 'http.error':
      return ['http', `✗ #${entry.req}${entry.status !== undefined ? ` ${entry.status}` : ''} ${entry.error.name}: ${entry.error.message}`]
    case 'sse.open':
      return [`sse ${entry.es}`, `open ${pathOf(entry.url)}`]
    case 'sse.event':
      return [`sse ${entry.es}`, `${entry.name}${entry.data ? ` ${short(entry.data, 80)}` : ''}`]
    case 'sse.close':
      return [`sse ${entry.es}`, 'close']
    case 'pc.create':
      return [`pc ${entry.pc}`, 'create']
    case 'pc.call':
      return [`pc ${entry.pc}`, `${entry.method}(${entry.args === undefined ? '' : short(JSON.stringify(entry.args), 60)}) #${entry.call}`]
    case 'pc.result':
      return [`pc ${entry.pc}`, `#${entry.call} done${entry.value !== undefined ? ` ${short(JSON.stringify(entry.value), 60)}` : ''}`]
    case 'pc.failure':
      return [`pc ${entry.pc}`, `#${entry.call} failed ${entry.error.name}: ${entry.error.message}`]
    case 'pc.event':
      return [`pc ${entry.pc}`, `${entry.type}${entry.data !== undefined ? ` ${short(JSON.stringify(entry.data), 60)}` : ''} [ice ${entry.states.ice}, ${entry.states.signaling}]`]
    case 'pc.close':
      return [`pc ${entry.pc}`, 'close']
    case 'dc.event':
      return [`dc ${entry.pc}.${entry.channel}`, `${entry.type} [${entry.readyState}]${entry.data !== undefined ? ` ${short(entry.data, 80)}` : ''}`]
    case 'dc.send':
      return [`dc ${entry.pc}.${entry.channel}`, `send ${short(entry.data, 80)}`]
    case 'dc.close':
      return [`dc ${entry.pc}.${entry.channel}`, 'close']
    case 'media.call':
      return ['media', `${entry.method} ${JSON.stringify(entry.constraints)} #${entry.call}`]
    case 'media.result':
      return ['media', `#${entry.call} stream ${entry.stream.id} (${entry.stream.tracks.map((t) => t.kind).join(', ')})`]
    case 'media.failure':
      return ['media', `#${entry.call} ${entry.error.name}: ${entry.error.message}`]
    case 'media.event':
      return ['media', `#${entry.call} ${entry.track.kind} track ${entry.track.id} ended`]
    case 'media.devices':
      return ['media', `#${entry.call} ${entry.devices.length} devices (${entry.devices.map((d) => d.kind).join(', ')})`]
    case 'media.devicechange':
      return ['media', 'devicechange']
    case 'timer.set':
      return ['clock', `set timer ${entry.timer} (${entry.ms} ms)`]
    case 'timer.fire':
      return ['clock', `timer ${entry.timer} fired`]
    case 'timer.clear':
      return ['clock', `clear timer ${entry.timer}`]
    case 'beacon':
      return ['beacon', pathOf(entry.url)]
    case 'tab.open':
      return ['tabs', `open ${entry.name}`]
    case 'tab.post':
      return ['tabs', `→ ${short(JSON.stringify(entry.data), 80)}`]
    case 'tab.message':
      return ['tabs', `← ${short(JSON.stringify(entry.data), 80)}`]
    case 'network.change':
      return ['network', 'changed']
  }
}

/** The whole trace as text: a header, then `time  seq  who  what` per entry. */
export function formatTimeline(trace: Trace, options: { kinds?: TraceEntry['kind'][] } = {}): string {
  const actors = new Map(trace.actors.map((actor) => [actor.ref, actor.path]))
  const actorPath = (ref: number) => actors.get(ref) ?? `actor ${ref}`
  const kinds = options.kinds ? new Set(options.kinds) : undefined
  const lines = [
    `Parley trace v${trace.version}, started ${trace.startedAt}${trace.baseUrl ? `, hub ${trace.baseUrl}` : ''}: ${trace.entries.length} entries` +
      (trace.dropped > 0 ? ` (the first ${trace.dropped} dropped by the ring)` : ''),
  ]
  for (const entry of trace.entries) {
    if (kinds && !kinds.has(entry.kind)) continue
    const [who, what] = describeEntry(entry, actorPath)
    lines.push(`${(entry.t / 1000).toFixed(3).padStart(9)}s ${String(entry.seq).padStart(6)}  ${who.padEnd(28)} ${what}`)
  }
  return lines.join('\n')
}
