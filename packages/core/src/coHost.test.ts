// Co-hosts (Parley's hub, host controls) through createConference on the fake world: a host makes a
// participant a host too; that participant's hub gives it the key on its event stream, and from then on
// it is a host: it moderates with the key, is published as host, keeps the key for its reconnects and
// the page's next load.
import { describe, expect, it } from 'vitest'
import type { ConferenceFact } from './api.js'
import { settleInRoom, start } from './test-support/conferenceRun.js'
import { flush } from './test-support/index.js'

const NO_MEDIA = { audio: false, video: false }

/** `withPass`: room1 has host controls, so register gives a pass (as Parley's hub does). */
async function joinedAs(name: string, join: { roomId?: string; roomName?: string }, withPass = false) {
  const run = start((world) => {
    world.hub.rooms.set('room1', { id: 'room1', name: 'Standup' })
    if (withPass) world.hub.hostControlled.add('room1')
  })
  const facts: ConferenceFact[] = []
  run.conference.actor.on('*', (fact) => facts.push(fact))
  run.conference.join({ displayName: name, media: NO_MEDIA, ...join })
  await settleInRoom(run)
  return { ...run, facts, sse: () => run.world.eventSources.latest() }
}

describe('making someone a host', () => {
  it('a host asks the hub with its key, naming the participant', async () => {
    const ada = await joinedAs('Ada', { roomName: 'Standup' })
    ada.conference.grantHost?.('c2')
    await flush()
    expect(ada.world.hub.requests('grantHost')[0]).toMatchObject({
      path: '/v1/rooms/room1/parley/host/c2',
      headers: { 'X-Parley-Host-Key': 'key-room1' },
      body: { by_client_id: 'client1' },
    })
  })

  it('a refused grant shows as the host’s failure; a participant without the key cannot grant', async () => {
    const ada = await joinedAs('Ada', { roomName: 'Standup' })
    ada.world.hub.next('grantHost', { status: 404, data: null })
    ada.conference.grantHost?.('gone')
    await flush()
    expect(ada.view().host.failure).toMatchObject({ action: 'grant', clientId: 'gone' })
    const bo = await joinedAs('Bo', { roomId: 'room1' })
    bo.conference.grantHost?.('c3')
    await flush()
    expect(bo.world.hub.requests('grantHost')).toEqual([])
  })

  it('made a host, a participant claims the key with its pass, moderates with it, is published as host, and keeps it', async () => {
    const bo = await joinedAs('Bo', { roomId: 'room1' }, true)
    expect(bo.view().host).toMatchObject({ isHost: false, canModerate: false, madeHostCount: 0 })
    bo.world.hub.next('claimHostKey', { status: 200, data: { host_key: 'key-room1' } })
    bo.sse().emit('parley_host_granted', { by: { client_id: 'c1', name: 'Ada' } })
    await flush()
    expect(bo.world.hub.requests('claimHostKey')[0]).toMatchObject({ path: '/v1/rooms/room1/parley/host-key', method: 'POST', headers: { 'X-Parley-Room-Pass': 'pass-client1' } })
    expect(bo.view().host).toMatchObject({ isHost: true, canModerate: true, madeHostBy: { clientId: 'c1', name: 'Ada' }, madeHostCount: 1 })
    expect(JSON.stringify(bo.view())).not.toContain('key-room1')
    // Published as host: the others show the badge.
    await flush()
    const published = bo.world.hub.requests('setMeta').at(-1)?.body as Record<string, { host?: boolean }>
    expect(Object.values(published)[0]?.host).toBe(true)
    // It moderates with the key it was given.
    bo.conference.setRoomLocked?.(true)
    await flush()
    expect(bo.world.hub.requests('lockRoom')[0]?.headers['X-Parley-Host-Key']).toBe('key-room1')
    // The page keeps it for a reload; a reconnect registers with it.
    expect(bo.facts).toContainEqual({ type: 'room.credentials', roomId: 'room1', credentials: { hostKey: 'key-room1', pass: 'pass-client1' } })
    bo.sse().emit('left', { reason: 'shutdown' })
    await bo.until((s) => s.matches('reconnecting'))
    await flush()
    bo.world.clock.advance(0)
    await bo.until((s) => s.matches('inRoom'))
    expect(bo.world.hub.requests('register').at(-1)?.headers['X-Parley-Host-Key']).toBe('key-room1')
  })

  it('made a host by the hub because the last host left, a participant claims the key and the view says why', async () => {
    const bo = await joinedAs('Bo', { roomId: 'room1' }, true)
    bo.world.hub.next('claimHostKey', { status: 200, data: { host_key: 'key-room1' } })
    bo.sse().emit('parley_host_granted', { by: { client_id: 'c1', name: 'Ada' }, reason: 'host_left' })
    await flush()
    expect(bo.world.hub.requests('claimHostKey')).toHaveLength(1)
    expect(bo.view().host).toMatchObject({ isHost: true, canModerate: true, madeHostBy: { clientId: 'c1', name: 'Ada' }, madeHostReason: 'host_left', madeHostCount: 1 })
  })

  it('a host\'s grant carries no reason to the view', async () => {
    const bo = await joinedAs('Bo', { roomId: 'room1' }, true)
    bo.world.hub.next('claimHostKey', { status: 200, data: { host_key: 'key-room1' } })
    bo.sse().emit('parley_host_granted', { by: { client_id: 'c1', name: 'Ada' } })
    await flush()
    expect(bo.view().host.madeHostCount).toBe(1)
    expect(bo.view().host).not.toHaveProperty('madeHostReason')
  })

  it('a claim the hub refuses (the pass revoked meanwhile) leaves the participant as it was', async () => {
    const bo = await joinedAs('Bo', { roomId: 'room1' }, true)
    bo.world.hub.next('claimHostKey', { status: 403, data: null })
    bo.sse().emit('parley_host_granted', {})
    await flush()
    expect(bo.world.hub.requests('claimHostKey')).toHaveLength(1)
    expect(bo.view().host).toMatchObject({ isHost: false, canModerate: false, madeHostCount: 0 })
    // Asked again later, it claims again.
    bo.sse().emit('parley_host_granted', {})
    await flush()
    expect(bo.world.hub.requests('claimHostKey')).toHaveLength(2)
    expect(bo.view().host.canModerate).toBe(true)
  })
})
