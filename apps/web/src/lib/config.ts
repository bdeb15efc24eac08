// Where the hub is. By default the hub serves this app, so the API is on the same origin at `/v1`.
// Another hub is chosen at runtime, never at build time, so one build works everywhere:
//   1. query parameters `?hub=<url>&token=<access token>` (handy for a quick test against
//      https://hub.inlive.app), which win over
//   2. `/config.json` next to index.html: `{ "hubUrl": "...", "accessToken": "..." }`. The build ships
//      an empty `{}` (public/config.json) so the request never 404s; replace it when deploying.
// `/config.json` may also name STUN/TURN servers (`iceServers`, `iceTransportPolicy`): a deployment
// property, so only the file sets them (a `?hub=` link does not read the file).
// `?inspect=stately` additionally opts into the Stately browser inspector (development only).

import type { ConferenceDelays } from '../conference/types'

export interface HubConfig {
  /** Origin (optionally with a path) of the hub; '' means this page's origin. The API is at `${baseUrl}/v1`. */
  baseUrl: string
  accessToken?: string
}

/** One entry of RTCConfiguration.iceServers. */
export interface IceServerConfig {
  urls: string | string[]
  username?: string
  credential?: string
}

/** How the peer connection finds a path to the hub: extra STUN/TURN servers, and whether only TURN may carry media. */
export interface IceConfig {
  iceServers: IceServerConfig[]
  /** 'relay': media only through a TURN server of `iceServers` (restrictive networks, tests of the relay path). */
  iceTransportPolicy: 'all' | 'relay'
}

export interface AppConfig {
  hub: HubConfig
  /** From config.json; absent: no ICE servers (the hub is reached directly) and every candidate type. */
  ice?: IceConfig
  /** config.json's advanced `delays`: the core's join and reconnect deadlines; absent, the core's defaults. */
  delays?: ConferenceDelays
  /**
   * Whether the camera goes out as simulcast layers: config.json's `simulcast`, on when it says nothing (core
   * README, "Simulcast"); a hub that cannot forward them serves `false`. Absent for a `?hub=` link (another
   * hub, untested with layers): one stream.
   */
  simulcast?: boolean
  /** config.json's `receiveSlots` (0–16): the core's receive slots per kind; absent, the core's default (3). */
  receiveSlots?: number
  /** Where the settings came from, shown in the state panel to make a wrong hub obvious. */
  source: 'default' | 'config.json' | 'query'
  /** `?inspect=stately`: load @statelyai/inspect (dev only). */
  statelyInspector: boolean
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Accepts `https://hub.example` or `https://hub.example/v1/` and returns `https://hub.example`. */
export function normalizeHubUrl(raw: string): string {
  const trimmed = raw.trim()
  if (trimmed === '') return ''
  let url: URL
  try {
    url = new URL(trimmed)
  } catch {
    throw new ConfigError(`"${trimmed}" is not a URL; use something like https://hub.inlive.app`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`the hub must be an http(s) URL, not ${url.protocol}`)
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '')
  return `${url.origin}${path}`
}

/** The part of the configuration the query string sets; empty when it sets nothing. */
export function configFromQuery(search: string): Partial<HubConfig> {
  const params = new URLSearchParams(search)
  const result: Partial<HubConfig> = {}
  const hub = params.get('hub')
  if (hub !== null && hub.trim() !== '') result.baseUrl = normalizeHubUrl(hub)
  const token = params.get('token')
  if (token !== null && token.trim() !== '') result.accessToken = token.trim()
  return result
}

/** Validates the body of `/config.json`. Unknown keys are ignored so the file can grow. */
export function configFromJson(json: unknown): Partial<HubConfig> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError('config.json must hold an object like { "hubUrl": "https://hub.example" }')
  }
  const record = json as Record<string, unknown>
  const result: Partial<HubConfig> = {}
  if (record.hubUrl !== undefined) {
    if (typeof record.hubUrl !== 'string') throw new ConfigError('config.json: "hubUrl" must be a string')
    result.baseUrl = normalizeHubUrl(record.hubUrl)
  }
  if (record.accessToken !== undefined) {
    if (typeof record.accessToken !== 'string') throw new ConfigError('config.json: "accessToken" must be a string')
    if (record.accessToken !== '') result.accessToken = record.accessToken
  }
  return result
}

const ICE_URL = /^(stun|stuns|turn|turns):[^\s]+$/

