// Benchmark (figures printed, not asserted beyond "every event arrived"): the cost of the cluster's
// forwarding hop. Two hub processes on one real redis-server (loopback); the room on one (the holder),
// requests entering through the other (the entry node).
// 1. Latency: GET room direct vs forwarded, alternating, median and p90.
// 2. CPU per forwarded SSE event: EVENTS setmeta calls go straight to the holder, each one meta_changed
//    event to a client whose stream is opened through the entry node (forwarded) or straight on the
//    holder (baseline, the entry node idle); the entry process's CPU (/proc/<pid>/stat) over each run,
//    alternating, so the difference is what forwarding the events cost it.
// Run: see vitest.config.ts; with the e2e flock when other tests run.
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { pathFor } from '@parley/protocol'
import { assertLoopbackOnly, type HubProcess, pollUntil, type RedisServer, startHubProcess, startRedisServer } from '@parley/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call } from '../e2e/support/hub-participant.js'

const ROUNDS = Number(process.env.PARLEY_BENCH_ROUNDS ?? 300)
const EVENTS = Number(process.env.PARLEY_BENCH_EVENTS ?? 1000)
const TICKS_PER_SECOND = 100

/** CPU seconds (user + system) of a process so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) * p)]!

describe('the cluster forwarding hop', () => {
  let redis: RedisServer
  const nodes: HubProcess[] = []
  let holder: HubProcess
  let entry: HubProcess
  let roomId: string

  beforeAll(async () => {
    assertLoopbackOnly()
    redis = await startRedisServer()
    for (const id of ['n1', 'n2']) nodes.push(await startHubProcess({ args: ['--redis', redis.url, '--node-id', id] }))
    await pollUntil(async () => ((await call(nodes[0]!.url, 'GET', '/v1/parley/cluster')).body.data as { nodes: unknown[] }).nodes.length === 2)
    roomId = ((await call(nodes[0]!.url, 'POST', pathFor('createRoom', {}), { name: 'bench' })).body.data as { id: string }).id
    const status = (await call(nodes[0]!.url, 'GET', '/v1/parley/cluster')).body.data as { rooms: Record<string, string> }
    holder = nodes[Number(status.rooms[roomId]!.slice(1)) - 1]!
    entry = nodes.find((node) => node !== holder)!
  })

  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.close()))
    await redis?.close()
  })

  it('adds this much latency to a request', async () => {
    const samples: Record<'direct' | 'forwarded', number[]> = { direct: [], forwarded: [] }
    for (let round = 0; round < ROUNDS; round++) {
      for (const [kind, node] of [['direct', holder], ['forwarded', entry]] as const) {
        const started = performance.now()
        expect((await call(node.url, 'GET', pathFor('getRoom', { roomId }))).status).toBe(200)
        samples[kind].push(performance.now() - started)
      }
    }
    const figures = Object.fromEntries(Object.entries(samples).map(([kind, values]) => [kind, { medianMs: +percentile(values, 0.5).toFixed(2), p90Ms: +percentile(values, 0.9).toFixed(2) }]))
    console.info('[cluster-hop latency]', JSON.stringify({ rounds: ROUNDS, ...figures, loadavg1m: +loadavg()[0]!.toFixed(2) }))
  })

  it('costs the entry node this much CPU per forwarded SSE event', async () => {
    const run = async (streamVia: HubProcess, name: string) => {
      const registered = await call(holder.url, 'POST', pathFor('register', { roomId }), { uid: name })
      const clientId = (registered.body.data as { client_id: string }).client_id
      const response = await fetch(`${streamVia.url}${pathFor('events', { roomId, clientId })}`)
      const reader = response.body!.getReader()
      let received = 0
      let text = ''
      const reading = (async () => {
        while (received < EVENTS) {
          const { value, done } = await reader.read()
          if (done) throw new Error('the stream ended early')
          text += new TextDecoder().decode(value)
          const parts = text.split('event: meta_changed')
          received += parts.length - 1
          text = parts[parts.length - 1]!
        }
      })()
      const cpuBefore = cpuSeconds(entry.pid)
      const started = performance.now()
      for (let event = 0; event < EVENTS; event++) await call(holder.url, 'POST', pathFor('setMeta', { roomId }), { [`k${event % 50}`]: event })
      await reading
      const cpu = cpuSeconds(entry.pid) - cpuBefore
      const seconds = (performance.now() - started) / 1000
      await reader.cancel()
      await call(holder.url, 'DELETE', pathFor('leave', { roomId, clientId }))
      return { cpu, seconds }
    }
    const results: Record<'forwarded' | 'baseline', { cpu: number; seconds: number }[]> = { forwarded: [], baseline: [] }
    for (let round = 0; round < 2; round++) {
      results.forwarded.push(await run(entry, `forwarded-${round}`))
      results.baseline.push(await run(holder, `baseline-${round}`))
    }
    const total = (list: { cpu: number }[]) => list.reduce((sum, { cpu }) => sum + cpu, 0)
    const perEventUs = ((total(results.forwarded) - total(results.baseline)) / (EVENTS * 2)) * 1e6
    console.info('[cluster-hop sse]', JSON.stringify({
      events: EVENTS,
      entryCpuSecondsForwarded: results.forwarded.map(({ cpu }) => +cpu.toFixed(2)),
      entryCpuSecondsIdle: results.baseline.map(({ cpu }) => +cpu.toFixed(2)),
      entryCpuPerForwardedEventUs: Math.round(perEventUs),
      loadavg1m: +loadavg()[0]!.toFixed(2),
    }))
  })
})
