// Actors are declared in `setup({ actors })` for their types only; each machine file's `*Actors(deps)`
// holds the one implementation, bound to the ports with `machine.provide({ actors })`.
import { fromCallback, type AnyActorLogic } from 'xstate'

/** A typed stand-in: starting it without `provide` fails the invoke with a clear error. */
export function notProvided<Logic extends AnyActorLogic>(name: string): Logic {
  return fromCallback(() => {
    throw new Error(`actor "${name}" has no implementation: provide it with machine.provide({ actors })`)
  }) as unknown as Logic
}