function iceServerFromJson(entry: unknown, index: number): IceServerConfig {
  const where = `config.json: "iceServers"[${index}]`
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new ConfigError(`${where} must be an object like { "urls": "turn:turn.example:3478", "username": "u", "credential": "p" }`)
  }
  const { urls, username, credential } = entry as Record<string, unknown>
  const list = typeof urls === 'string' ? [urls] : urls
  if (!Array.isArray(list) || list.length === 0 || list.some((url) => typeof url !== 'string')) {
    throw new ConfigError(`${where}: "urls" must be a URL string or a non-empty array of them`)
  }
  const bad = (list as string[]).find((url) => !ICE_URL.test(url))
  if (bad !== undefined) throw new ConfigError(`${where}: "${bad}" is not a stun:, stuns:, turn: or turns: URL`)
  if (username !== undefined && typeof username !== 'string') throw new ConfigError(`${where}: "username" must be a string`)
  if (credential !== undefined && typeof credential !== 'string') throw new ConfigError(`${where}: "credential" must be a string`)
  const turn = (list as string[]).some((url) => url.startsWith('turn'))
  if (turn && (username === undefined || credential === undefined)) {
    throw new ConfigError(`${where}: a TURN server needs "username" and "credential"`)
  }
  return {
    urls: urls as string | string[],
    ...(username !== undefined ? { username } : {}),
    ...(credential !== undefined ? { credential } : {}),
  }
}

/** The ICE part of `/config.json`; undefined when it sets none. Throws a ConfigError naming what is wrong. */
export function iceFromJson(json: unknown): IceConfig | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined
  const { iceServers, iceTransportPolicy } = json as Record<string, unknown>
  if (iceServers === undefined && iceTransportPolicy === undefined) return undefined
  if (iceServers !== undefined && !Array.isArray(iceServers)) {
    throw new ConfigError('config.json: "iceServers" must be an array like [{ "urls": "stun:stun.example:3478" }]')
  }
  if (iceTransportPolicy !== undefined && iceTransportPolicy !== 'all' && iceTransportPolicy !== 'relay') {
    throw new ConfigError('config.json: "iceTransportPolicy" must be "all" or "relay"')
  }
  const servers = (iceServers ?? []).map(iceServerFromJson)
  const policy = iceTransportPolicy ?? 'all'
  if (policy === 'relay' && !servers.some((server) => [server.urls].flat().some((url) => url.startsWith('turn')))) {
    throw new ConfigError('config.json: "iceTransportPolicy": "relay" needs a turn: or turns: server in "iceServers"')
  }
  return { iceServers: servers, iceTransportPolicy: policy }
}

/** The only `fetch` shape loadConfig needs (injected, so tests pass their own). */
export type ConfigFetch = (url: string, init: { headers: Record<string, string> }) => Promise<{
  ok: boolean
  headers: { get(name: string): string | null }
  json(): Promise<unknown>
}>

export interface LoadConfigOptions {
  /** `location.search` */
  search: string
  /** Omit to skip `/config.json`. */
  fetch?: ConfigFetch
  configUrl?: string
  /** Told about a config.json that exists but is wrong; the app then falls back to the default. */
  warn?: (message: string) => void
}

/**
 * config.json's advanced `"delays": { "connectDeadline": 8000, "iceRecheck": 500, "reconnectDeadline": 30000 }`
 * (ms): the core's join and reconnect deadlines (ConferenceDelays), for a deployment or a test that wants a
 * quicker "could not connect" or "the server stopped".
 */
export function delaysFromJson(json: unknown): { delays?: ConferenceDelays } {
  const delays = (json as Record<string, unknown>).delays
  if (delays === undefined) return {}
  if (typeof delays !== 'object' || delays === null || Array.isArray(delays)) throw new ConfigError('config.json: "delays" must be an object of milliseconds')
  const result: ConferenceDelays = {}
  for (const name of ['connectDeadline', 'iceRecheck', 'reconnectDeadline'] as const) {
    const value = (delays as Record<string, unknown>)[name]
    if (value === undefined) continue
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new ConfigError(`config.json: "delays.${name}" must be a whole number of milliseconds`)
    result[name] = value
  }
  return { delays: result }
}

/**
 * config.json's `"simulcast"`: `false` sends the camera as one stream, `true` (the default, loadConfig) as
 * simulcast layers (core README, "Simulcast"); `false` is what our hub serves when its media plane cannot
 * take layers (node-datachannel), over whatever the file says (hub README, "Simulcast").
 */
