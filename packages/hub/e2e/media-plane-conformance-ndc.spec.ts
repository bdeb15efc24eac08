// The media-plane conformance suite (src/test-support/mediaPlaneConformance.ts) against the
// node-datachannel plane, each peer's remote side the same werift participant as for the werift plane.
// Run inside a loopback-only namespace.
import { assertLoopbackOnly } from '@parley/testkit'
import { beforeAll } from 'vitest'
import { createNdcMediaPlane } from '../src/media/ndc-plane.js'
import { describeMediaPlaneConformance } from '../src/test-support/mediaPlaneConformance.js'
import { WeriftClient } from './support/werift-conformance-client.js'
import { createParticipant } from './support/werift-participant.js'

beforeAll(() => {
  assertLoopbackOnly()
})

describeMediaPlaneConformance('the node-datachannel plane', () => ({
  createPlane: () =>
    createNdcMediaPlane({
      log: (level, msg, fields) => {
        if (level === 'error') console.error(`[media] ${msg}`, fields ?? '')
      },
    }),
  createClient: async (peer, name) => new WeriftClient(await createParticipant(name), peer),
  timeoutMs: 20_000,
}))
