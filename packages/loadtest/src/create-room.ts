// A room on a hub for a benchmark or spec (create room, hub-api-v1.md): one request, its id back, and a
// clear error when the hub refuses (a wrong body would otherwise surface later as an undefined room id).
import { pathFor } from '@parley/protocol'

/** Creates a room named `name` on the hub (its base URL, or a hub with `url`), with the room `options` the API takes (e.g. `{ bitrates }`), and returns its id. */
export async function createRoom(hub: { readonly url: string } | string, name: string, options?: Readonly<Record<string, unknown>>): Promise<string> {
  const response = await fetch(`${typeof hub === 'string' ? hub : hub.url}${pathFor('createRoom', {})}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, ...(options ? { options } : {}) }),
  })
  if (!response.ok) throw new Error(`create room "${name}": ${response.status} ${await response.text()}`)
  return ((await response.json()) as { data: { id: string } }).data.id
}
