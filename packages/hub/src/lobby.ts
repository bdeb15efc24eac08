// The lobby of a locked room (protocol: lobby.ts), one per room: who knocks, who waits (oldest first),
// and each knock's one answer on its own event stream, which then ends. Every client of the room hears
// the waiting list (`parley_knocks`) whenever it changes. Nothing here is stored: a knock lives as long
// as its stream, and a hub restart ends every stream (the knocker knocks again). Timers (expiry, pings)
// go through the Clock and stop with the knock, however it ends.
import {
  type ActedBy,
  type KnockAnswerEvent,
  type KnocksEvent,
  KNOCK_NAME_PARAM,
  MAX_NAME_LENGTH,
  PARLEY_KNOCK_ANSWER_EVENT,
  PARLEY_KNOCK_WAITING_EVENT,
  type WaitingKnock,
} from '@parley/protocol'
import { type Clock, Timer } from './clock.js'
import { badRequest, limitReached, notFound } from './errors.js'
import type { LogFields, Logger } from './log.js'
import { formatPing, formatSseEvent, type SseSink } from './sse.js'

/** People waiting at once in one room's lobby; one more knock is refused with 429. */
export const MAX_WAITING_KNOCKS = 20
/** A knock nobody answers within this is told `expired` (the knocker may knock again). */
export const KNOCK_TIMEOUT_MS = 10 * 60_000

export interface LobbyDeps {
  roomId: string
  clock: Clock
  /** `ping` on a waiting knock's stream, as on the room's own streams (proxies keep it open; a client sees it alive). */
  pingIntervalMs: number
  generateId(): string
  /** Whether the room is locked now: a knock on a room that is not is let in at once. */
  locked(): boolean
  /** New room passes, stored before they are returned (a failing store throws 503). */
  issuePasses(count: number): string[]
  /** `parley_knocks` to every client of the room. */
  tellClients(event: KnocksEvent): void
  log: Logger
}

interface Knock {
  readonly id: string
  readonly name: string
  readonly since: number
  readonly sink: SseSink
  readonly expiry: Timer
  readonly ping: Timer
}

/** The `name` query parameter of a knock: what register's `name` may be, and not empty (400 otherwise). */
export function knockName(raw: string | undefined): string {
  if (raw === undefined || raw.trim() === '') throw badRequest(`a knock needs the name of who asks to be let in: ?${KNOCK_NAME_PARAM}=<name>`)
  if (raw.length > MAX_NAME_LENGTH) throw badRequest(`invalid knock: ${KNOCK_NAME_PARAM}: must be at most ${MAX_NAME_LENGTH} characters`)
  return raw
}

export class Lobby {
  /** Insertion order is waiting order: oldest first. */
  readonly #knocks = new Map<string, Knock>()
  readonly #deps: LobbyDeps
  #ended = false

  constructor(deps: LobbyDeps) {
    this.#deps = deps
  }