export function simulcastFromJson(json: unknown): { simulcast?: boolean } {
  const simulcast = (json as Record<string, unknown>).simulcast
  if (simulcast === undefined) return {}
  if (typeof simulcast !== 'boolean') throw new ConfigError('config.json: "simulcast" must be true or false')
  return { simulcast }
}

/**
 * config.json's `"receiveSlots"`: how many of the others' microphones and cameras can come in the hub's answer
 * to our first offer (the core's `receiveSlots`, 0–16; hub README, "Receive slots"). 0 makes every one come by
 * a hub offer, the path to test; a deployment whose meetings are larger can offer more.
 */
export function receiveSlotsFromJson(json: unknown): { receiveSlots?: number } {
  const receiveSlots = (json as Record<string, unknown>).receiveSlots
  if (receiveSlots === undefined) return {}
  if (typeof receiveSlots !== 'number' || !Number.isInteger(receiveSlots) || receiveSlots < 0 || receiveSlots > 16) {
    throw new ConfigError('config.json: "receiveSlots" must be a whole number from 0 to 16')
  }
  return { receiveSlots }
}

/** Reads `/config.json` when it exists. A missing file (404, or the SPA fallback answering HTML) is normal. */
async function readConfigJson(
  options: LoadConfigOptions,
): Promise<{ hub: Partial<HubConfig>; ice?: IceConfig; delays?: ConferenceDelays; simulcast?: boolean; receiveSlots?: number } | undefined> {
  if (!options.fetch) return undefined
  try {
    const response = await options.fetch(options.configUrl ?? '/config.json', { headers: { Accept: 'application/json' } })
    if (!response.ok) return undefined
    if (!(response.headers.get('content-type') ?? '').includes('json')) return undefined
    const json: unknown = await response.json()
    const hub = configFromJson(json)
    const ice = iceFromJson(json)
    return { hub, ...(ice ? { ice } : {}), ...delaysFromJson(json), ...simulcastFromJson(json), ...receiveSlotsFromJson(json) }
  } catch (error) {
    if (error instanceof ConfigError) options.warn?.(error.message)
    return undefined
  }
}

export async function loadConfig(options: LoadConfigOptions): Promise<AppConfig> {
  const statelyInspector = new URLSearchParams(options.search).get('inspect') === 'stately'
  const fromQuery = configFromQuery(options.search)
  if (fromQuery.baseUrl !== undefined || fromQuery.accessToken !== undefined) {
    return { hub: { baseUrl: '', ...fromQuery }, source: 'query', statelyInspector }
  }
  const fromFile = await readConfigJson(options)
  const ice = fromFile?.ice ? { ice: fromFile.ice } : {}
  // Simulcast unless the file says false: the publisher keeps its top layer alone when its uplink is short (core README, "sendLayers").
  const advanced = {
    ...(fromFile?.delays ? { delays: fromFile.delays } : {}),
    simulcast: fromFile?.simulcast ?? true,
    ...(fromFile?.receiveSlots !== undefined ? { receiveSlots: fromFile.receiveSlots } : {}),
  }
  if (fromFile && (fromFile.hub.baseUrl !== undefined || fromFile.hub.accessToken !== undefined || fromFile.ice)) {
    return { hub: { baseUrl: '', ...fromFile.hub }, ...ice, source: 'config.json', statelyInspector, ...advanced }
  }
  return { hub: { baseUrl: '' }, source: 'default', statelyInspector, ...advanced }
}

/** Where the hub is, as error messages name it: "127.0.0.1:8080", and whether it runs on this machine. */
export interface HubPlace {
  host: string
  /** A loopback hub (127.0.0.0/8, ::1, localhost): nothing between this browser and it but this computer. */
  local: boolean
}

/** The hub at `baseUrl` ('' = the page's own origin). */
export function hubPlaceOf(baseUrl: string, pageHref: string): HubPlace {
  let url: URL
  try {
    url = new URL(baseUrl === '' ? pageHref : baseUrl)
  } catch {
    return { host: baseUrl || 'this page', local: false }
  }
  const name = url.hostname.replace(/^\[|\]$/g, '')
  const local = name === 'localhost' || name.endsWith('.localhost') || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name)
  return { host: url.host, local }
}
