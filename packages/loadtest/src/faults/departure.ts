// A participant that dies or freezes without a word: a process of its own (child.ts) killed with
// SIGKILL, or stopped with SIGSTOP (and, in one run, continued before the hub gives up on it). What
// the others see is read at an observer (the public core: `participant.left`) and at a watcher, a bare
// events stream of a registered client that hears the hub's `parley_connection` marks.
import { EventSource } from 'eventsource'
import { parseSseEvent, PARLEY_CONNECTION_EVENT } from '@parley/protocol'
import { pollUntil } from '@parley/testkit'
import { startChildParticipant, type ChildParticipant } from './child-participant.js'
import { call, createRoom, registerClient } from './hub.js'
import { joinObserver, type Observer } from './observer.js'

export interface DepartureFigures {
  /** From the signal to the others seeing the participant leave (`participant.left`), ms. */
  goneMs?: number
  /** From SIGSTOP to the others' `parley_connection` problem mark, ms. */
  markedMs?: number
  /** From SIGSTOP to the observer's core view marking the participant (`connectionProblem`, what a tile shows), ms. */
  viewMarkedMs?: number
  /** From SIGCONT to the observer's view no longer marking it, ms. */
  viewBackMs?: number
  /** From SIGCONT to the mark cleared, ms. */
  backMs?: number
  /** After SIGCONT: still registered at the hub and never left for the others. */
  stayed?: boolean
}

interface Watcher {
  /** `parley_connection` events with when they arrived. */
  readonly marks: { clientId: string; problem: boolean; at: number }[]
  close(): void
}

export async function watchConnectionMarks(baseUrl: string, roomId: string): Promise<Watcher> {
  const clientId = await registerClient(baseUrl, roomId, `watcher-${Math.random().toString(36).slice(2, 8)}`)
  const marks: Watcher['marks'] = []
  const source = new EventSource(`${baseUrl}/v1/rooms/${roomId}/events/${clientId}`)
  source.addEventListener(PARLEY_CONNECTION_EVENT, (message) => {
    const mark = parseSseEvent(PARLEY_CONNECTION_EVENT, message.data)
    if (!mark.ok) throw new Error(`watcher: ${mark.error}`)
    marks.push({ clientId: mark.data.client_id, problem: mark.data.problem, at: performance.now() })
  })
  await new Promise<void>((resolve, reject) => {
    source.addEventListener('open', () => resolve(), { once: true })
    source.addEventListener('error', () => reject(new Error('watcher: events stream failed')), { once: true })
  })
  return { marks, close: () => source.close() }
}

async function roomWithVictim(baseUrl: string, name: string): Promise<{ roomId: string; observer: Observer; victim: ChildParticipant; watcher: Watcher }> {
  const roomId = await createRoom(baseUrl, name)
  const observer = await joinObserver(`${name}-observer`, baseUrl, roomId)
  const watcher = await watchConnectionMarks(baseUrl, roomId)
  const victim = await startChildParticipant(baseUrl, roomId, `${name}-victim`)
  // The others know it, and its media arrives (so the hub has heard from it): the victim is the only
  // other publisher, so what the observer's tap counts is the victim's.
  await pollUntil(() => observer.joinedAt.has(victim.clientId) && observer.participant.received.count('video', 10) > 0, {
    description: 'the observer receiving the victim',
    timeoutMs: 30_000,
  })
  return { roomId, observer, victim, watcher }
}

/** The observer's core view marks the participant (or, with `problem` false, no longer does). */
function viewMarks(observer: Observer, clientId: string, problem: boolean): boolean {
  const participant = observer.participant.view().participants.find((p) => p.clientId === clientId)
  return participant !== undefined && (participant.connectionProblem === true) === problem
}

const whenViewMarks = (observer: Observer, clientId: string, problem: boolean) =>
  pollUntil(() => (viewMarks(observer, clientId, problem) ? performance.now() : undefined), { description: `the observer's view ${problem ? 'marking' : 'clearing'} the connection problem`, timeoutMs: 20_000, intervalMs: 20 })

export const markOf = (watcher: Watcher, clientId: string, problem: boolean, after: number) => watcher.marks.find((mark) => mark.clientId === clientId && mark.problem === problem && mark.at > after)?.at

/** kill -9 of a participant: no leave, its sockets closed by the kernel. */
export async function measureKilledParticipant(baseUrl: string): Promise<DepartureFigures> {
  const { observer, victim, watcher } = await roomWithVictim(baseUrl, 'faults-killed')
  try {
    const at = performance.now()
    await victim.signal('SIGKILL')
    const leftAt = await pollUntil(() => observer.leftAt.get(victim.clientId), { description: 'the killed participant gone for the others', timeoutMs: 30_000, intervalMs: 20 })
    return { goneMs: leftAt - at }
  } finally {
    await victim.close()
    watcher.close()
    observer.close()
  }
}

/** SIGSTOP of a participant; with `resume`, SIGCONT as soon as the others saw the mark. */
export async function measureFrozenParticipant(baseUrl: string, options: { resume: boolean; markExpected?: boolean }): Promise<DepartureFigures> {
  const { roomId, observer, victim, watcher } = await roomWithVictim(baseUrl, options.resume ? 'faults-frozen-back' : 'faults-frozen')
  try {
    const at = performance.now()
    await victim.signal('SIGSTOP')
    if (options.markExpected === false) {
      const leftAt = await pollUntil(() => observer.leftAt.get(victim.clientId), { description: 'the frozen participant removed', timeoutMs: 60_000, intervalMs: 20 })
      return { goneMs: leftAt - at, ...(markOf(watcher, victim.clientId, true, at) ? { markedMs: markOf(watcher, victim.clientId, true, at)! - at } : {}) }
    }
    const [markedAt, viewMarkedAt] = await Promise.all([
      pollUntil(() => markOf(watcher, victim.clientId, true, at), { description: 'the connection-problem mark', timeoutMs: 20_000, intervalMs: 20 }),
      whenViewMarks(observer, victim.clientId, true),
    ])
    if (!options.resume) {
      const leftAt = await pollUntil(() => observer.leftAt.get(victim.clientId), { description: 'the frozen participant removed', timeoutMs: 60_000, intervalMs: 20 })
      return { markedMs: markedAt - at, viewMarkedMs: viewMarkedAt - at, goneMs: leftAt - at }
    }
    const resumedAt = performance.now()
    await victim.signal('SIGCONT')
    const [backAt, viewBackAt] = await Promise.all([
      pollUntil(() => markOf(watcher, victim.clientId, false, resumedAt), { description: 'the mark cleared', timeoutMs: 20_000, intervalMs: 20 }),
      whenViewMarks(observer, victim.clientId, false),
    ])
    // Back by itself: the same registration, still known to the others, its media arriving again.
    const receivedAtMark = observer.participant.received.packets
    await pollUntil(() => observer.participant.received.packets > receivedAtMark + 50, { description: 'its media arriving again at the observer', timeoutMs: 20_000 })
    const registered = (await call(baseUrl, 'GET', `/rooms/${roomId}/client/${victim.clientId}`)).status === 200
    const known = observer.participant.view().participants.some((p) => p.clientId === victim.clientId)
    return { markedMs: markedAt - at, viewMarkedMs: viewMarkedAt - at, backMs: backAt - resumedAt, viewBackMs: viewBackAt - resumedAt, stayed: registered && known && !observer.leftAt.has(victim.clientId) }
  } finally {
    await victim.close()
    watcher.close()
    observer.close()
  }
}
