// Shared by the room tests (src/room.*.test.ts): fake timers around each test, the test's hub closed
// after it, and the room `r1` with clients registered and connected.
import { pathFor, TracksEventSchema } from '@parley/protocol'
import * as v from 'valibot'
import { afterEach, beforeEach, vi } from 'vitest'
import { connectClient, createTestHub, type SseReader, type TestHub } from './harness.js'

export const tracksOf = (reader: SseReader, event: 'tracks_added' | 'tracks_available', index = 0) =>
  v.parse(TracksEventSchema, JSON.parse(reader.named(event)[index]!.data)).tracks

/**
 * Registers the hooks for a file whose tests keep their hub in the file's `hub` (`current` reads it,
 * `use` sets it) and returns the helpers that act on it.
 */
export function roomTests(current: () => TestHub | undefined, use: (hub: TestHub) => void) {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  })
  afterEach(async () => {
    await current()?.close()
    vi.useRealTimers()
  })
  const hub = () => current()!
  return {
    clientStatus: async (roomId: string, clientId: string) => (await hub().request('GET', pathFor('getClient', { roomId, clientId }))).status,
    roomStatus: async (roomId: string) => (await hub().request('GET', pathFor('getRoom', { roomId }))).status,
    /** A test hub with room `r1`: the `connected` clients registered, offered and connected, the `waiting` ones only registered. */
    async roomWith(connected: string[], waiting: string[] = [], options?: Parameters<typeof createTestHub>[0]): Promise<void> {
      const made = createTestHub(options)
      use(made)
      await made.setupRoom('r1', ...connected, ...waiting)
      for (const id of connected) await connectClient(made, 'r1', id)
    },
  }
}
