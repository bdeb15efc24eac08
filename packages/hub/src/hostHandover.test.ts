// The host's part handed on (Parley extension, host controls; hostHandover.ts): when the last host present goes
// away (leaves, is removed, is dropped on a timeout) and others stay, the hub waits the grace (a reload comes
// back within it), then the one there longest is made a host as a host's grant would (its pass marked, it alone
// told, `reason: 'host_left'`), and claims the key with its pass. Fake timers drive the grace.
import { ClaimedHostKeySchema, HOST_LEFT_REASON, HostGrantedEventSchema, PARLEY_HOST_GRANTED_EVENT, pathFor } from '@parley/protocol'
import * as v from 'valibot'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { connectClient, type SseReader, type TestHub } from './test-support/harness.js'
import { failingRegistry, hostedRoom, register, withKey, withPass } from './test-support/hostedRoom.js'
import { useTestHubs } from './test-support/testHubs.js'
import { DEFAULT_TIMINGS } from './timings.js'

const { testHub } = useTestHubs()

const ada = { client_id: 'ada', name: 'Ada' }
const handedOnBy = (by: typeof ada) => ({ by, reason: HOST_LEFT_REASON })
const grantedOf = async (reader: SseReader, count = 1) => v.parse(v.strictObject(HostGrantedEventSchema.entries), JSON.parse((await reader.waitFor(PARLEY_HOST_GRANTED_EVENT, count)).data))
const leave = (hub: TestHub, clientId: string) => hub.request('DELETE', pathFor('leave', { roomId: 'r1', clientId }))
const remove = (hub: TestHub, clientId: string, key: string) => hub.request('PUT', pathFor('removeClient', { roomId: 'r1', clientId }), {}, withKey(key))
const grant = (hub: TestHub, clientId: string, key: string) => hub.request('PUT', pathFor('grantHost', { roomId: 'r1', clientId }), { by_client_id: 'ada' }, withKey(key))
const claim = (hub: TestHub, pass: string) => hub.request('POST', pathFor('claimHostKey', { roomId: 'r1' }), undefined, withPass(pass))
const end = (hub: TestHub, key: string) => hub.request('PUT', pathFor('endRoom', { roomId: 'r1' }), undefined, withKey(key))
const GRACE_MS = DEFAULT_TIMINGS.hostHandoverGraceMs
/** The hand-over's grace runs out (and whatever else was due by then). */
const graceOver = () => vi.advanceTimersByTimeAsync(GRACE_MS)

/** Room r1 with host controls: Ada registered with its host key (the host), then the others without it. */
async function roomWithHost(hub: TestHub, ...others: string[]): Promise<{ key: string; passes: Record<string, string> }> {
  const { key } = await hostedRoom(hub, 'r1')
  const passes: Record<string, string> = {}
  for (const uid of ['ada', ...others]) {
    const registered = await register(hub, 'r1', uid, uid === 'ada' ? withKey(key) : {})
    if (registered.status !== 200) throw new Error(`register ${uid}: ${registered.status} ${registered.body.message}`)
    passes[uid] = (registered.body.data as { parley_pass: string }).parley_pass
  }
  return { key, passes }
}

/**
 * Room r1 with host controls and a co-host: Ada the host, Bo made a co-host by Ada's grant (its stream, left open
 * for what it is told next, told so), Cy neither.
 */
async function roomWithCoHost(hub: TestHub): Promise<{ key: string; passes: Record<string, string>; bo: SseReader }> {
  const { key, passes } = await roomWithHost(hub, 'bo', 'cy')
  const bo = await hub.events('r1', 'bo')
  expect((await grant(hub, 'bo', key)).status).toBe(200)
  expect(await grantedOf(bo)).toEqual({ by: ada })
  return { key, passes, bo }
}

/**
 * Which of the streams got `parley_host_granted` (more than `before[clientId]` times, default none), once a
 * later broadcast proves each flushed past it.
 */
