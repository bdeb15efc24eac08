// A cluster of three hub processes (werift media planes) on loopback ports sharing one real redis-server.
// One room; three werift participants that speak the SDK's flow, each entering through a different node:
// their HTTP and SSE go through their node to the room's node, their media straight to the room's node,
// and each receives the other two. Redis killed and restarted empty mid-call: the call goes on. Rooms
// created one after another spread evenly over the nodes. Prints the cost of the forwarding hop. Run
// inside a loopback-only namespace, under the e2e flock.
import { loadavg } from 'node:os'
import { pathFor } from '@parley/protocol'
import { assertLoopbackOnly, type HubProcess, pollUntil, type RedisServer, startHubProcess, startRedisServer } from '@parley/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, type HubParticipant, joinHub } from './support/hub-participant.js'

// The cluster is what this spec is about: each node forwards media in its main thread (--media-workers 0)
// rather than the command's default of one worker per core, which from TypeScript source costs three
// nodes about 600 MB and seconds of start on CI's two cores.
const MEDIA_IN_MAIN_THREAD = ['--media-workers', '0']

interface ClusterStatus {
  nodes: { id: string; url: string; roomsMapped: number; participants: number }[]
  rooms: Record<string, string>
}

describe('a call across a cluster of three hub nodes', () => {
  let redis: RedisServer
  const nodes: HubProcess[] = []
  const participants: HubParticipant[] = []
  const figures: Record<string, unknown> = {}

  beforeAll(async () => {
    assertLoopbackOnly()
    redis = await startRedisServer()
    // Started side by side (each transpiles the hub's source as it loads); `nodes` keeps the order n1, n2, n3.
    nodes.push(...(await Promise.all(['n1', 'n2', 'n3'].map((id) => startHubProcess({ args: [...MEDIA_IN_MAIN_THREAD, '--redis', redis.url, '--node-id', id] })))))
  })

  afterAll(async () => {
    for (const participant of participants) await participant.close()
    await Promise.all(nodes.map((node) => node.close()))
    await redis?.close()
    console.info('[cluster-call figures]', JSON.stringify(figures))
  })

  const status = async (via: HubProcess) => (await call(via.url, 'GET', '/v1/parley/cluster')).body.data as ClusterStatus

  it('holds one call whose participants enter through different nodes', async () => {
    await pollUntil(async () => (await status(nodes[0]!)).nodes.length === 3, { description: 'three nodes in the directory' })
    const created = await call(nodes[0]!.url, 'POST', pathFor('createRoom', {}), { name: 'cluster call' })
    expect(created.status).toBe(201)
    const roomId = (created.body.data as { id: string }).id
    const holder = (await status(nodes[1]!)).rooms[roomId]
    expect(holder).toMatch(/^n[123]$/)

    for (const [index, node] of nodes.entries()) {
      const participant = await joinHub(node.url, roomId, `p${index + 1}`)
      participants.push(participant)
      await participant.negotiate()
    }
    for (const subscriber of participants) {
      for (const publisher of participants) {
        if (publisher === subscriber) continue
        await pollUntil(() => {
          const received = subscriber.media.received.filter((track) => track.streamId === publisher.media.streamId)
          return received.length === 2 && received.every((track) => track.packets >= 10)
        }, { description: `${subscriber.name} receiving ${publisher.name}'s audio and video`, timeoutMs: 30_000 })
      }
    }
    expect(participants.flatMap((participant) => participant.errors)).toEqual([])
    // The room's node counts all three in its load.
    await pollUntil(async () => (await status(nodes[2]!)).nodes.find((node) => node.id === holder)?.participants === 3, { description: 'the load to show 3 participants' })

    // The forwarding hop: the same GET through the room's node and through another, alternating.
    const direct = nodes[Number(holder!.slice(1)) - 1]!
    const other = nodes.find((node) => node !== direct)!
    const samples: Record<'direct' | 'forwarded', number[]> = { direct: [], forwarded: [] }
    for (let round = 0; round < 200; round++) {
      for (const [kind, node] of [['direct', direct], ['forwarded', other]] as const) {
        const started = performance.now()
        expect((await call(node.url, 'GET', pathFor('getRoom', { roomId }))).status).toBe(200)
        samples[kind].push(performance.now() - started)
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
    figures.getRoomMedianMs = { direct: +median(samples.direct).toFixed(2), forwarded: +median(samples.forwarded).toFixed(2), loadavg1m: +loadavg()[0]!.toFixed(2) }
  })

  it('goes on while Redis restarts empty, and the cluster knows the room again after', async () => {
    const roomId = Object.keys((await status(nodes[0]!)).rooms)[0]!
    const packets = () => participants.map((participant) => participant.media.received.reduce((sum, track) => sum + track.packets, 0))
    await redis.kill('SIGKILL')
    const atKill = packets()
    // Media goes straight to the room's node: it keeps flowing with Redis gone.
    await pollUntil(() => packets().every((count, index) => count >= atKill[index]! + 50), { description: 'media still flowing with Redis down' })
    await redis.restart()
    // The room's node writes its rooms again; every node finds the room and forwards to it.
    await pollUntil(async () => {
      const answers = await Promise.all(nodes.map((node) => call(node.url, 'GET', pathFor('getRoom', { roomId }))))
      return answers.every((answer) => answer.status === 200)
    }, { description: 'every node answering for the room again' })
    await pollUntil(async () => (await status(nodes[0]!)).nodes.length === 3, { description: 'three nodes beating again' })
    expect(participants.flatMap((participant) => participant.errors)).toEqual([])
  })

  it('spreads 30 rooms created one after another over the three nodes', async () => {
    const nodesBefore = (await status(nodes[0]!)).nodes
    const before = Object.fromEntries(nodesBefore.map((node) => [node.id, node.roomsMapped]))
    // Load by the placement rule: participants (the call's 3) + rooms.
    const loadBefore = Object.fromEntries(nodesBefore.map((node) => [node.id, node.roomsMapped + node.participants]))
    for (let room = 0; room < 30; room++) {
      const created = await call(nodes[room % 3]!.url, 'POST', pathFor('createRoom', {}), { name: `spread ${room}` })
      expect(created.status).toBe(201)
    }
    const after = Object.fromEntries((await status(nodes[1]!)).nodes.map((node) => [node.id, node.roomsMapped - (before[node.id] ?? 0)]))
    figures.placementOf30Rooms = after
    // The call's room and its 3 participants weigh on its node, so the others take more of the new rooms:
    // afterwards every node's load is within one of the others'.
    expect(Object.values(after).reduce((sum, count) => sum + count, 0)).toBe(30)
    const loads = Object.keys(after).map((id) => loadBefore[id]! + after[id]!)
    figures.loadAfterPlacement = loads
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1)
  })
})
