// startStaticServer over a real socket on 127.0.0.1: it serves only its root. (The hub it serves pages
// to is @parley/hub/testing's startTestHub; packages/hub/e2e/test-hub.spec.ts covers that pair.)
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertLoopbackOnly } from '../src/loopback.js'
import { startStaticServer, type RunningServer } from '../src/static-server.js'

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))

describe('static test server', () => {
  let pages: RunningServer | undefined

  beforeAll(async () => {
    assertLoopbackOnly()
    pages = await startStaticServer(FIXTURES)
  })

  afterAll(async () => {
    await pages?.close()
  })

  it('serves files under its root only', async () => {
    expect(pages!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
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
