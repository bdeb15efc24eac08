import { pathFor, routes, type RouteName } from '@parley/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestHub, type TestHub } from '../test-support/harness.js'

let hub: TestHub
afterEach(async () => {
  await hub?.close()
})

describe("the protocol's route table", () => {
  it('is mounted route by route, with the API key exactly where the table asks for it', async () => {
    hub = createTestHub({ apiKey: 's3cret' })
    for (const [name, route] of Object.entries(routes)) {
      const where = `${route.method} ${route.path}`
      expect(hub.app.routes.some((mounted) => mounted.method === route.method && mounted.path === `/v1${route.path}`), where).toBe(true)
      const params = Object.fromEntries([...route.path.matchAll(/:(\w+)/g)].map(([, param]) => [param, 'x']))
      const response = await hub.request(route.method, pathFor(name as RouteName, params as never))
      expect(response.body.message, where).not.toMatch(/no such endpoint|is not allowed/)
      expect(response.status === 401, where).toBe(route.auth)
      expect(response.body.code, where).toBe(response.status)
    }
  })
})
