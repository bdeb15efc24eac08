// Parley's host controls: the host's part handed on. A room with host controls whose last host present goes
// away (leaves, is removed, is dropped by the hub) while others stay would have nobody to answer its lobby,
// unlock it, mute, remove or end it: people knocking would wait forever. So the hub makes the client there
// longest a host, exactly as a host's grant does (hostControls.ts `grantHost`: its room pass marked a host's,
// stored first; it alone told `parley_host_granted`, here with `reason: 'host_left'` and `by` the host who
// left), as Jitsi passes moderation on and Zoom assigns a new host. Which clients are hosts is known only in
// memory, from how they came in: with the room's host key, or with a pass a host marked, or made one since.
// A host coming back later with the key is simply a host again (two hosts are fine: co-hosts exist).
import { type ActedBy, HOST_LEFT_REASON, type HostGrantedEvent, PARLEY_HOST_GRANTED_EVENT } from '@parley/protocol'
import type { Client } from './client.js'
import type { Logger } from './log.js'
import type { Room } from './room.js'
import { markHostPass } from './roomPass.js'

/** The clients that are hosts (gone with the client: no cleanup needed). */
const hosts = new WeakSet<Client>()

/** The client is a host from now on: it registered with the host key or a host's pass, or was made one. */
export function countAsHost(client: Client): void {
  hosts.add(client)
}

export function isHost(client: Client): boolean {
  return hosts.has(client)
}

/**
 * A host left `room` (already out of it): when no host is present any more and others remain, the one there
 * longest (connected ones first, then by registration) is made a host; one the hub knows no pass of is skipped
 * for the next. Rooms without host controls never have a host here, so nothing happens in them.
 */
export function handOverHost(room: Room, departed: Client, log: Logger): void {
  if (room.parley.hostKey === undefined || room.closed || !isHost(departed)) return
  const remaining = room.clientIds.map((clientId) => room.client(clientId))
  if (remaining.some(isHost)) return
  const candidates = [...remaining.filter((client) => client.present), ...remaining.filter((client) => !client.present)]
  const by: ActedBy = { client_id: departed.id, name: departed.name }
  for (const candidate of candidates) {
    // Throws (503) when the mark cannot be stored: the caller logs it, and nobody was told anything.
    if (!markHostPass(room, candidate)) continue
    countAsHost(candidate)
    candidate.sse.send(PARLEY_HOST_GRANTED_EVENT, { by, reason: HOST_LEFT_REASON } satisfies HostGrantedEvent)
    log('info', 'host handed on: the last host present left', { clientId: candidate.id, departed: departed.id })
    return
  }
  log('warn', 'no host present and nobody to hand the host on to (the hub knows no room pass of anyone left)')
}
