// Test hubs and scratch folders a test file makes, each closed or removed after every test: the
// afterEach the room lock, room pass and registry restart tests had each written for themselves.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { createTestHub, type TestHub } from './harness.js'

export interface TestHubs {
  testHub(options?: Parameters<typeof createTestHub>[0]): TestHub
  /** Closes one before the test ends (a restart over its registry): the afterEach then leaves it be. */
  closeEarly(hub: TestHub): Promise<void>
  scratchDir(prefix: string): string
}

export function useTestHubs(): TestHubs {
  const hubs: TestHub[] = []
  const dirs: string[] = []
  afterEach(async () => {
    for (const hub of hubs.splice(0)) await hub.close()
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })
  return {
    testHub(options) {
      const hub = createTestHub(options)
      hubs.push(hub)
      return hub
    },
    async closeEarly(hub) {
      hubs.splice(hubs.indexOf(hub), 1)
      await hub.close()
    },
    scratchDir(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix))
      dirs.push(dir)
      return dir
    },
  }
}
