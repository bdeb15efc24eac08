// The hub's one promise queue: operations that must not overlap (werift must never see two description
// changes of one peer at once) run one after the other, each once the previous one settled.

export type SerialQueue = <T>(operation: () => Promise<T>) => Promise<T>

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve()
  return (operation) => {
    const run = tail.then(operation, operation)
    tail = run.catch(() => undefined)
    return run
  }
}
