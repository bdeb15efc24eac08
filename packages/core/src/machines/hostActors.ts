// The host machine's I/O: the moderation requests (Parley's hub, host controls), one after another.
import { messageOf } from '@parley/protocol'
import type { HubClient } from '../hubClient.js'
import { fromPromise } from 'xstate'
import { serialWorker } from './serialWorker.js'

/** What the host asks the hub, one request after another: mute, remove or make a host a client, lock or unlock the room, let someone waiting in or not. */
export type ModerationJob = { type: 'moderation.request' } & (
  | { action: 'mute' | 'remove' | 'grant'; clientId: string }
  | { action: 'lock'; locked: boolean }
  | { action: 'admit'; knockId: string; admit: boolean }
)

/** What the worker reports back to the host machine: the job, done or refused. */
export type ModerationOutcome = (Omit<ModerationJob, 'type'> & { type: 'moderation.done' }) | (Omit<ModerationJob, 'type'> & { type: 'moderation.failed'; message: string })

export interface ModerationInput {
  roomId: string
  /** The room's host key (never logged) and our own client id, named to the others as who did it. */
  host: { key: string; clientId: string }
}

export function hostActors({ hub }: { hub: HubClient }) {
  return {
    /** A host made us one: the room's host key, for our room pass (Parley's hub; never on the events stream). */
    claimHostKey: fromPromise<string, { roomId: string; pass: string }>(async ({ input, signal }) => hub.claimHostKey(input.roomId, input.pass, signal)),
    moderationRequests: serialWorker<ModerationJob, ModerationInput>(async (job, { input, signal, sendBack }) => {
      try {
        if (job.action === 'lock') await hub.lockRoom(input.roomId, job.locked, input.host, signal)
        else if (job.action === 'admit') await hub.answerKnock(input.roomId, job.knockId, job.admit, input.host, signal)
        else if (job.action === 'mute') await hub.muteClient(input.roomId, job.clientId, input.host, signal)
        else if (job.action === 'grant') await hub.grantHost(input.roomId, job.clientId, input.host, signal)
        else await hub.removeClient(input.roomId, job.clientId, input.host, signal)
        sendBack({ ...job, type: 'moderation.done' } as ModerationOutcome)
      } catch (error) {
        if (!signal.aborted) sendBack({ ...job, type: 'moderation.failed', message: messageOf(error) } as ModerationOutcome)
      }
    }),
  }
}

export type HostActors = ReturnType<typeof hostActors>
