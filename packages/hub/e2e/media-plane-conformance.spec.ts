// The media-plane conformance suite (src/test-support/mediaPlaneConformance.ts) against the werift
// plane, each peer's remote side a real werift participant on loopback. The fake plane passes the same
// suite in the unit tests. Run inside a loopback-only namespace.
import { assertLoopbackOnly } from '@parley/testkit'
import { beforeAll } from 'vitest'
import { createWeriftMediaPlane } from '../src/media/werift.js'
import { describeMediaPlaneConformance } from '../src/test-support/mediaPlaneConformance.js'
import { createWeriftClient } from './support/werift-conformance-client.js'

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
  createClient: createWeriftClient,
  timeoutMs: 20_000,
}))
