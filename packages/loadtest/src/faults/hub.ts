// What every fault run stands on: the hub as a process of its own (so a flood, a stalled socket or a
// killed participant is measured from outside it), rooms kept in memory, and plain HTTP calls to it.
import { startHubProcess, type HubProcess } from '@parley/testkit'

export interface Envelope {
  code: number
  message: string
  data: unknown
}

export interface Answered {
  status: number
  body: Envelope
  /** Wall time of the request, as the caller saw it. */
  ms: number
}

export async function call(baseUrl: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answered> {
  const started = performance.now()
  const response = await fetch(`${baseUrl}/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  const parsed = (await response.json()) as Envelope
  return { status: response.status, body: parsed, ms: performance.now() - started }
}

/** The hub process with its rooms in memory; `args` add or override options (e.g. `--ping-interval 500`). */
export function startFaultHub(args: string[] = []): Promise<HubProcess> {
  return startHubProcess({ args: ['--registry', 'memory', ...args] })
}

export { createRoom } from '../create-room.js'

export async function registerClient(baseUrl: string, roomId: string, uid: string): Promise<string> {
  const registered = await call(baseUrl, 'POST', `/rooms/${roomId}/register`, { uid, name: uid })
  if (registered.status !== 200) throw new Error(`register ${uid}: ${registered.status} ${registered.body.message}`)
  return (registered.body.data as { client_id: string }).client_id
}

/**
 * Requests to another room at a steady pace while `during` runs: how long the hub made them wait. The
 * pace is a load shape, not an assertion.
 */
export async function probeWhile<T>(baseUrl: string, roomId: string, during: () => Promise<T>, paceMs = 20): Promise<{ result: T; probes: number[] }> {
  const probes: number[] = []
  let running = true
  const prober = (async () => {
    while (running) {
      const answered = await call(baseUrl, 'GET', `/rooms/${roomId}`)
      if (answered.status !== 200) throw new Error(`probe of room ${roomId}: ${answered.status} ${answered.body.message}`)
      probes.push(answered.ms)
      await new Promise((resolve) => setTimeout(resolve, paceMs))
    }
  })()
  try {
    return { result: await during(), probes }
  } finally {
    running = false
    await prober
  }
}
