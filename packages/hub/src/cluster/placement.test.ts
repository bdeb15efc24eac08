import { describe, expect, it } from 'vitest'
import type { NodeInfo } from './nodes.js'
import { countRooms, pickNode } from './placement.js'

const node = (id: string, load: Partial<NodeInfo> = {}): NodeInfo => ({
  id,
  url: `http://127.0.0.1:1/${id}`,
  iceAddresses: ['127.0.0.1'],
  rooms: 0,
  participants: 0,
  cpu: 0,
  forwardedPacketsPerSecond: 0,
  heartbeatAt: 0,
  startedAt: 0,
  draining: false,
  ...load,
})

describe('pickNode', () => {
  it('takes the node with the fewest participants plus rooms, then the fewer forwarded packets/s, then the lower CPU, then the id', () => {
    expect(pickNode([node('b'), node('a')], new Map())?.id).toBe('a')
    expect(pickNode([node('a', { participants: 3 }), node('b', { participants: 1 })], new Map([['b', 1]]))?.id).toBe('b')
    expect(pickNode([node('a', { participants: 1 }), node('b')], new Map([['b', 2]]))?.id).toBe('a')
    expect(pickNode([node('a', { cpu: 0.9 }), node('b', { cpu: 0.1 })], new Map())?.id).toBe('b')
    expect(pickNode([node('a', { forwardedPacketsPerSecond: 900, cpu: 0.1 }), node('b', { forwardedPacketsPerSecond: 100, cpu: 0.9 })], new Map())?.id).toBe('b')
  })

  it('never picks a draining node, and has no answer without a live one', () => {
    expect(pickNode([node('a', { draining: true }), node('b', { participants: 40 })], new Map())?.id).toBe('b')
    expect(pickNode([node('a', { draining: true })], new Map())).toBeUndefined()
    expect(pickNode([], new Map())).toBeUndefined()
  })

  it('spreads rooms placed one after another evenly, counting each as it is mapped', () => {
    const nodes = [node('a'), node('b'), node('c')]
    const map: Record<string, string> = {}
    for (let room = 0; room < 30; room++) map[`room-${room}`] = pickNode(nodes, countRooms(map))!.id
    expect(Object.fromEntries(countRooms(map))).toEqual({ a: 10, b: 10, c: 10 })
  })
})
