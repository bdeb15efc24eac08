// Every v1 endpoint once: method, path template (relative to `/v1`), whether the hosted hub wants
// `Authorization: Bearer`, and the success status. The hub mounts these templates; the core builds
// URLs from them with `pathFor`.

export const API_VERSION = 'v1'

export interface Route<P extends string = string, Path extends string = string> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** Hono-style template, `:name` for parameters (its literal type, so a router can type the params). */
  readonly path: Path
  readonly auth: boolean
  readonly status: number
  /** Parameter names in order, for typing `pathFor`. */
  readonly params: readonly P[]
}

function route<const P extends string, const Path extends string>(
  method: Route['method'],
  path: Path,
  params: readonly P[],
  status = 200,
  auth = false,
): Route<P, Path> {
  return { method, path, params, status, auth }
}

export const routes = {
  createRoom: route('POST', '/rooms/create', [], 201, true),
  getRoom: route('GET', '/rooms/:roomId', ['roomId'], 200, true),
  register: route('POST', '/rooms/:roomId/register', ['roomId'], 200, true),
  getClient: route('GET', '/rooms/:roomId/client/:clientId', ['roomId', 'clientId']),
  setName: route('PUT', '/rooms/:roomId/setname/:clientId', ['roomId', 'clientId']),
  getMeta: route('GET', '/rooms/:roomId/getmeta/:key', ['roomId', 'key']),
  setMeta: route('POST', '/rooms/:roomId/setmeta', ['roomId']),
  deleteMeta: route('DELETE', '/rooms/:roomId/deletemeta/:key', ['roomId', 'key']),
  candidate: route('POST', '/rooms/:roomId/candidate/:clientId', ['roomId', 'clientId']),
  isAllowNegotiate: route('POST', '/rooms/:roomId/isallownegotiate/:clientId', ['roomId', 'clientId']),
  negotiate: route('PUT', '/rooms/:roomId/negotiate/:clientId', ['roomId', 'clientId']),
  setTrackSources: route('PUT', '/rooms/:roomId/settracksources/:clientId', ['roomId', 'clientId']),
  subscribeTracks: route('POST', '/rooms/:roomId/subscribetracks/:clientId', ['roomId', 'clientId']),
  /** DELETE from fetch; the same path also answers POST, for `navigator.sendBeacon`. */
  leave: route('DELETE', '/rooms/:roomId/leave/:clientId', ['roomId', 'clientId']),
  leaveBeacon: route('POST', '/rooms/:roomId/leave/:clientId', ['roomId', 'clientId']),
  endRoom: route('PUT', '/rooms/:roomId/end', ['roomId'], 200, true),
  /** The SDK's spelling (singular `room`); `/rooms/...` is accepted too. */
  createChannel: route('POST', '/room/:roomId/channel/create', ['roomId']),
  createChannelPlural: route('POST', '/rooms/:roomId/channel/create', ['roomId']),
  /** Parley's hub only, rooms with host controls (hostControls.ts): `X-Parley-Host-Key` required. */
  muteClient: route('PUT', '/rooms/:roomId/parley/mute/:clientId', ['roomId', 'clientId']),
  removeClient: route('PUT', '/rooms/:roomId/parley/remove/:clientId', ['roomId', 'clientId']),
  events: route('GET', '/rooms/:roomId/events/:clientId', ['roomId', 'clientId']),
} as const

export type RouteName = keyof typeof routes
export type RouteParams<N extends RouteName> = (typeof routes)[N] extends Route<infer P, string> ? Record<P, string> : never

/** Builds the path of a route under `/v1`, percent-encoding every parameter. */
export function pathFor<N extends RouteName>(name: N, params: RouteParams<N>): string {
  const values = params as Record<string, string>
  const path = routes[name].path.replace(/:([A-Za-z]+)/g, (_, key: string) => {
    const value = values[key]
    if (value === undefined) throw new Error(`pathFor(${name}): missing parameter ${key}`)
    return encodeURIComponent(value)
  })
  return `/${API_VERSION}${path}`
}
