// Parley's client key. A client id is no secret: everyone in a room reads the others' ids (media-state meta
// keys, track events), and the v1 API acts on a client by its id alone, so anyone in the room could make
// another client leave, take over its event stream or negotiate in its name. Parley's hub answers register
// with `parley_client_key` beside the client (128 random bits; a field other clients ignore). A client that
// presents it once is bound to it: from then on every request acting as that client needs it, in the
// header or, where a request cannot carry one (an EventSource, `navigator.sendBeacon`), in the query.
// Clients that never present it (the hosted hub's SDK, the tutorial's client) work as before.
import { withQueryParam } from './resume.js'

/** The client key on a request acting as that client (PUT negotiate, candidates, leave, …). */
export const CLIENT_KEY_HEADER = 'X-Parley-Client-Key'
/** The same on an events stream's or a leave beacon's URL, which cannot carry a header. */
export const CLIENT_KEY_PARAM = 'parley_client_key'

/** `url` with the client key in its query (kept as it is without one). */
export function withClientKey(url: string, key: string | undefined): string {
  return withQueryParam(url, CLIENT_KEY_PARAM, key)
}
