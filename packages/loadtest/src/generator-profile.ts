// PARLEY_LOAD_GEN_CPU_PROF=<dir>: a V8 CPU profile of the generator over each measurement window only
// (`node --cpu-prof` would mix in the joins, which cost more than the window's packets). The hub child
// does the same for its own thread with PARLEY_LOAD_HUB_WINDOW_PROF (hub-child.ts, prefix `hub`).
import { Session } from 'node:inspector/promises'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface WindowProfile {
  stop(label: string): Promise<void>
}

export async function startWindowProfile(dir = process.env.PARLEY_LOAD_GEN_CPU_PROF, prefix = 'generator'): Promise<WindowProfile> {
  if (!dir) return { stop: async () => undefined }
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.start')
  return {
    async stop(label) {
      const { profile } = await session.post('Profiler.stop')
      session.disconnect()
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, `${prefix}-${label}-${Date.now()}.cpuprofile`), JSON.stringify(profile))
    },
  }
}
