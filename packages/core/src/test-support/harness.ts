// Runs a child machine under a minimal parent that records what the child sends it (sendParent), so
// machines that report to a parent are tested exactly as the conference runs them. `systemIds` adds
// recorders registered under those ids, for what the child delivers by address (system.get).
import { createActor, fromCallback, setup, type AnyActorRef, type AnyEventObject, type AnyStateMachine, type InspectionEvent } from 'xstate'
import type { ClockLike } from '../ports.js'

export function runAsChild(
  machine: AnyStateMachine,
  input: unknown,
  options: { clock: ClockLike; inspect?: (event: InspectionEvent) => void; systemIds?: string[] },
) {
  /** Everything the parent and the recorders received, in order. */
  const received: AnyEventObject[] = []
  /** The same, by recipient: 'parent' or a systemId. */
  const receivedBy: Record<string, AnyEventObject[]> = { parent: [] }
  const record = (recipient: string, event: AnyEventObject) => {
    if (event.type.startsWith('xstate.')) return
    received.push(event)
    ;(receivedBy[recipient] ??= []).push(event)
  }
  const recorder = fromCallback<AnyEventObject, string>(({ input: recipient, receive }) => receive((event) => record(recipient, event)))
  const parentMachine = setup({ actors: { child: machine, recorder } }).createMachine({
    invoke: [
      { id: 'child', src: 'child', input: input as never },
      ...(options.systemIds ?? []).map((systemId) => ({ id: `recorder.${systemId}`, systemId, src: 'recorder' as const, input: systemId })),
    ],
    on: { '*': { actions: ({ event }) => record('parent', event) } },
  })
  const parent = createActor(parentMachine, { clock: options.clock, ...(options.inspect ? { inspect: options.inspect } : {}) }).start()
  const child = parent.getSnapshot().children.child as AnyActorRef
  return { parent, child, received, receivedBy }
}
