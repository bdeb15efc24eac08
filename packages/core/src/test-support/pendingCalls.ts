// Calls a fake holds until the test settles them: the model tests step through every async
// boundary one at a time. A label that is not gated settles at once with its default.
export interface PendingCall {
  readonly label: string
  resolve(value?: unknown): void
  reject(error: unknown): void
}

export class PendingCalls {
  readonly pending: PendingCall[] = []
  private readonly gated = new Set<string>()
  private gateAll = false

  /** Holds calls with these labels (or every call with '*') until the test settles them. */
  gate(...labels: string[]): this {
    for (const label of labels) {
      if (label === '*') this.gateAll = true
      else this.gated.add(label)
    }
    return this
  }

  ungate(...labels: string[]): this {
    for (const label of labels) {
      if (label === '*') this.gateAll = false
      else this.gated.delete(label)
    }
    return this
  }

  isGated(label: string): boolean {
    return this.gateAll || this.gated.has(label)
  }

  /** `produce` computes the result when the call is released (defaults apply then, not earlier). */
  call<T>(label: string, produce: (value?: unknown) => T | Promise<T>, signal?: AbortSignal): Promise<T> {
    if (!this.isGated(label)) return Promise.resolve().then(() => produce())
    return new Promise<T>((resolve, reject) => {
      // An aborted call is no longer the caller's: the test must not settle it later.
      signal?.addEventListener('abort', () => this.remove(entry), { once: true })
      const entry: PendingCall = {
        label,
        resolve: (value?: unknown) => {
          this.remove(entry)
          Promise.resolve()
            .then(() => produce(value))
            .then(resolve, reject)
        },
        reject: (error: unknown) => {
          this.remove(entry)
          reject(error)
        },
      }
      this.pending.push(entry)
    })
  }

  find(label?: string | ((label: string) => boolean)): PendingCall | undefined {
    if (label === undefined) return this.pending[0]
    return this.pending.find((entry) => (typeof label === 'string' ? entry.label === label : label(entry.label)))
  }

  private remove(entry: PendingCall): void {
    const index = this.pending.indexOf(entry)
    if (index >= 0) this.pending.splice(index, 1)
  }
}

/** Lets every queued promise callback run (a few macrotask turns). */
export async function flush(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}
