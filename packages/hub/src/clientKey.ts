// A client's key (protocol: clientKey.ts): given once, in register's answer; a client that presents it is
// bound to it from then on (trust on first use), so clients that never do (the hosted hub's SDK, the
// tutorial's client) keep working, and a Parley client, which presents it from its first request after
// register, cannot be acted for by anyone else in the room who knows its id.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { CLIENT_KEY_HEADER, CLIENT_KEY_PARAM, Status } from '@parley/protocol'
import { HubError } from './errors.js'

/** `unproven`: never presented, anyone may act as the client (as on the hosted hub); `bound`: only with the key. */
export type ClientKeyPhase = 'unproven' | 'bound'

export class ClientKey {
  /** 128 random bits, base64url: in register's answer only (never logged, never in setname's answer). */
  readonly value = randomBytes(16).toString('base64url')
  #phase: ClientKeyPhase = 'unproven'

  get phase(): ClientKeyPhase {
    return this.#phase
  }

  /** A request acting as client `clientId` presented `given` (header or query, undefined for neither): 403 unless it may. */
  check(clientId: string, given: string | undefined): void {
    if (given === undefined) {
      if (this.#phase === 'bound') {
        throw new HubError(
          Status.forbidden,
          `client "${clientId}" presented its client key before: every request acting as it needs the key (${CLIENT_KEY_HEADER} header, or ${CLIENT_KEY_PARAM} in the query of an events stream or a leave beacon)`,
        )
      }
      return
    }
    const expected = Buffer.from(this.value)
    const presented = Buffer.from(given)
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      throw new HubError(Status.forbidden, `the client key given is not the one of client "${clientId}"`)
    }
    this.#phase = 'bound'
  }
}
