// The host machine's I/O: the moderation requests (Parley's hub, host controls), one after another.
import { messageOf } from '@parley/protocol'
import type { HubClient } from '../hubClient.js'
import { serialWorker } from './serialWorker.js'

export type ModerationAction = 'mute' | 'remove'

/** What the host asks the hub, one request after another. */
export type ModerationJob = { type: 'moderation.request'; action: ModerationAction; clientId: string }

/** What the worker reports back to the host machine. */
export type ModerationOutcome =
  | { type: 'moderation.done'; action: ModerationAction; clientId: string }
  | { type: 'moderation.failed'; action: ModerationAction; clientId: string; message: string }

export interface ModerationInput {
  roomId: string
  /** The room's host key (never logged) and our own client id, named to the others as who did it. */
  host: { key: string; clientId: string }
}

export function hostActors({ hub }: { hub: HubClient }) {
  return {
    moderationRequests: serialWorker<ModerationJob, ModerationInput>(async (job, { input, signal, sendBack }) => {
      const { action, clientId } = job
      try {
        if (action === 'mute') await hub.muteClient(input.roomId, clientId, input.host, signal)
        else await hub.removeClient(input.roomId, clientId, input.host, signal)
        sendBack({ type: 'moderation.done', action, clientId } satisfies ModerationOutcome)
      } catch (error) {
        if (!signal.aborted) sendBack({ type: 'moderation.failed', action, clientId, message: messageOf(error) } satisfies ModerationOutcome)
      }
    }),
  }
}

export type HostActors = ReturnType<typeof hostActors>
