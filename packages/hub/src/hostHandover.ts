// Parley's host controls: the host's part handed on. A room with host controls whose last host present goes
// away (leaves, is removed, is dropped by the hub) while others stay would have nobody to answer its lobby,
// unlock it, mute, remove or end it: people knocking would wait forever. So the hub makes the client there
// longest a host, exactly as a host's grant does (hostControls.ts `makeHost`: its room pass marked a host's,
// stored first; it alone told `parley_host_granted`, here with `reason: 'host_left'` and `by` the host who
// left), as Jitsi passes moderation on and Zoom assigns a new host. Which clients are hosts is known only in
// memory, by each client (`Client.isHost`), from how it came in: with the room's host key, or with a pass a
// host marked, or made one since.
// Not at once: the hub waits a grace (`hostHandoverGraceMs`) for a host to come back, as a reload does.
// A host coming back later with the key is simply a host again (two hosts are fine: co-hosts exist).
import { type ActedBy, HOST_LEFT_REASON } from '@parley/protocol'
import type { Client } from './client.js'
import { type Clock, Timer } from './clock.js'
import { makeHost } from './hostControls.js'
import type { Logger } from './log.js'
import type { Room } from './room.js'

export interface HostHandoverDeps {
  clock: Clock
  /** How long the hub waits, once the last host present is gone, before it hands the host on. */
  graceMs: number
  log: Logger
  /** Runs the hand-over where a failure is logged, never thrown into the clock (`Room.#safely`). */
  safely(what: string, action: () => void): void
}

/**
 * One room's hand-over. The last host present gone (already out of the room) while others stay, it waits the
 * grace: a host reloading the page leaves and registers again within a second or two, with the key or its
 * marked pass, and must not find someone else made host meanwhile. When the grace is over and still no host is
 * present, the one there longest (connected ones first, then by registration) is made a host; one the hub knows
 * no pass of is skipped for the next. Rooms without host controls never have a host here, so nothing happens in
 * them; a room that empties (its empty timer runs) or closes hands nothing on.
 */
export class HostHandover {
  readonly #room: Room
  readonly #deps: HostHandoverDeps
  readonly #timer: Timer

  constructor(room: Room, deps: HostHandoverDeps) {
    this.#room = room
    this.#deps = deps
    this.#timer = new Timer(deps.clock)
  }

  /** `departed` was removed from the room (any way: left, removed, dropped). */
  clientRemoved(departed: Client): void {
    const room = this.#room
    if (room.closed || room.clientIds.length === 0) return this.cancel()
    if (room.parley.hostKey === undefined || !departed.isHost || this.#hostPresent()) return
    const by: ActedBy = { client_id: departed.id, name: departed.name }
    this.#deps.log('info', 'the last host present left: the host is handed on after the grace unless a host is back', { departed: departed.id, graceMs: this.#deps.graceMs })
    // A host back and gone again within the grace starts it afresh.
    this.#timer.start(this.#deps.graceMs, () => this.#deps.safely('handing the host on', () => this.#handOver(by)))
  }

  /** The room closes: no timer outlives it. */
  cancel(): void {
    this.#timer.cancel()
  }

  #hostPresent(): boolean {
    return this.#room.clientIds.some((clientId) => this.#room.client(clientId).isHost)
  }

  #handOver(by: ActedBy): void {
    const room = this.#room
    if (room.closed || room.parley.hostKey === undefined) return
    if (this.#hostPresent()) {
      this.#deps.log('info', 'a host is back within the grace: nothing handed on', { departed: by.client_id })
      return
    }
    const remaining = room.clientIds.map((clientId) => room.client(clientId))
    const candidates = [...remaining.filter((client) => client.present), ...remaining.filter((client) => !client.present)]
    for (const candidate of candidates) {
      // Throws (503) when the mark cannot be stored: logged (safely), and nobody was told anything.
      if (!makeHost(room, candidate, { by, reason: HOST_LEFT_REASON })) continue
      this.#deps.log('info', 'host handed on: the last host present left', { clientId: candidate.id, departed: by.client_id })
      return
    }
    this.#deps.log('warn', 'no host present and nobody to hand the host on to (the hub knows no room pass of anyone left)')
  }
}
