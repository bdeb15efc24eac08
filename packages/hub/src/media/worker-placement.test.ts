import { describe, expect, it } from 'vitest'
import { RoomPlacement } from './worker-placement.js'

describe('RoomPlacement', () => {
  it('puts every peer of a room on one worker and a new room on the least loaded worker', () => {
    const placement = new RoomPlacement(2)
    expect([placement.addPeer('a'), placement.addPeer('a'), placement.addPeer('a')]).toEqual([0, 0, 0])
    expect(placement.addPeer('b')).toBe(1)
    // Worker 1 has 1 peer against 3: the next room goes there too, and stays with its peers.
    expect(placement.addPeer('c')).toBe(1)
    expect(placement.addPeer('c')).toBe(1)
    expect(placement.addPeer('a')).toBe(0)
    expect(placement.load()).toEqual([
      { peers: 4, rooms: 1 },
      { peers: 3, rooms: 2 },
    ])
  })

  it('breaks a tie in peers by rooms, then by index', () => {
    const placement = new RoomPlacement(3)
    expect(placement.addPeer('a')).toBe(0)
    expect(placement.addPeer('b')).toBe(1)
    expect(placement.addPeer('c')).toBe(2)
    placement.releasePeer('a')
    placement.releasePeer('b')
    // Workers 0 and 1 both empty now (rooms forgotten): the lower index wins.
    expect(placement.workerOf('a')).toBeUndefined()
    expect(placement.addPeer('d')).toBe(0)
  })

  it('forgets a room when its last peer leaves, so it is placed afresh', () => {
    const placement = new RoomPlacement(2)
    placement.addPeer('a')
    placement.addPeer('b')
    placement.addPeer('b')
    placement.releasePeer('a')
    expect(placement.addPeer('a')).toBe(0)
    placement.releasePeer('a')
    placement.releasePeer('unknown-room')
    expect(placement.load()).toEqual([
      { peers: 0, rooms: 0 },
      { peers: 2, rooms: 1 },
    ])
  })

  it("clears a dead worker's rooms and peers", () => {
    const placement = new RoomPlacement(2)
    placement.addPeer('a')
    placement.addPeer('a')
    placement.addPeer('b')
    placement.clearWorker(0)
    expect(placement.workerOf('a')).toBeUndefined()
    expect(placement.workerOf('b')).toBe(1)
    expect(placement.addPeer('a')).toBe(0)
    // A late release of a peer of the dead worker's room changes nothing.
    placement.releasePeer('c')
    expect(placement.load()).toEqual([
      { peers: 1, rooms: 1 },
      { peers: 1, rooms: 1 },
    ])
  })

  it('refuses zero workers', () => {
    expect(() => new RoomPlacement(0)).toThrow(/at least one worker/)
  })
})
