// The hub of one faults spec file: its own process, started once the namespace is checked to be
// loopback-only, stopped after the file's tests.
import { afterAll, beforeAll } from 'vitest'
import { assertLoopbackOnly, pollUntil, type HubProcess } from '@parley/testkit'
import { startFaultHub } from '../src/faults/hub.js'
import type { LoadParticipant } from '../src/participant.js'

/** Registers the hooks; the returned function gives the running hub inside the tests. */
export function useFaultHub(args: string[] = []): () => HubProcess {
  let hub: HubProcess | undefined
  beforeAll(async () => {
    assertLoopbackOnly()
    hub = await startFaultHub(args)
  })
  afterAll(async () => {
    await hub?.close()
  })
  return () => {
    if (!hub) throw new Error('the faults hub is not running')
    return hub
  }
}

/** The file's Node participants: each leaves after the file's tests, then its actor stops. */
export function useLoadParticipants(): LoadParticipant[] {
  const participants: LoadParticipant[] = []
  afterAll(async () => {
    for (const participant of participants) participant.leave()
    // Until each leave has been answered (its core is `left`), not a fixed wait; teardown, so never a failure.
    const done = new Set(['left', 'ended', 'failed', 'idle'])
    await pollUntil(() => participants.every((participant) => done.has(participant.view().status)), { timeoutMs: 5_000, intervalMs: 20 }).catch(() => undefined)
    for (const participant of participants) participant.stop()
  })
  return participants
}
