// A join bench hub in its own process (`--compare-hub-nice`), as `parley-hub` runs: the bench's own work
// (driving the pages over CDP, polling for frames) then shares no thread with the hub's API and signalling.
// Forked by join-hub.ts with IPC: it sends `ready` with its URL, then every join-trace log line as it is
// logged (kept by the rule of the bench's own hub, join-hub-trace.ts's `isJoinTraceLine`; stamped here, in
// epoch ms like the page's marks); it answers `clients` (how many clients a room still has), `flush` (every
// line logged before has been sent: IPC keeps the order) and `sched` (its main thread's time on a core and
// waiting for one), and ends on `close`.
import { setPriority } from 'node:os'
import { startTestHub } from '@parley/hub/testing'
import { type HubEntry, hubEntry, isJoinTraceLine } from './join-hub-trace.js'
import { type ThreadSched, threadSched } from './thread-sched.js'

export type JoinHubAsk = { type: 'clients'; roomId: string } | { type: 'flush' } | { type: 'sched' } | { type: 'close' }
export type JoinHubRequest = JoinHubAsk & { id: number }
export type JoinHubReply =
  | { type: 'ready'; url: string }
  | { type: 'entry'; entry: HubEntry }
  | { type: 'clients'; id: number; count: number }
  | { type: 'sched'; id: number; sched: ThreadSched | undefined }
  | { type: 'done'; id: number }

const send = (reply: JoinHubReply) => process.send!(reply)

// PARLEY_JOIN_HUB_NICE: this process's main thread at that nice before anything starts, as `parley-hub --nice`.
const nice = process.env.PARLEY_JOIN_HUB_NICE
if (nice) setPriority(0, Number(nice))

const hub = await startTestHub({
  staticDir: process.env.PARLEY_JOIN_HUB_STATIC,
  mediaWorkers: Number(process.env.PARLEY_JOIN_HUB_MEDIA_WORKERS ?? '1'),
  log: (level, msg, fields) => {
    if (!isJoinTraceLine(level, msg)) return
    // Fields as structured-clone data (an Error, a Buffer) would fail to send: JSON keeps what the trace reads.
    send({ type: 'entry', entry: JSON.parse(JSON.stringify(hubEntry(msg, fields))) as HubEntry })
  },
})

process.on('message', (request: JoinHubRequest) => {
  if (request.type === 'clients') {
    let count = 0
    try {
      count = hub.hub.room(request.roomId).clientIds.length
    } catch {
      // the room is gone
    }
    send({ type: 'clients', id: request.id, count })
  } else if (request.type === 'flush') send({ type: 'done', id: request.id })
  else if (request.type === 'sched') send({ type: 'sched', id: request.id, sched: threadSched() })
  else
    void hub.close().finally(() => {
      send({ type: 'done', id: request.id })
      process.disconnect()
    })
})
send({ type: 'ready', url: hub.url })
