// The media-plane conformance suite (src/test-support/mediaPlaneConformance.ts) against the werift
// plane, each peer's remote side a real werift participant on loopback. The fake plane passes the same
// suite in the unit tests. Run inside a loopback-only namespace.
import { assertLoopbackOnly } from '@parley/testkit'
import { beforeAll } from 'vitest'
import { createWeriftMediaPlane } from '../src/media/werift.js'
import { describeMediaPlaneConformance } from '../src/test-support/mediaPlaneConformance.js'
import { WeriftClient } from './support/werift-conformance-client.js'
import { createParticipant } from './support/werift-participant.js'

beforeAll(() => {
  assertLoopbackOnly()
})

describeMediaPlaneConformance('the werift plane', () => ({
  createPlane: () =>
    createWeriftMediaPlane({
      log: (level, msg, fields) => {
        if (level === 'error') console.error(`[media] ${msg}`, fields ?? '')
      },
    }),
  createClient: async (peer, name) => new WeriftClient(await createParticipant(name), peer),
  timeoutMs: 20_000,
}))
