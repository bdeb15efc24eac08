// A client mistake the HTTP layer turns into a 4xx JSON envelope. Anything else thrown is a bug (500).
import { Status } from '@parley/protocol'

export class HubError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    /** The envelope's `data`: what a client branches on besides the status (e.g. `{reason}`). */
    readonly data: unknown = null,
  ) {
    super(message)
    this.name = 'HubError'
  }
}

export const notFound = (message: string) => new HubError(Status.notFound, message)
export const conflict = (message: string) => new HubError(Status.conflict, message)
export const badRequest = (message: string) => new HubError(Status.badRequest, message)
/** A hub or room limit is reached: 429, since it may pass (a client leaves, a room ends). */
export const limitReached = (message: string) => new HubError(Status.tooManyRequests, message)
