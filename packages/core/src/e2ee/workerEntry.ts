// The end-to-end encryption worker's entry (`@parley/core/e2ee/worker`): binds worker.ts to the worker
// global, and nothing else. A page starts it as a module worker and hands it to createE2ee (e2ee.ts).
import { createFrameWorker, type FrameTransformerLike } from './worker.js'

interface WorkerScope {
  addEventListener(type: 'rtctransform', listener: (event: { transformer: FrameTransformerLike }) => void): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  postMessage(message: unknown): void
}

const scope = globalThis as unknown as WorkerScope
const worker = createFrameWorker((report) => scope.postMessage(report))
scope.addEventListener('rtctransform', (event) => void worker.transform(event.transformer))
scope.addEventListener('message', (event) => worker.message(event.data))
