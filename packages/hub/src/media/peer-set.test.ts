import { describe, expect, it } from 'vitest'
import { PeerSet, safeLogger } from './peer-set.js'

class FakePeer {
  closed = 0
  constructor(readonly release: (peer: FakePeer) => void) {}
  close(): Promise<void> {
    this.closed++
    this.release(this)
    return Promise.resolve()
  }
}

describe('PeerSet', () => {
  it('keeps peers until they release themselves, closes the rest once, then refuses new ones', async () => {
    const peers = new PeerSet<FakePeer>()
    const a = peers.add((release) => new FakePeer(release))
    const b = peers.add((release) => new FakePeer(release))
    expect(peers.size).toBe(2)
    await a.close()
    expect([...peers]).toEqual([b])
    await peers.closeAll()
    expect(b.closed).toBe(1)
    expect(peers.size).toBe(0)
    expect(() => peers.add((release) => new FakePeer(release))).toThrow(/closed/)
  })

  it('swallows what a throwing logger throws', () => {
    const log = safeLogger(() => {
      throw new Error('logger down')
    })
    expect(() => log('error', 'x')).not.toThrow()
  })
})
