// Where the hub is. By default the hub serves this app, so the API is on the same origin at `/v1`.
// Another hub is chosen at runtime, never at build time, so one build works everywhere:
//   1. query parameters `?hub=<url>&token=<access token>` (handy for a quick test against
//      https://hub.inlive.app), which win over
//   2. `/config.json` next to index.html: `{ "hubUrl": "...", "accessToken": "..." }`. The build ships
//      an empty `{}` (public/config.json) so the request never 404s; replace it when deploying.
// `?inspect=stately` additionally opts into the Stately browser inspector (development only).

import type { ConferenceDelays } from '../conference/types'

export interface HubConfig {
  /** Origin (optionally with a path) of the hub; '' means this page's origin. The API is at `${baseUrl}/v1`. */
  baseUrl: string
  accessToken?: string
}

export interface AppConfig {
  hub: HubConfig
  /** config.json's advanced `delays`: the core's join deadlines; absent, the core's defaults. */
  delays?: ConferenceDelays
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
 * config.json's advanced `"delays": { "connectDeadline": 8000, "iceRecheck": 500 }` (ms): the core's
 * join deadlines (ConferenceDelays), for a deployment or a test that wants a quicker "could not connect".
 */
export function delaysFromJson(json: unknown): { delays?: ConferenceDelays } {
  const delays = (json as Record<string, unknown>).delays
  if (delays === undefined) return {}
  if (typeof delays !== 'object' || delays === null || Array.isArray(delays)) throw new ConfigError('config.json: "delays" must be an object of milliseconds')
  const result: ConferenceDelays = {}
  for (const name of ['connectDeadline', 'iceRecheck'] as const) {
    const value = (delays as Record<string, unknown>)[name]
    if (value === undefined) continue
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new ConfigError(`config.json: "delays.${name}" must be a whole number of milliseconds`)
    result[name] = value
  }
  return { delays: result }
}

/** Reads `/config.json` when it exists. A missing file (404, or the SPA fallback answering HTML) is normal. */
async function readConfigJson(options: LoadConfigOptions): Promise<(Partial<HubConfig> & { delays?: ConferenceDelays }) | undefined> {
  if (!options.fetch) return undefined
  try {
    const response = await options.fetch(options.configUrl ?? '/config.json', { headers: { Accept: 'application/json' } })
    if (!response.ok) return undefined
    if (!(response.headers.get('content-type') ?? '').includes('json')) return undefined
    const json: unknown = await response.json()
    return { ...configFromJson(json), ...delaysFromJson(json) }
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
  const { delays, ...fromFile } = (await readConfigJson(options)) ?? {}
  const advanced = delays ? { delays } : {}
  if (fromFile.baseUrl !== undefined || fromFile.accessToken !== undefined) {
    return { hub: { baseUrl: '', ...fromFile }, source: 'config.json', statelyInspector, ...advanced }
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
