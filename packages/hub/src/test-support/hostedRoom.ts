// Shared by the tests of the room pass and the lobby (roomPass.test.ts, lobby.test.ts): a room with host
// controls and its clients, the host key and room pass headers, the lock, and a knock stream.
import { HOST_KEY_HEADER, KNOCK_NAME_PARAM, pathFor, ROOM_PASS_HEADER } from '@parley/protocol'
import { createMemoryRegistry } from '../registry/memory.js'
import type { RoomRegistry } from '../registry/types.js'
import { SseReader, type TestHub } from './harness.js'

type RoomHead = Parameters<RoomRegistry['saveRoom']>[0]

/** A registry in memory whose room writes fail (a full disk, Redis away) while `failWhen` says so of the head written. */
export function failingRegistry(): RoomRegistry & { failWhen: ((head: RoomHead) => boolean) | undefined } {
  const memory = createMemoryRegistry()
  const registry = {
    ...memory,
    failWhen: undefined as ((head: RoomHead) => boolean) | undefined,
    saveRoom: (head: RoomHead) => {
      if (registry.failWhen?.(head)) throw new Error('disk full')
      memory.saveRoom(head)
    },
  }
  return registry
}

/** How many pass hashes a head stores. */
export const passCount = (head: RoomHead) => (Array.isArray(head.parley.passes) ? head.parley.passes.length : 0)

export const withKey = (key: string) => ({ [HOST_KEY_HEADER]: key })
export const withPass = (pass: string) => ({ [ROOM_PASS_HEADER]: pass })

/** Creates `roomId` with host controls and registers the clients (`ada` named Ada, the others by their id); returns its host key and their passes. */
export async function hostedRoom(hub: TestHub, roomId: string, ...clientIds: string[]): Promise<{ key: string; passes: Record<string, string> }> {
  const created = await hub.request('POST', pathFor('createRoom', {}), { id: roomId, options: { parley: { host_controls: true } } })
  if (created.status !== 201) throw new Error(`create room: ${created.status} ${created.body.message}`)
  const passes: Record<string, string> = {}
  for (const uid of clientIds) {
    const registered = await register(hub, roomId, uid)
    if (registered.status !== 200) throw new Error(`register: ${registered.status} ${registered.body.message}`)
    passes[uid] = (registered.body.data as { parley_pass: string }).parley_pass
  }
  return { key: (created.body.data as { host_key: string }).host_key, passes }
}

export const register = (hub: TestHub, roomId: string, uid: string, headers: Record<string, string> = {}) =>
  hub.request('POST', pathFor('register', { roomId }), { uid, name: uid === 'ada' ? 'Ada' : uid }, headers)

export const lock = (hub: TestHub, roomId: string, key: string, locked: boolean) =>
  hub.request('PUT', pathFor('lockRoom', { roomId }), { locked, by_client_id: 'ada' }, withKey(key))

/** Opens a knock stream (`name` absent: no query parameter at all). */
export async function knock(hub: TestHub, roomId: string, name?: string): Promise<SseReader> {
  const query = name === undefined ? '' : `?${KNOCK_NAME_PARAM}=${encodeURIComponent(name)}`
  return new SseReader(await hub.app.request(`${pathFor('knock', { roomId })}${query}`))
}

/** A knock stream's answer to a request that is refused before it starts: the JSON envelope. */
export async function knockRefused(hub: TestHub, roomId: string, name?: string): Promise<{ status: number; body: { code: number; message: string; data: unknown } }> {
  const query = name === undefined ? '' : `?${KNOCK_NAME_PARAM}=${encodeURIComponent(name)}`
  return hub.request('GET', `${pathFor('knock', { roomId })}${query}`)
}

export const answerKnock = (hub: TestHub, roomId: string, knockId: string, body: unknown, headers: Record<string, string>) =>
  hub.request('PUT', pathFor('answerKnock', { roomId, knockId }), body, headers)
