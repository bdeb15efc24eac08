// The API load of the api-load benchmark (src/api-load-bench.ts), in a worker thread of its own so that
// its fetches do not delay the receiving participant's packet timestamps: open loop (requests go out on
// schedule whether or not earlier ones were answered), `rate` GETs per second of `url`, for `durationMs`.
// Plain JavaScript: the TypeScript loader registers itself on the main thread only (scripts/ts-loader.mjs).
// Posts { latencies: ms of each 200, errors, sent }.
import { parentPort, workerData } from 'node:worker_threads'

const TICK_MS = 10

async function generate({ url, rate, durationMs }) {
  const latencies = []
  const pending = []
  let errors = 0
  let sent = 0
  const started = performance.now()
  while (performance.now() - started < durationMs) {
    // As many as the schedule owes by now (a late tick catches up).
    const due = Math.floor(((performance.now() - started) / 1000) * rate)
    for (; sent < due; sent++) {
      const at = performance.now()
      pending.push(
        fetch(url).then(
          async (response) => {
            await response.arrayBuffer()
            if (response.status === 200) latencies.push(performance.now() - at)
            else errors += 1
          },
          () => void (errors += 1),
        ),
      )
    }
    await new Promise((resolve) => setTimeout(resolve, TICK_MS))
  }
  await Promise.all(pending)
  return { latencies, errors, sent }
}

parentPort?.postMessage(await generate(workerData))
