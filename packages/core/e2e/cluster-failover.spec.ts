// A hub node dies under a call: three hub processes on one real redis-server (Debian's, loopback); the
// room lives on node 1, two participants on the core (werift, synthetic media) enter through nodes 2 and
// 3. SIGKILL node 1: the next request for the room makes a live node take it over from Redis, and the
// core's full reconnect brings both back into the same room (same id, metadata kept) with media flowing.
// Prints the time from the kill to media flowing again. It lives with the core's e2e because the hub
// cannot depend on the core (the core's tests depend on the hub). Loopback-only namespace, e2e flock.
import { loadavg } from 'node:os'
import { EventSource } from 'eventsource'
import { MediaStreamTrack } from 'werift'
import { pathFor } from '@parley/protocol'
import { assertLoopbackOnly, createSyntheticMedia, type HubProcess, loopbackWeriftConfig, ParticipantPeerConnection, pollUntil, type RedisServer, startHubProcess, startRedisServer } from '@parley/testkit'
import { createConference } from '@parley/core'
import { nodePorts } from '@parley/core/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The cluster is what this spec is about: each node forwards media in its main thread (--media-workers 0)
// rather than the command's default of one worker per core, which from TypeScript source costs three
// nodes about 600 MB and seconds of start on CI's two cores.
const MEDIA_IN_MAIN_THREAD = ['--media-workers', '0']

interface Caller {
  readonly name: string
  readonly conference: ReturnType<typeof createConference>
  /** RTP packets per remote werift track the core's stream registry holds. */
  readonly rtp: Map<MediaStreamTrack, number>
}

function caller(name: string, hubUrl: string): Caller {
  const conference = createConference({
    hub: { baseUrl: hubUrl },
    ports: nodePorts({ RTCPeerConnection: ParticipantPeerConnection, peerConnectionOptions: loopbackWeriftConfig(), EventSource, media: createSyntheticMedia() }),
  })
  conference.actor.start()
  return { name, conference, rtp: new Map() }
}

/** Packets received since counting began on the remote tracks `who` now holds of `from` (0 when none is live). */
function packetsFrom(who: Caller, from: string): number {
  const view = who.conference.selectView(who.conference.actor.getSnapshot())
  if (view.status !== 'connected') return 0
  const participant = view.participants.find((p) => p.name === from)
  if (!participant || participant.tracks.filter((t) => t.live).length < 2) return 0
  const tracks = participant.streamIds.flatMap((id) => who.conference.streams.get(id)?.getTracks() ?? [])
  let packets = 0
  for (const track of tracks) {
    if (!(track instanceof MediaStreamTrack)) continue
    if (!who.rtp.has(track)) {
      who.rtp.set(track, 0)
      track.onReceiveRtp.subscribe(() => who.rtp.set(track, (who.rtp.get(track) ?? 0) + 1))
    }
    packets = Math.min(packets === 0 ? Infinity : packets, who.rtp.get(track) ?? 0)
  }
  return tracks.length >= 2 ? packets : 0
}

async function call(url: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: response.status, body: (await response.json()) as { code: number; data: Record<string, unknown> } }
}

describe('a call whose hub node is killed', () => {
  let redis: RedisServer
  const nodes: HubProcess[] = []
  const callers: Caller[] = []
  const figures: Record<string, unknown> = {}

  beforeAll(async () => {
    assertLoopbackOnly()
    redis = await startRedisServer()
  })

  afterAll(async () => {
    for (const { conference } of callers) {
      conference.leave()
      conference.actor.stop()
    }
    await Promise.all(nodes.map((node) => node.close()))
    await redis?.close()
    console.info('[cluster-failover figures]', JSON.stringify(figures))
  })

  it('comes back on another node, same room and metadata, with media flowing', async () => {
    // Node 1 alone first, so the room is placed on it; then nodes 2 and 3, the participants' entry points.
    nodes.push(await startHubProcess({ args: [...MEDIA_IN_MAIN_THREAD, '--redis', redis.url, '--node-id', 'n1'] }))
    const created = await call(nodes[0]!.url, 'POST', pathFor('createRoom', {}), { name: 'failover' })
    expect(created.status).toBe(201)
    const roomId = created.body.data.id as string
    expect((await call(nodes[0]!.url, 'POST', pathFor('setMeta', { roomId }), { agenda: 'survive' })).status).toBe(200)
    // Started side by side (each transpiles the hub's source as it loads); `nodes` keeps the order n1, n2, n3.
    nodes.push(...(await Promise.all(['n2', 'n3'].map((id) => startHubProcess({ args: [...MEDIA_IN_MAIN_THREAD, '--redis', redis.url, '--node-id', id] })))))

    const ada = caller('Ada', nodes[1]!.url)
    const grace = caller('Grace', nodes[2]!.url)
    callers.push(ada, grace)
    for (const who of [ada, grace]) who.conference.join({ roomId, displayName: who.name, media: { audio: true, video: true } })
    await pollUntil(() => packetsFrom(ada, 'Grace') >= 10 && packetsFrom(grace, 'Ada') >= 10, { description: 'both receiving each other through node 1', timeoutMs: 30_000 })

    await nodes[0]!.kill('SIGKILL')
    const killedAt = performance.now()
    const before = new Set([...ada.rtp.keys(), ...grace.rtp.keys()])
    const fresh = (who: Caller, from: string) => {
      const packets = packetsFrom(who, from)
      return packets >= 10 && [...who.rtp.keys()].some((track) => !before.has(track) && (who.rtp.get(track) ?? 0) >= 10) ? packets : 0
    }
    await pollUntil(() => fresh(ada, 'Grace') > 0 && fresh(grace, 'Ada') > 0, { description: 'media flowing again on new tracks after node 1 died', timeoutMs: 30_000 })
    figures.killToMediaFlowingMs = Math.round(performance.now() - killedAt)
    figures.loadavg1m = +loadavg()[0]!.toFixed(2)

    const status = (await call(nodes[1]!.url, 'GET', '/v1/parley/cluster')).body.data as { rooms: Record<string, string>; nodes: { id: string }[] }
    expect(status.nodes.map((node) => node.id)).toEqual(['n2', 'n3'])
    expect(['n2', 'n3']).toContain(status.rooms[roomId])
    for (const who of [ada, grace]) expect(who.conference.selectView(who.conference.actor.getSnapshot()).room?.id).toBe(roomId)
    expect((await call(nodes[2]!.url, 'GET', pathFor('getMeta', { roomId, key: 'agenda' }))).body.data).toEqual({ agenda: 'survive' })
  })
})
