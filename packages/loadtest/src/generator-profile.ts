// PARLEY_LOAD_GEN_CPU_PROF=<dir>: a V8 CPU profile of the generator over each measurement window only
// (`node --cpu-prof` would mix in the joins, which cost more than the window's packets). The hub child
// does the same for its own thread with PARLEY_LOAD_HUB_WINDOW_PROF (hub-child.ts, prefix `hub`).
import { Session } from 'node:inspector/promises'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface WindowProfile {
  stop(label: string): Promise<void>
}

/**
 * `kind` 'heap': a sampling heap profile instead (`.heapprofile`), every 4 KiB allocated, the objects the GC
 * has collected since kept in it: what the window allocated, not what it left alive.
 */
export async function startWindowProfile(dir = process.env.PARLEY_LOAD_GEN_CPU_PROF, prefix = 'generator', kind: 'cpu' | 'heap' = 'cpu'): Promise<WindowProfile> {
  if (!dir) return { stop: async () => undefined }
  const session = new Session()
  session.connect()
  if (kind === 'heap') {
    await session.post('HeapProfiler.enable')
    await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })
  } else {
    await session.post('Profiler.enable')
    await session.post('Profiler.start')
  }
  return {
    async stop(label) {
      const { profile } = kind === 'heap' ? await session.post('HeapProfiler.stopSampling') : await session.post('Profiler.stop')
      session.disconnect()
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, `${prefix}-${label}-${Date.now()}.${kind === 'heap' ? 'heapprofile' : 'cpuprofile'}`), JSON.stringify(profile))
    },
  }
}
