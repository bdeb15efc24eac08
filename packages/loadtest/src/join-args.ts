// The join bench's flags (pure, so they are tested without a browser).
import { KIND_NAMES } from './join-clients.js'

/** What `--clients` may name: a client of the hub, or `p2p`, the floor (two pages, no hub). */
export const JOIN_CLIENT_NAMES = [...KIND_NAMES, 'p2p'] as const
export type JoinClientName = (typeof JOIN_CLIENT_NAMES)[number]
import { parseWebDist } from './web-dist.js'

/** Participants already in the room when the newcomer clicks Join: with the newcomer, at most 4 Chromium pages sending 640x480 on the 2-core box. */
export const MAX_PRESENT = 3

export interface JoinOptions {
  trials: number
  warmup: number
  /** Another build of the web app (`[LABEL=]DIR`, e.g. `main=` main's apps/web/dist), served by a second hub and measured alternating with apps/web/dist. */
  beforeDist?: { label: string; dir: string }
  /** The `testing.ts` of another version of the hub's source, serving `beforeDist`. */
  beforeHub?: string
  /** Also the web app with its service worker blocked in the newcomer's page (every hub request of the app passes the worker's fetch handler). */
  withoutServiceWorker: boolean
  /**
   * Every client also on a second hub of this version whose werift plane runs in one media worker thread, as
   * the shipped hub does (`parley-hub` and `startTestHub`'s default), alternating with the bench's own hub
   * (the plane in its main thread, `mediaWorkers: 0`, as the bench's history was measured).
   */
  compareMediaWorker?: boolean
  /**
   * Both hubs' planes in a media worker, and the second one's trials with the bench's main thread (the
   * hubs' API, event streams and room logic) at this nice value, as `parley-hub --nice` runs its own.
   */
  compareHubNice?: number
  clients: JoinClientName[]
  /** Participants of the same client that join and connect before the newcomer clicks Join (1–MAX_PRESENT). */
  present: number
}

export function parseJoinArgs(argv: readonly string[]): JoinOptions {
  const options: JoinOptions = { trials: 9, warmup: 1, withoutServiceWorker: false, clients: ['parley', 'sdk', 'tutorial'], present: 1 }
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index]
    const raw = argv[index + 1] ?? ''
    const value = Number(raw)
    if (flag === '--without-service-worker') {
      options.withoutServiceWorker = true
      continue
    }
    if (flag === '--compare-media-worker') {
      options.compareMediaWorker = true
      continue
    }
    if (flag === '--compare-hub-nice' && /^-?\d+$/.test(raw) && value >= -20 && value <= 19) options.compareHubNice = value
    else if (flag === '--trials' && Number.isInteger(value) && value > 0) options.trials = value
    else if (flag === '--warmup' && Number.isInteger(value) && value >= 0) options.warmup = value
    else if (flag === '--present' && Number.isInteger(value) && value >= 1 && value <= MAX_PRESENT) options.present = value
    else if (flag === '--before-dist' && raw) options.beforeDist = parseWebDist(raw)
    else if (flag === '--before-hub' && raw) options.beforeHub = raw
    else if (flag === '--clients' && raw && raw.split(',').every((name) => JOIN_CLIENT_NAMES.includes(name as JoinClientName))) options.clients = raw.split(',') as JoinClientName[]
    else if (flag === '--') continue
    else throw new Error(`unknown or bad option ${flag} (use --trials N --warmup N --present 1..${MAX_PRESENT} --clients ${JOIN_CLIENT_NAMES.join(',')} --before-dist [LABEL=]DIR --before-hub FILE --without-service-worker --compare-media-worker --compare-hub-nice N)`)
    index++
  }
  if (options.compareMediaWorker && (options.beforeHub || options.beforeDist)) {
    throw new Error('--compare-media-worker runs one second hub of its own: it cannot be combined with --before-hub or --before-dist')
  }
  if (options.compareHubNice !== undefined && (options.compareMediaWorker || options.beforeHub || options.beforeDist)) {
    throw new Error('--compare-hub-nice runs one second hub of its own: it cannot be combined with --compare-media-worker, --before-hub or --before-dist')
  }
  if (options.clients.includes('p2p') && options.present > 1) {
    throw new Error('--clients p2p is a call of two pages: it cannot be combined with --present above 1')
  }
  return options
}
