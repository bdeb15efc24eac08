// The ramp benchmark's flags (ramp-bench.ts), pure so they are tested without a browser.
import type { Link } from './ramp-link.js'

export const RAMP_PUBLISHERS = ['chromium', 'firefox'] as const
export type PublisherBrowser = (typeof RAMP_PUBLISHERS)[number]
export const RAMP_LINKS = ['clean', 'constrained', 'uplink', 'slow-subscriber'] as const satisfies readonly Link[]
/** The measured publisher's client: the seed tutorial's page, or Parley's own web app (apps/web/dist). */
export const RAMP_CLIENTS = ['tutorial', 'parley'] as const
export type RampClient = (typeof RAMP_CLIENTS)[number]

export interface RampArgs {
  publishers: PublisherBrowser[]
  links: Link[]
  /** In the order given; each round after the first reverses the previous round's order (as the hubs do). */
  clients: RampClient[]
  /** Names for `--hubs` (checked against the bench's table by the caller). */
  hubs: string[]
  beforeHub: string
  /**
   * `--before-dist [LABEL=]DIR[,…]`: other builds of Parley's web app, each served by a hub of its own
   * (this checkout's hub code) named LABEL (`dist1`, `dist2`… without one); only the `parley` client runs on them.
   */
  beforeDists: { label: string; dir: string }[]
  rounds: number
  uplinkRate: string
  /** `--slow-rate 300kbit[,600kbit…]`: the slow subscriber's downlink, one run per rate (`--links slow-subscriber`). */
  slowRates: string[]
  /** `--slow-seconds`: how long the slow-subscriber run samples, once a second, from the publisher's connection on. */
  slowSeconds: number
  /** `--slow-until S`: the slow subscriber's link is unshaped S s after the publisher connected (a link that recovers mid-run). */
  slowUntil: number | null
  /** `--good-subscribers N`: how many subscribers on an unlimited path the slow one shares the publisher with (1–4). */
  goodSubscribers: number
  trace: boolean
  /** The publisher's camera in simulcast (`--simulcast`, ramp-clients.ts simulcastCamera). */
  simulcast: boolean
  /**
   * `--late-join S`: a third page (the tutorial's client, audio only) joins S s after the publisher connected:
   * the hub offers its track to the publisher then, after the publisher's layers rule had its first say (stop 41).
   */
  lateJoinS: number | null
}

function flag(argv: readonly string[], name: string, fallback: string): string {
  const index = argv.indexOf(`--${name}`)
  return index >= 0 && argv[index + 1] !== undefined ? argv[index + 1]! : fallback
}

function listFlag<T extends string>(argv: readonly string[], name: string, fallback: string, allowed: readonly T[]): T[] {
  const values = flag(argv, name, fallback).split(',')
  for (const value of values) if (!allowed.includes(value as T)) throw new Error(`--${name}: '${value}' is not one of ${allowed.join(', ')}`)
  if (new Set(values).size !== values.length) throw new Error(`--${name}: '${values.join(',')}' names one twice`)
  return values as T[]
}

function parseDists(raw: string, hubNames: readonly string[]): RampArgs['beforeDists'] {
  if (!raw) return []
  const dists = raw.split(',').map((entry, index) => {
    const at = entry.indexOf('=')
    return at > 0 ? { label: entry.slice(0, at), dir: entry.slice(at + 1) } : { label: `dist${index + 1}`, dir: entry }
  })
  const labels = dists.map((dist) => dist.label)
  if (dists.some((dist) => !dist.dir) || new Set(labels).size !== labels.length || labels.some((label) => hubNames.includes(label) || /^before\d*$/.test(label)))
    throw new Error(`--before-dist: '${raw}' needs [LABEL=]DIR entries with labels of their own (not a hub's name)`)
  return dists
}

/** `argv`: the arguments after the script (process.argv.slice(2)); `hubNames`: what `--hubs` may name. */
export function parseRampArgs(argv: readonly string[], hubNames: readonly string[]): RampArgs {
  const rounds = Number(flag(argv, 'rounds', '1'))
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a whole number ≥ 1')
  const uplinkRate = flag(argv, 'uplink-rate', '800kbit')
  if (!/^\d+kbit$/.test(uplinkRate)) throw new Error('--uplink-rate: e.g. 400kbit')
  const slowRates = flag(argv, 'slow-rate', '300kbit').split(',')
  if (slowRates.some((rate) => !/^\d+kbit$/.test(rate)) || new Set(slowRates).size !== slowRates.length) throw new Error('--slow-rate: e.g. 300kbit or 300kbit,600kbit')
  const slowSeconds = Number(flag(argv, 'slow-seconds', '45'))
  if (!Number.isInteger(slowSeconds) || slowSeconds < 15) throw new Error('--slow-seconds must be a whole number ≥ 15')
  const slowUntilRaw = flag(argv, 'slow-until', '')
  const slowUntil = slowUntilRaw === '' ? null : Number(slowUntilRaw)
  if (slowUntil !== null && (!Number.isInteger(slowUntil) || slowUntil <= 10 || slowUntil >= slowSeconds)) throw new Error('--slow-until must be a whole number of s after the slow join (10) and before --slow-seconds')
  const lateJoin = flag(argv, 'late-join', '')
  const lateJoinS = lateJoin === '' ? null : Number(lateJoin)
  if (lateJoinS !== null && (!Number.isFinite(lateJoinS) || lateJoinS <= 0 || lateJoinS >= 15)) throw new Error('--late-join must be a number of s after the publisher connected, under 15 (the last sample)')
  const goodSubscribers = Number(flag(argv, 'good-subscribers', '1'))
  if (!Number.isInteger(goodSubscribers) || goodSubscribers < 1 || goodSubscribers > 4) throw new Error('--good-subscribers must be a whole number from 1 to 4')
  // --client is the singular spelling of --clients.
  const clientFlag = argv.includes('--clients') ? 'clients' : 'client'
  return {
    publishers: listFlag(argv, 'publishers', 'chromium,firefox', RAMP_PUBLISHERS),
    links: listFlag(argv, 'links', 'clean,constrained', RAMP_LINKS),
    clients: listFlag(argv, clientFlag, 'tutorial', RAMP_CLIENTS),
    hubs: listFlag(argv, 'hubs', 'current', hubNames),
    beforeHub: flag(argv, 'before-hub', ''),
    beforeDists: parseDists(flag(argv, 'before-dist', ''), hubNames),
    rounds,
    uplinkRate,
    slowRates,
    slowSeconds,
    slowUntil,
    goodSubscribers,
    trace: argv.includes('--trace'),
    simulcast: argv.includes('--simulcast'),
    lateJoinS,
  }
}

/** Round 1 in the order given, round 2 reversed, and so on: who goes first alternates, so neither gets the quieter start every time. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  return round % 2 === 1 ? [...items] : [...items].reverse()
}
