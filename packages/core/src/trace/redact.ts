// Secrets never enter a trace: header values, JSON fields and URL query parameters whose names are
// listed are replaced before an entry is stored (at the source, not at export).
import { REDACTED } from './format.js'

export const DEFAULT_REDACTED_HEADERS = ['authorization', 'x-parley-host-key', 'x-parley-room-pass', 'x-parley-client-key', 'cookie', 'set-cookie', 'x-api-key']
export const DEFAULT_REDACTED_FIELDS = [
  'accessToken',
  'access_token',
  'apiKey',
  'api_key',
  'hostKey',
  'host_key',
  // Parley's room pass (it lets its holder into a locked room) and client key (it acts as the client).
  'parley_pass',
  'parley_client_key',
  'token',
  'password',
  'secret',
  'credential',
]

export interface Redactor {
  /** Names redacted, for the trace's header. */
  readonly names: string[]
  headers(headers: Record<string, string> | undefined): Record<string, string> | undefined
  /** A JSON body: listed fields redacted at any depth; a body that is not JSON is kept as it is. */
  body(body: string | undefined): string | undefined
  value<T>(value: T): T
  url(url: string): string
}

export function createRedactor(options: { headers?: string[]; fields?: string[] } = {}): Redactor {
  const headerNames = new Set((options.headers ?? DEFAULT_REDACTED_HEADERS).map((name) => name.toLowerCase()))
  const fieldNames = new Set((options.fields ?? DEFAULT_REDACTED_FIELDS).map((name) => name.toLowerCase()))
  const value = <T>(input: T): T => {
    if (Array.isArray(input)) return input.map(value) as T
    if (input === null || typeof input !== 'object') return input
    const out: Record<string, unknown> = {}
    for (const [key, child] of Object.entries(input)) out[key] = fieldNames.has(key.toLowerCase()) ? REDACTED : value(child)
    return out as T
  }
  return {
    names: [...headerNames, ...fieldNames],
    headers(headers) {
      if (!headers) return undefined
      const out: Record<string, string> = {}
      for (const [name, header] of Object.entries(headers)) out[name] = headerNames.has(name.toLowerCase()) ? REDACTED : header
      return out
    },
    body(body) {
      if (body === undefined || body === '') return body
      let parsed: unknown
      try {
        parsed = JSON.parse(body)
      } catch {
        return body
      }
      return JSON.stringify(value(parsed))
    },
    value,
    url(url) {
      const query = url.indexOf('?')
      if (query < 0) return url
      const params = url
        .slice(query + 1)
        .split('&')
        .map((pair) => {
          const name = decodeURIComponent(pair.split('=')[0] ?? '')
          return fieldNames.has(name.toLowerCase()) ? `${pair.split('=')[0]}=${encodeURIComponent(REDACTED)}` : pair
        })
      return `${url.slice(0, query)}?${params.join('&')}`
    },
  }
}