  /** Who waits now, oldest first. */
  get waiting(): WaitingKnock[] {
    return [...this.#knocks.values()].map(({ id, name, since }) => ({ knock_id: id, name, since }))
  }

  /**
   * Someone asks to be let in, on the event stream behind `sink`. A room that is not locked lets them in
   * at once (the answer is written, the stream ended: undefined); otherwise they wait, and the knock's id
   * is returned. 429 when MAX_WAITING_KNOCKS already wait; 503 when a pass cannot be stored.
   */
  knock(name: string, sink: SseSink): string | undefined {
    if (this.#ended) {
      answerOn(sink, { admitted: false, reason: 'room_ended' })
      return undefined
    }
    if (!this.#deps.locked()) {
      answerOn(sink, { admitted: true, pass: this.#deps.issuePasses(1)[0]! })
      this.#log('info', 'knock let in at once: the room is not locked')
      return undefined
    }
    if (this.#knocks.size >= MAX_WAITING_KNOCKS) {
      throw limitReached(`${MAX_WAITING_KNOCKS} people already wait to be let into room "${this.#deps.roomId}": that is the most a lobby holds; try again later`)
    }
    const { clock } = this.#deps
    const knock: Knock = { id: this.#deps.generateId(), name, since: clock.now(), sink, expiry: new Timer(clock), ping: new Timer(clock) }
    this.#knocks.set(knock.id, knock)
    sink.write(formatSseEvent(PARLEY_KNOCK_WAITING_EVENT, { knock_id: knock.id }))
    this.#schedulePing(knock)
    knock.expiry.start(KNOCK_TIMEOUT_MS, () => this.#safely('expiring a knock', () => this.#answer(knock, { admitted: false, reason: 'expired' })))
    this.#log('info', 'knock waiting', { knockId: knock.id, waiting: this.#knocks.size })
    this.#tell()
    return knock.id
  }

  /** The knocker went away (its stream closed): out of the list. Unknown or answered knocks: nothing. */
  withdraw(knockId: string): void {
    const knock = this.#knocks.get(knockId)
    if (!knock) return
    this.#forget(knock)
    this.#log('info', 'knock withdrawn', { knockId })
    this.#tell()
  }

  /** A host's answer; 404 when the knock no longer waits (answered, withdrawn, expired) or never did. */
  answer(knockId: string, admit: boolean, by: ActedBy | undefined): void {
    const knock = this.#knocks.get(knockId)
    if (!knock) {
      throw notFound(`knock "${knockId}" is not waiting in room "${this.#deps.roomId}": it was already answered, withdrawn or expired, or never made`)
    }
    const withBy = by ? { by } : {}
    this.#answer(knock, admit ? { admitted: true, pass: this.#deps.issuePasses(1)[0]!, ...withBy } : { admitted: false, reason: 'declined', ...withBy })
  }

  /**
   * For an unlock: stores a pass for everyone waiting now (503 before anything changed), and returns
   * what lets them in, oldest first, each with its own `parley_knocks` naming them (no `by`: the hub did).
   */
  prepareAdmitAll(): () => void {
    const knocks = [...this.#knocks.values()]
    const passes = this.#deps.issuePasses(knocks.length)
    return () => {
      knocks.forEach((knock, index) => {
        if (this.#knocks.get(knock.id) === knock) this.#answer(knock, { admitted: true, pass: passes[index]! })
      })
    }
  }

  /**
   * The room closed: every knock gets `answer` (or, without one, its stream just ends: the hub is shutting
   * down and the room comes back after a restart), and later knocks get it at once.
   */
  end(answer: KnockAnswerEvent | undefined): void {
    this.#ended = true
    for (const knock of [...this.#knocks.values()]) {
      this.#forget(knock)
      if (answer) answerOn(knock.sink, answer)
      else knock.sink.close()
    }
  }

  #answer(knock: Knock, answer: KnockAnswerEvent): void {
    this.#forget(knock)
    answerOn(knock.sink, answer)
    this.#log('info', 'knock answered', { knockId: knock.id, admitted: answer.admitted, ...(answer.admitted ? {} : { reason: answer.reason }) })
    const { id, name } = knock
    this.#tell({ knock_id: id, name, admitted: answer.admitted, ...(answer.by ? { by: answer.by } : {}) })
  }

  #forget(knock: Knock): void {
    this.#knocks.delete(knock.id)
    knock.expiry.cancel()
    knock.ping.cancel()
  }

  #schedulePing(knock: Knock): void {
    const { pingIntervalMs } = this.#deps
    knock.ping.start(pingIntervalMs, () => {
      this.#safely('pinging a knock', () => knock.sink.write(formatPing(pingIntervalMs)))
      this.#schedulePing(knock)
    })
  }

  #tell(answered?: KnocksEvent['answered']): void {
    this.#deps.tellClients(answered ? { waiting: this.waiting, answered } : { waiting: this.waiting })
  }

  /** A timer callback must never throw into the clock: a bug in one is logged. */
  #safely(what: string, action: () => void): void {
    try {
      action()
    } catch (error) {
      this.#log('error', `${what} failed`, { error })
    }
  }

  #log(level: Parameters<Logger>[0], msg: string, fields?: LogFields): void {
    this.#deps.log(level, msg, { roomId: this.#deps.roomId, ...fields })
  }
}

/** The knock stream's last event, then its end. */
function answerOn(sink: SseSink, answer: KnockAnswerEvent): void {
  sink.write(formatSseEvent(PARLEY_KNOCK_ANSWER_EVENT, answer))
  sink.close()
}
