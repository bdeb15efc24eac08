// Runs a child machine under a minimal parent that records what the child sends it (sendParent),
// so machines that report to a parent are tested exactly as the conference runs them.
import { createActor, setup, type AnyActorRef, type AnyEventObject, type AnyStateMachine, type InspectionEvent } from 'xstate'
import type { ClockLike } from '../ports.js'

export function runAsChild(machine: AnyStateMachine, input: unknown, options: { clock: ClockLike; inspect?: (event: InspectionEvent) => void }) {
  const received: AnyEventObject[] = []
  const parentMachine = setup({ actors: { child: machine } }).createMachine({
    invoke: { id: 'child', src: 'child', input: input as never },
    on: { '*': { actions: ({ event }) => void (event.type.startsWith('xstate.') || received.push(event)) } },
  })
  const parent = createActor(parentMachine, { clock: options.clock, ...(options.inspect ? { inspect: options.inspect } : {}) }).start()
  const child = parent.getSnapshot().children.child as AnyActorRef
  return { parent, child, received }
}
