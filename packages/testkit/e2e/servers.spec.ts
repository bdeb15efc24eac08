// startTestHub and startStaticServer over real sockets on 127.0.0.1: the hub answers a page from
// another loopback origin (CORS), its logs are captured, and the static server serves only its root.
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertLoopbackOnly } from '../src/loopback.js'
import { startStaticServer, startTestHub, type RunningServer, type TestHub } from '../src/hub.js'

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))

describe('test servers', () => {
  let hub: TestHub | undefined
  let pages: RunningServer | undefined

  beforeAll(async () => {
    assertLoopbackOnly()
    hub = await startTestHub()
    pages = await startStaticServer(FIXTURES)
  })

  afterAll(async () => {
    await pages?.close()
    await hub?.close()
  })

  it('runs the real hub on 127.0.0.1 with CORS for another loopback origin and captured logs', async () => {
    expect(hub!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const preflight = await fetch(`${hub!.url}/v1/rooms/create`, {
      method: 'OPTIONS',
      headers: { Origin: pages!.url, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    })
    expect(preflight.ok).toBe(true)
    expect(preflight.headers.get('access-control-allow-origin')).toMatch(/^(\*|http:\/\/127\.0\.0\.1:\d+)$/)

    const created = await fetch(`${hub!.url}/v1/rooms/create`, {
      method: 'POST',
      headers: { Origin: pages!.url, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'servers spec' }),
    })
    expect(created.status).toBe(201)
    const body = (await created.json()) as { code: number; data: { id: string; name: string } }
    expect(body.data.name).toBe('servers spec')

    const missing = await fetch(`${hub!.url}/v1/rooms/no-such-room`)
    expect(missing.status).toBe(404)
    // The hub's startup line (with its url) was captured rather than printed.
    expect(hub!.logs.length).toBeGreaterThan(0)
    expect(hub!.describeLogs()).toContain(hub!.url)
  })

  it('serves files under its root only', async () => {
    const page = await fetch(`${pages!.url}/loopback-call.html`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await page.text()).toContain('loopback-call.js')
    expect((await fetch(`${pages!.url}/loopback-call.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect((await fetch(`${pages!.url}/nothing-here.html`)).status).toBe(404)
    expect((await fetch(`${pages!.url}/favicon.ico`)).status).toBe(204)
    expect((await fetch(`${pages!.url}/..%2fservers.spec.ts`)).status).toBe(403)
    expect((await fetch(`${pages!.url}/loopback-call.html`, { method: 'POST' })).status).toBe(405)
  })
})
