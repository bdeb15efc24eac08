// Every v1 endpoint once: method, path template (relative to `/v1`), whether the hosted hub wants
// `Authorization: Bearer`, and the success status. The hub mounts these templates; the core builds
// URLs from them with `pathFor`.

export const API_VERSION = 'v1'

export interface Route<Path extends string = string> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** Hono-style template, `:name` for parameters (its literal type, so a router and `pathFor` can type the params). */
  readonly path: Path
  readonly auth: boolean
  readonly status: number
}

/** The parameter names of a path template, from its literal type (`'/rooms/:roomId/client/:clientId'` → `'roomId' | 'clientId'`). */
export type PathParams<Path extends string> = Path extends `${string}:${infer P}/${infer Rest}` ? P | PathParams<`/${Rest}`> : Path extends `${string}:${infer P}` ? P : never

function route<const Path extends string>(method: Route['method'], path: Path, status = 200, auth = false): Route<Path> {
  return { method, path, status, auth }
}

export const routes = {
  createRoom: route('POST', '/rooms/create', 201, true),
  getRoom: route('GET', '/rooms/:roomId', 200, true),
  register: route('POST', '/rooms/:roomId/register', 200, true),
  getClient: route('GET', '/rooms/:roomId/client/:clientId'),
  setName: route('PUT', '/rooms/:roomId/setname/:clientId'),
  getMeta: route('GET', '/rooms/:roomId/getmeta/:key'),
  setMeta: route('POST', '/rooms/:roomId/setmeta'),
  deleteMeta: route('DELETE', '/rooms/:roomId/deletemeta/:key'),
  candidate: route('POST', '/rooms/:roomId/candidate/:clientId'),
  isAllowNegotiate: route('POST', '/rooms/:roomId/isallownegotiate/:clientId'),
  negotiate: route('PUT', '/rooms/:roomId/negotiate/:clientId'),
  setTrackSources: route('PUT', '/rooms/:roomId/settracksources/:clientId'),
  subscribeTracks: route('POST', '/rooms/:roomId/subscribetracks/:clientId'),
  /** DELETE from fetch; the same path also answers POST, for `navigator.sendBeacon`. */
  leave: route('DELETE', '/rooms/:roomId/leave/:clientId'),
  leaveBeacon: route('POST', '/rooms/:roomId/leave/:clientId'),
  endRoom: route('PUT', '/rooms/:roomId/end', 200, true),
  /** The SDK's spelling (singular `room`); `/rooms/...` is accepted too. */
  createChannel: route('POST', '/room/:roomId/channel/create'),
  createChannelPlural: route('POST', '/rooms/:roomId/channel/create'),
  /** Parley's hub only, rooms with host controls (hostControls.ts): `X-Parley-Host-Key` required. */
  muteClient: route('PUT', '/rooms/:roomId/parley/mute/:clientId'),
  removeClient: route('PUT', '/rooms/:roomId/parley/remove/:clientId'),
  /** Makes another client a host too: it hears `parley_host_granted`, then claims the key (`claimHostKey`). */
  grantHost: route('PUT', '/rooms/:roomId/parley/host/:clientId'),
  /** A client a host made one: the room's host key, for its room pass (`X-Parley-Room-Pass`). */
  claimHostKey: route('POST', '/rooms/:roomId/parley/host-key'),
  /** Locks or unlocks the room to newcomers (register then needs the host key). */
  lockRoom: route('PUT', '/rooms/:roomId/parley/lock'),
  /** An event stream: asks a locked room's host to be let in, and waits for the answer (lobby.ts). */
  knock: route('GET', '/rooms/:roomId/parley/knock'),
  /** A host lets a knocking person in, or not. */
  answerKnock: route('PUT', '/rooms/:roomId/parley/knock/:knockId'),
  events: route('GET', '/rooms/:roomId/events/:clientId'),
} as const

export type RouteName = keyof typeof routes
export type RouteParams<N extends RouteName> = Record<PathParams<(typeof routes)[N]['path']>, string>

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
