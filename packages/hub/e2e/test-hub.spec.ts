// startTestHub (@parley/hub/testing) over real sockets on 127.0.0.1: the hub answers a page origin
// served by testkit's static server (CORS), and its logs are captured instead of printed.
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertLoopbackOnly, pollUntil, startStaticServer, type RunningServer } from '@parley/testkit'
import { MEDIA_WORKER_NICE } from '../src/media/thread-priority.js'
import { threadNices } from '../src/test-support/threadNice.js'
import { startTestHub, type TestHub } from '../src/testing.js'

const PAGES = fileURLToPath(new URL('./clients/', import.meta.url))

describe('startTestHub', () => {
  let hub: TestHub | undefined
  let pages: RunningServer | undefined

  beforeAll(async () => {
    assertLoopbackOnly()
    hub = await startTestHub()
    pages = await startStaticServer(PAGES)
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
      body: JSON.stringify({ name: 'test hub spec' }),
    })
    expect(created.status).toBe(201)
    const body = (await created.json()) as { code: number; data: { id: string; name: string } }
    expect(body.data.name).toBe('test hub spec')
    expect(hub!.hub.roomIds).toEqual([body.data.id])

    const missing = await fetch(`${hub!.url}/v1/rooms/no-such-room`)
    expect(missing.status).toBe(404)
    // The hub's startup line (with its url) was captured rather than printed.
    expect(hub!.logs.length).toBeGreaterThan(0)
    expect(hub!.describeLogs()).toContain(hub!.url)
  })
})

// The browser specs' plane runs as the hub command's does: in a media worker thread at its raised priority,
// not on the spec's event loop; close() ends that thread, or vitest would not exit.
describe('startTestHub media worker', () => {
  it('runs the werift plane in one media worker thread and ends it on close', async () => {
    const raised = () => threadNices().filter((nice) => nice === MEDIA_WORKER_NICE).length
    expect(raised()).toBe(0)
    const hub = await startTestHub()
    try {
      expect(hub.mediaWorkers).toBe(1)
      // Without the right to raise it (not root, no CAP_SYS_NICE) the worker says so instead.
      const warned = () => hub.logs.some((entry) => entry.msg === 'media worker priority not raised')
      await pollUntil(() => raised() === 1 || warned() || undefined, { description: 'the media worker started', timeoutMs: 60_000 })
    } finally {
      await hub.close()
    }
    expect(raised()).toBe(0)
  })
})
