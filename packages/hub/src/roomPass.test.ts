// The room pass (Parley extension, host controls): register answers one, and it opens the room while it
// is locked, until the host removes its holder; stored as hashes with the room, so a restart keeps it.
import { join } from 'node:path'
import { pathFor, ROOM_LOCKED_REASON, ROOM_PASS_HEADER } from '@parley/protocol'
import { describe, expect, it } from 'vitest'
import { openSqliteRegistry } from './registry/sqlite.js'
import { useTestHubs } from './test-support/testHubs.js'
import { MAX_PASSES_PER_ROOM, issueRoomPasses } from './roomPass.js'
import { failingRegistry, hostedRoom, lock, register, withKey, withPass } from './test-support/hostedRoom.js'

const { testHub, closeEarly, scratchDir } = useTestHubs()

const passOf = (response: { body: { data: unknown } }) => (response.body.data as { parley_pass?: string }).parley_pass

describe('the room pass', () => {
  it('comes with every register in a room with host controls (256 random bits), and never in a room without', async () => {
    const hub = testHub()
    const { passes } = await hostedRoom(hub, 'r1', 'ada', 'bob')
    expect(passes.ada).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(passes.bob).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(passes.ada).not.toBe(passes.bob)
    await hub.setupRoom('plain')
    const plain = await register(hub, 'plain', 'carl')
    expect(plain.body.data).toEqual({ client_id: 'carl', name: 'carl', bitrates: expect.any(Object), parley_client_key: expect.any(String) })
    expect(hub.app.hub.room('plain').parley).toEqual({})
  })

  it('lets its holder back into the locked room, answering the same pass; a wrong one is refused with 403 room_locked', async () => {
    const hub = testHub()
    const { key, passes } = await hostedRoom(hub, 'r1', 'ada', 'bob')
    await lock(hub, 'r1', key, true)
    // bob's connection dropped and the hub removed him; his core registers again with the pass.
    await hub.request('DELETE', pathFor('leave', { roomId: 'r1', clientId: 'bob' }))
    const stored = hub.app.hub.room('r1').parley.passes
    const back = await register(hub, 'r1', 'bob', withPass(passes.bob!))
    expect(back.status).toBe(200)
    expect(passOf(back)).toBe(passes.bob)
    expect(hub.app.hub.room('r1').parley.passes).toEqual(stored)
    const wrong = await register(hub, 'r1', 'carl', withPass('not-a-pass'))
    expect(wrong.body).toMatchObject({
      code: 403,
      message: expect.stringMatching(/^room "r1" is locked by its host: .*the room pass given does not open it.*ask with GET \/v1\/rooms\/r1\/parley\/knock\?name=<name>$/),
      data: { reason: ROOM_LOCKED_REASON },
    })
    // Another room's pass opens only that room.
    const { passes: otherPasses } = await hostedRoom(hub, 'r2', 'dan')
    expect((await register(hub, 'r1', 'dan', withPass(otherPasses.dan!))).status).toBe(403)
  })

  it('is stored as a hash with the room, never as itself', async () => {
    const hub = testHub()
    const { passes } = await hostedRoom(hub, 'r1', 'ada', 'bob')
    const stored = JSON.stringify(hub.app.hub.room('r1').parley)
    expect(hub.app.hub.room('r1').parley.passes).toHaveLength(2)
    for (const pass of Object.values(passes)) expect(stored).not.toContain(pass)
  })

  it('is revoked when the host removes its holder: it opens the locked room no more, the others\' still do', async () => {
    const hub = testHub()
    const { key, passes } = await hostedRoom(hub, 'r1', 'ada', 'bob', 'carl')
    await lock(hub, 'r1', key, true)
    expect((await hub.request('PUT', pathFor('removeClient', { roomId: 'r1', clientId: 'bob' }), {}, withKey(key))).status).toBe(200)
    expect((await register(hub, 'r1', 'bob', withPass(passes.bob!))).body).toMatchObject({ code: 403, data: { reason: ROOM_LOCKED_REASON } })
    await hub.request('DELETE', pathFor('leave', { roomId: 'r1', clientId: 'carl' }))
    expect((await register(hub, 'r1', 'carl', withPass(passes.carl!))).status).toBe(200)
    // Leaving on one's own keeps the pass.
    expect(hub.app.hub.room('r1').parley.passes).toHaveLength(2)
  })

  it('keeps only the newest passes of a room: an older one no longer opens it', async () => {
    const hub = testHub()
    const { key, passes } = await hostedRoom(hub, 'r1', 'ada', 'bob')
    const room = hub.app.hub.room('r1')
    issueRoomPasses(room, MAX_PASSES_PER_ROOM - 1)
    expect(room.parley.passes).toHaveLength(MAX_PASSES_PER_ROOM)
    await lock(hub, 'r1', key, true)
    await hub.request('DELETE', pathFor('leave', { roomId: 'r1', clientId: 'ada' }))
    await hub.request('DELETE', pathFor('leave', { roomId: 'r1', clientId: 'bob' }))
    // ada's was the oldest: it went for the last new one; bob's is still in.
    expect((await register(hub, 'r1', 'ada', withPass(passes.ada!))).status).toBe(403)
    expect((await register(hub, 'r1', 'bob', withPass(passes.bob!))).status).toBe(200)
    expect((await register(hub, 'r1', 'ada', withKey(key))).status).toBe(200)
    expect(room.parley.passes).toHaveLength(MAX_PASSES_PER_ROOM)
  })

  it('opens the locked room after a hub restart over its registry', async () => {
    const dir = scratchDir('parley-pass-')
    const path = join(dir, 'rooms.sqlite')
    const before = testHub({ registry: openSqliteRegistry(path) })
    const { key, passes } = await hostedRoom(before, 'r1', 'ada', 'bob')
    await lock(before, 'r1', key, true)
    await closeEarly(before)
    const after = testHub({ registry: openSqliteRegistry(path) })
    expect((await register(after, 'r1', 'carl')).status).toBe(403)
    const back = await register(after, 'r1', 'bob', withPass(passes.bob!))
    expect(back.status).toBe(200)
    expect(passOf(back)).toBe(passes.bob)
  })

  it('is stored before it is answered: a store that fails undoes the register (503, nobody in)', async () => {
    const registry = failingRegistry()
    const hub = testHub({ registry })
    await hostedRoom(hub, 'r1', 'ada')
    registry.failWhen = () => true
    const refused = await register(hub, 'r1', 'bob')
    expect(refused.body).toMatchObject({ code: 503, message: expect.stringContaining('disk full') })
    expect(hub.app.hub.room('r1').clientIds).toEqual(['ada'])
    registry.failWhen = undefined
    expect((await register(hub, 'r1', 'bob')).status).toBe(200)
  })

  it('travels in a header browsers may send to another origin (CORS)', async () => {
    const hub = testHub()
    const response = await hub.app.request(pathFor('register', { roomId: 'r1' }), {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': `content-type,${ROOM_PASS_HEADER.toLowerCase()}` },
    })
    expect(response.headers.get('access-control-allow-headers')).toContain(ROOM_PASS_HEADER)
  })
})
