// The liveness rules (src/liveness.ts) read `MediaPeer.lastReceivedAt`: with real werift participants it
// is stamped by their RTP and RTCP, and keeps being stamped while media flows. Run inside a
// loopback-only namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertLoopbackOnly, pollUntil } from '@parley/testkit'
import { pathFor } from '@parley/protocol'
import { startHub, type RunningHub } from '../src/index.js'
import { createWeriftMediaPlane } from '../src/media/werift.js'
import { call, joinHub, type HubParticipant } from './support/hub-participant.js'

describe('lastReceivedAt with werift participants', () => {
  let hub: RunningHub
  let roomId: string
  const participants: HubParticipant[] = []
  const logs: string[] = []

  beforeAll(async () => {
    assertLoopbackOnly()
    hub = await startHub({ host: '127.0.0.1', port: 0, log: (level, msg, fields) => void (level !== 'debug' && logs.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`)), mediaPlane: createWeriftMediaPlane({}) })
    const created = await call(hub.url, 'POST', pathFor('createRoom', {}), { name: 'liveness' })
    roomId = (created.body.data as { id: string }).id
  })

  afterAll(async () => {
    console.info(logs.filter((line) => /removed|failed|closed/.test(line)).join('\n'))
    for (const participant of participants) await participant.close()
    await hub?.close()
  })

  it('is stamped by the media and RTCP each client sends, within the gone/frozen windows', async () => {
    for (const name of ['alice', 'bob']) {
      const participant = await joinHub(hub.url, roomId, name)
      participants.push(participant)
      await participant.negotiate()
    }
    const peerOf = (name: string) => hub.hub.room(roomId).client(name).peer
    await pollUntil(() => participants.every((p) => peerOf(p.name).lastReceivedAt !== undefined) || undefined, {
      description: 'both clients stamped',
      timeoutMs: 30_000,
    })
    // Sampled over 3 s: the silence never comes near the 2 s "gone" window while media flows.
    let longestSilenceMs = 0
    const until = Date.now() + 3_000
    while (Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      for (const p of participants) longestSilenceMs = Math.max(longestSilenceMs, Date.now() - peerOf(p.name).lastReceivedAt!)
    }
    console.info('[liveness figures]', JSON.stringify({ longestSilenceMs }))
    expect(longestSilenceMs).toBeLessThan(1_000)
    // And both are still in the room (nothing removed them).
    for (const p of participants) expect((await call(hub.url, 'GET', pathFor('getClient', { roomId, clientId: p.clientId }))).status).toBe(200)
  })
})
