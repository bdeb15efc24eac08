import { describe, expect, it } from 'vitest'
import { type PeerTransport, watchPeerPorts } from './peer-ports.js'

/** A page whose getStats() answers from a script of transports, one per read (the last one repeats). */
function scriptedPage(script: (PeerTransport | null)[]) {
  let reads = 0
  return {
    get reads() {
      return reads
    },
    page: {
      goto: () => Promise.resolve(),
      click: () => Promise.resolve(),
      evaluate: <T>() => Promise.resolve(script[Math.min(reads++, script.length - 1)] as T),
    },
  }
}

const transport = (overrides: Partial<PeerTransport>): PeerTransport => ({ candidates: [], selectedPort: null, rtpPacketsSent: 0, connectionState: 'connecting', ...overrides })

async function until(check: () => boolean): Promise<void> {
  for (let tries = 0; tries < 200 && !check(); tries++) await new Promise((resolve) => setTimeout(resolve, 5))
}

describe('watchPeerPorts', () => {
  it('shapes each IPv4 port once as it appears and reports the selected pair', async () => {
    const scripted = scriptedPage([
      null,
      transport({ candidates: [{ port: 40_000, address: '127.0.0.1' }] }),
      transport({ candidates: [{ port: 40_000, address: '127.0.0.1' }], selectedPort: 40_000, rtpPacketsSent: 0 }),
      transport({ candidates: [{ port: 40_000, address: '127.0.0.1' }, { port: 40_002, address: '127.0.0.1' }], selectedPort: 40_002, rtpPacketsSent: 300, connectionState: 'connected' }),
    ])
    const shaped: number[] = []
    const watch = watchPeerPorts(scripted.page, Date.now(), (port) => shaped.push(port))
    await until(() => scripted.reads >= 4)
    await watch.stop()
    expect(shaped).toEqual([40_000, 40_002])
    expect(watch.events).toHaveLength(4)
    expect(watch.events[0]).toMatch(/port 40000 \(127\.0\.0\.1\) shaped, connection connecting, 0 RTP packets sent before$/)
    expect(watch.events[1]).toMatch(/selected pair from port 40000, 0 RTP packets sent$/)
    expect(watch.events[3]).toMatch(/selected pair from port 40002, 300 RTP packets sent$/)
    expect(watch.unshapedSelected).toBe(false)
  })

  it('says when the selected pair is on a port not among the candidates shaped', async () => {
    const scripted = scriptedPage([transport({ candidates: [{ port: 40_004, address: '::1' }], selectedPort: 40_006 })])
    const shaped: number[] = []
    const watch = watchPeerPorts(scripted.page, Date.now(), (port) => shaped.push(port))
    await until(() => scripted.reads >= 2)
    await watch.stop()
    expect(shaped).toEqual([40_004])
    expect(watch.events[1]).toMatch(/selected pair from port 40006 \(NOT shaped\)/)
    expect(watch.unshapedSelected).toBe(true)
  })
})
