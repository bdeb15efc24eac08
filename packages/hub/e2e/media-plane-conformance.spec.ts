// The media-plane conformance suite (src/test-support/mediaPlaneConformance.ts) against each real plane
// (werift, node-datachannel), each peer's remote side a real werift participant on loopback. The fake
// plane passes the same suite in the unit tests. Run inside a loopback-only namespace.
import { assertLoopbackOnly } from '@parley/testkit'
import { beforeAll } from 'vitest'
import type { Logger } from '../src/log.js'
import { createNdcMediaPlane } from '../src/media/ndc-plane.js'
import type { MediaPlane } from '../src/media/types.js'
import { createWeriftMediaPlane } from '../src/media/werift.js'
import { describeMediaPlaneConformance } from '../src/test-support/mediaPlaneConformance.js'
import { createWeriftClient } from './support/werift-conformance-client.js'

beforeAll(() => {
  assertLoopbackOnly()
})

const log: Logger = (level, msg, fields) => {
  if (level === 'error') console.error(`[media] ${msg}`, fields ?? '')
}

const PLANES: ReadonlyArray<readonly [string, () => MediaPlane]> = [
  ['the werift plane', () => createWeriftMediaPlane({ log })],
  ['the node-datachannel plane', () => createNdcMediaPlane({ log })],
]

for (const [name, createPlane] of PLANES) {
  describeMediaPlaneConformance(name, () => ({ createPlane, createClient: createWeriftClient, timeoutMs: 20_000 }), { media: true })
}
