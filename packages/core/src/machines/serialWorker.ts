// The core's one request queue: an actor that runs the jobs it receives one at a time, in arrival
// order. A failed job does not stop the ones after it (each caller's protocol says what a lost request
// costs); stopping the actor aborts the job in flight and drops the rest. The conference's hub requests
// (track sources, subscriptions, media states) and the negotiation's local ICE candidates use it.
import { fromCallback, type AnyEventObject, type EventObject } from 'xstate'

export function serialWorker<Job extends EventObject, Input>(
  run: (job: Job, context: { input: Input; signal: AbortSignal; sendBack: (event: AnyEventObject) => void }) => Promise<void>,
) {
  return fromCallback<Job, Input>(({ input, receive, sendBack }) => {
    const abort = new AbortController()
    let last: Promise<void> = Promise.resolve()
    receive((job) => {
      last = last
        .then(() => (abort.signal.aborted ? undefined : run(job, { input, signal: abort.signal, sendBack })))
        .catch(() => undefined)
    })
    return () => abort.abort()
  })
}
