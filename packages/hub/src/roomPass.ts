// The room pass of a room with host controls (protocol: lobby.ts): register answers one, and a register
// carrying a valid one in `X-Parley-Room-Pass` gets into the room while it is locked (someone who was in
// comes back after a dropped connection, a hub restart or a page reload). Only (truncated) SHA-256 hashes
// are stored, in the room's Parley record (`passes`, oldest first, so they outlive a hub restart as the lock
// does), and only the newest MAX_PASSES_PER_ROOM: an older pass then stops opening a locked room (its
// holder knocks). Which pass each client registered with is known only in memory (`Client.pass`): the host removing the
// client revokes it. A host making a client a host too marks that client's pass (`hostPasses`, hashes too):
// the pass then claims the room's host key (`POST parley/host-key`), until the host removes its holder.
import { createHash, randomBytes } from 'node:crypto'
import type { Client } from './client.js'
import type { Room } from './room.js'

/** Pass hashes kept per room: each register without a valid pass adds one. */
export const MAX_PASSES_PER_ROOM = 1_000

/** 256 random bits, base64url (43 characters). */
const PASS_BYTES = 32

/**
 * What is stored of a pass: the first 128 bits of its SHA-256, base64url (22 characters). Forging one of a
 * room's 1,000 takes ~2^118 hashes, and half the length halves what every pass write stores (the room's
 * head is written whole: bench/room-pass-cost.ts).
 */
function hashOf(pass: string): string {
  return createHash('sha256').update(pass).digest().subarray(0, 16).toString('base64url')
}

function storedHashes(room: Room, field: 'passes' | 'hostPasses' = 'passes'): string[] {
  const stored = room.parley[field]
  return Array.isArray(stored) ? stored.filter((hash): hash is string => typeof hash === 'string') : []
}

/** Whether `pass` is one of the room's (and not revoked, nor dropped for newer ones). */
export function isRoomPass(room: Room, pass: string | undefined): boolean {
  if (!pass || room.parley.hostKey === undefined) return false
  // The lookup compares hashes of 256-bit secrets: its timing tells nothing about a pass.
  return storedHashes(room).includes(hashOf(pass))
}

/**
 * New passes for the room, stored (written through, one write for all) before they are returned: a
 * store that fails answers 503 and nobody holds a pass that does not open the room.
 */
export function issueRoomPasses(room: Room, count: number): string[] {
  if (count <= 0) return []
  const passes = Array.from({ length: count }, () => randomBytes(PASS_BYTES).toString('base64url'))
  room.setExtension('passes', [...storedHashes(room), ...passes.map(hashOf)].slice(-MAX_PASSES_PER_ROOM))
  return passes
}

/** The pass this client holds from now on (the one it registered with, or a new one). */
export function rememberPass(client: Client, pass: string): void {
  client.holdPass(pass)
}

/**
 * A host made the client a host too: its pass claims the host key from now on (stored before the caller
 * tells anyone). False when the hub knows no pass of the client (nothing stored). Only marks of passes still
 * valid are kept, so there are never more marks than passes.
 */
export function markHostPass(room: Room, client: Client): boolean {
  const pass = client.pass
  if (pass === undefined) return false
  const hash = hashOf(pass)
  const hostHashes = storedHashes(room, 'hostPasses')
  if (hostHashes.includes(hash)) return true
  const valid = new Set(storedHashes(room))
  room.setExtension('hostPasses', [...hostHashes.filter((kept) => valid.has(kept)), hash])
  return true
}

/** Whether `pass` is one of the room's and a host made its holder a host too. */
export function isHostPass(room: Room, pass: string | undefined): boolean {
  if (!isRoomPass(room, pass)) return false
  return storedHashes(room, 'hostPasses').includes(hashOf(pass!))
}

/** The host removed the client: its pass opens the room no more (for anyone holding it), nor claims the host key. */
export function revokePassOf(room: Room, client: Client): void {
  const pass = client.pass
  if (pass === undefined) return
  const hash = hashOf(pass)
  const stored = storedHashes(room)
  const hostHashes = storedHashes(room, 'hostPasses')
  const changes: Record<string, unknown> = {}
  if (stored.includes(hash)) changes.passes = stored.filter((kept) => kept !== hash)
  if (hostHashes.includes(hash)) {
    const left = hostHashes.filter((kept) => kept !== hash)
    changes.hostPasses = left.length > 0 ? left : undefined
  }
  if (Object.keys(changes).length > 0) room.setExtensions(changes)
  client.holdPass(undefined)
}