async function grantedTo(hub: TestHub, readers: Record<string, SseReader>, roomId = 'r1', before: Record<string, number> = {}): Promise<string[]> {
  const flushed = Object.values(readers).map((reader) => reader.named('meta_changed').length + 1)
  await hub.request('POST', pathFor('setMeta', { roomId }), { flush: Math.random() })
  const told: string[] = []
  for (const [index, [clientId, reader]] of Object.entries(readers).entries()) {
    await reader.waitFor('meta_changed', flushed[index])
    if (reader.named(PARLEY_HOST_GRANTED_EVENT).length > (before[clientId] ?? 0)) told.push(clientId)
  }
  return told
}

describe('handing the host on', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('makes the one there longest a host when the host leaves: it alone is told why, and its pass claims the key', async () => {
    const hub = testHub()
    const { key, passes } = await roomWithHost(hub, 'bo', 'cy')
    const bo = await hub.events('r1', 'bo')
    const cy = await hub.events('r1', 'cy')
    expect((await leave(hub, 'ada')).status).toBe(200)
    await vi.advanceTimersByTimeAsync(GRACE_MS - 1)
    expect(await grantedTo(hub, { bo, cy })).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(await grantedOf(bo)).toEqual(handedOnBy(ada))
    expect(await grantedTo(hub, { bo, cy })).toEqual(['bo'])
    expect(v.parse(ClaimedHostKeySchema, (await claim(hub, passes.bo!)).body.data).host_key).toBe(key)
    expect((await claim(hub, passes.cy!)).status).toBe(403)
  })

  it('hands it on when the last host present is removed (by the key\'s holder from outside the room)', async () => {
    const hub = testHub()
    const { key, passes } = await roomWithHost(hub, 'bo')
    const bo = await hub.events('r1', 'bo')
    expect((await remove(hub, 'ada', key)).status).toBe(200)
    await graceOver()
    expect(await grantedOf(bo)).toEqual(handedOnBy(ada))
    expect((await claim(hub, passes.bo!)).status).toBe(200)
  })

  it('hands on a co-host\'s part too, when it was the last host present', async () => {
    const hub = testHub()
    const { passes, bo } = await roomWithCoHost(hub)
    const cy = await hub.events('r1', 'cy')
    expect((await leave(hub, 'ada')).status).toBe(200)
    await graceOver()
    expect(await grantedTo(hub, { bo, cy }, 'r1', { bo: 1 })).toEqual([])
    expect((await leave(hub, 'bo')).status).toBe(200)
    await graceOver()
    expect(await grantedOf(cy)).toEqual(handedOnBy({ client_id: 'bo', name: 'bo' }))
    expect((await claim(hub, passes.cy!)).status).toBe(200)
  })

  it('hands it on when the hub drops the host (its peer never connected), the grace after', async () => {
    const hub = testHub({ timings: { connectTimeoutMs: 60_000 } })
    await roomWithHost(hub, 'bo')
    await connectClient(hub, 'r1', 'bo')
    const bo = await hub.events('r1', 'bo')
    await vi.advanceTimersByTimeAsync(60_000 + GRACE_MS - 1)
    expect(await grantedTo(hub, { bo })).toEqual([])
    expect(hub.app.hub.room('r1').clientIds).toEqual(['bo'])
    await vi.advanceTimersByTimeAsync(1)
    expect(await grantedOf(bo)).toEqual(handedOnBy(ada))
  })

  it('hands nothing on while another host is present: a co-host, or a second client with the key', async () => {
    const hub = testHub()
    const { bo } = await roomWithCoHost(hub)
    const cy = await hub.events('r1', 'cy')
    expect((await leave(hub, 'ada')).status).toBe(200)
    await graceOver()
    // Bo, the co-host, was told once (the grant): nothing more, to him or anyone.
    expect(await grantedTo(hub, { bo, cy }, 'r1', { bo: 1 })).toEqual([])

    const other = testHub()
    const second = await roomWithHost(other, 'bo')
    expect((await register(other, 'r1', 'ann', withKey(second.key))).status).toBe(200)
    const boThere = await other.events('r1', 'bo')
    expect((await leave(other, 'ada')).status).toBe(200)
    await graceOver()
    expect(await grantedTo(other, { bo: boThere })).toEqual([])
  })

  it('counts a co-host back with its marked pass (a reload) as a host: nothing is handed on while it is present', async () => {
    const hub = testHub()
    const { passes } = await roomWithCoHost(hub)
    expect((await leave(hub, 'bo')).status).toBe(200)
    expect((await register(hub, 'r1', 'bo', withPass(passes.bo!))).status).toBe(200)
    const cy = await hub.events('r1', 'cy')
    expect((await leave(hub, 'ada')).status).toBe(200)
    await graceOver()
    expect(await grantedTo(hub, { cy })).toEqual([])
  })

  it('makes the host that comes back with the key after the grace a host again, beside the new one', async () => {
    const hub = testHub()
    const { key } = await roomWithHost(hub, 'bo', 'cy')
    const bo = await hub.events('r1', 'bo')
    const cy = await hub.events('r1', 'cy')
    expect((await leave(hub, 'ada')).status).toBe(200)
    await graceOver()
    expect(await grantedOf(bo)).toEqual(handedOnBy(ada))
    expect((await register(hub, 'r1', 'ada', withKey(key))).status).toBe(200)
    // Bo (handed the host) and Ada are both hosts now: either leaving leaves a host.
    expect((await leave(hub, 'bo')).status).toBe(200)
    await graceOver()
    expect(await grantedTo(hub, { cy })).toEqual([])
  })

  it('hands nothing on when someone who is not a host leaves (the host never came into the room)', async () => {
    const hub = testHub()
    await hostedRoom(hub, 'r1', 'bo', 'cy')
    const cy = await hub.events('r1', 'cy')
    expect((await leave(hub, 'bo')).status).toBe(200)
    await graceOver()
    expect(await grantedTo(hub, { cy })).toEqual([])
  })

  it('picks the one connected longest: connected before not yet connected, then the earlier registered', async () => {
    const hub = testHub()
    await roomWithHost(hub, 'bo', 'cy', 'di')
    await connectClient(hub, 'r1', 'di')
    await connectClient(hub, 'r1', 'cy')
    const readers = { bo: await hub.events('r1', 'bo'), cy: await hub.events('r1', 'cy'), di: await hub.events('r1', 'di') }
    expect((await leave(hub, 'ada')).status).toBe(200)
    await graceOver()
    expect(await grantedTo(hub, readers)).toEqual(['cy'])
  })

  it('skips a client the hub knows no room pass of, for the next', async () => {
    const hub = testHub()
    await roomWithHost(hub)
    // In by a way that gives no pass (never so through the API in a room with host controls).
    hub.app.hub.room('r1').register({ uid: 'ghost' })
    expect((await register(hub, 'r1', 'bo')).status).toBe(200)
    const readers = { ghost: await hub.events('r1', 'ghost'), bo: await hub.events('r1', 'bo') }
    expect((await leave(hub, 'ada')).status).toBe(200)
    await graceOver()
    expect(await grantedOf(readers.bo)).toEqual(handedOnBy(ada))
    expect(await grantedTo(hub, readers)).toEqual(['bo'])
  })

  it('leaves the room as it was when the mark cannot be stored: the host still leaves, nobody is told', async () => {
    const registry = failingRegistry()
    const logged: string[] = []
    const hub = testHub({ registry, log: (level, msg) => void logged.push(`${level} ${msg}`) })
    const { passes } = await roomWithHost(hub, 'bo')
    const bo = await hub.events('r1', 'bo')
    registry.failWhen = (head) => head.parley.hostPasses !== undefined
    expect((await leave(hub, 'ada')).status).toBe(200)
    await graceOver()
    registry.failWhen = undefined
    expect(await grantedTo(hub, { bo })).toEqual([])
    expect((await claim(hub, passes.bo!)).status).toBe(403)
    expect(logged).toContain('error handing the host on failed')
  })

  it('changes nothing in a room without host controls', async () => {
    const hub = testHub()
    await hub.setupRoom('plain', 'a', 'b')
    const b = await hub.events('plain', 'b')
    expect((await hub.request('DELETE', pathFor('leave', { roomId: 'plain', clientId: 'a' }))).status).toBe(200)
    await graceOver()
    expect(await grantedTo(hub, { b }, 'plain')).toEqual([])
    expect(hub.app.hub.room('plain').parley).toEqual({})
  })

  it('hands nothing on when everyone has left', async () => {
    const hub = testHub()
    const { key } = await roomWithHost(hub)
    expect((await leave(hub, 'ada')).status).toBe(200)
    await graceOver()
    expect(hub.app.hub.room('r1').parley.hostPasses).toBeUndefined()
    expect(hub.app.hub.room('r1').parley.hostKey).toBe(key)
  })

  describe('the grace: a host reloading the page is back before anything is handed on', () => {
    it('hands nothing on, and tells nobody, when the host is back with the key within the grace', async () => {
      const hub = testHub()
      const { key, passes } = await roomWithHost(hub, 'bo', 'cy')
      const bo = await hub.events('r1', 'bo')
      const cy = await hub.events('r1', 'cy')
      expect((await leave(hub, 'ada')).status).toBe(200)
      await vi.advanceTimersByTimeAsync(GRACE_MS - 1)
      expect((await register(hub, 'r1', 'ada', withKey(key))).status).toBe(200)
      await graceOver()
      expect(await grantedTo(hub, { bo, cy })).toEqual([])
      expect((await claim(hub, passes.bo!)).status).toBe(403)
    })

    it('hands nothing on when the last host present was a co-host back with its marked pass, or anyone came with the key', async () => {
      const hub = testHub()
      const { passes } = await roomWithCoHost(hub)
      const cy = await hub.events('r1', 'cy')
      expect((await leave(hub, 'ada')).status).toBe(200)
      expect((await leave(hub, 'bo')).status).toBe(200)
      expect((await register(hub, 'r1', 'bo', withPass(passes.bo!))).status).toBe(200)
      await graceOver()
      expect(await grantedTo(hub, { cy })).toEqual([])

      const other = testHub()
      const second = await roomWithHost(other, 'bo')
      const boThere = await other.events('r1', 'bo')
      expect((await leave(other, 'ada')).status).toBe(200)
      expect((await register(other, 'r1', 'ann', withKey(second.key))).status).toBe(200)
      await graceOver()
      expect(await grantedTo(other, { bo: boThere })).toEqual([])
    })

    it('starts afresh when the host is back and gone again within it', async () => {
      const hub = testHub()
      const { key } = await roomWithHost(hub, 'bo')
      const bo = await hub.events('r1', 'bo')
      expect((await leave(hub, 'ada')).status).toBe(200)
      await vi.advanceTimersByTimeAsync(GRACE_MS / 2)
      expect((await register(hub, 'r1', 'ada', withKey(key))).status).toBe(200)
      expect((await leave(hub, 'ada')).status).toBe(200)
      await vi.advanceTimersByTimeAsync(GRACE_MS - 1)
      expect(await grantedTo(hub, { bo })).toEqual([])
      await vi.advanceTimersByTimeAsync(1)
      expect(await grantedOf(bo)).toEqual(handedOnBy(ada))
    })

    it('hands nothing on when the room ends within it, and leaves no timer behind', async () => {
      const hub = testHub()
      const { key, passes } = await roomWithHost(hub, 'bo')
      const bo = await hub.events('r1', 'bo')
      expect((await leave(hub, 'ada')).status).toBe(200)
      expect((await end(hub, key)).status).toBe(200)
      await bo.waitForEnd()
      expect(vi.getTimerCount()).toBe(0)
      await graceOver()
      expect(bo.named(PARLEY_HOST_GRANTED_EVENT)).toEqual([])
      expect((await claim(hub, passes.bo!)).status).toBe(404)
    })

    it('hands nothing on when the room empties within it, to whoever comes in after', async () => {
      const hub = testHub()
      await roomWithHost(hub, 'bo')
      expect((await leave(hub, 'ada')).status).toBe(200)
      expect((await leave(hub, 'bo')).status).toBe(200)
      expect((await register(hub, 'r1', 'di')).status).toBe(200)
      const di = await hub.events('r1', 'di')
      await graceOver()
      expect(await grantedTo(hub, { di })).toEqual([])
      expect(hub.app.hub.room('r1').parley.hostPasses).toBeUndefined()
    })
  })
})
