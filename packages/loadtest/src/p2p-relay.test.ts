import { afterEach, describe, expect, it } from 'vitest'
import { type P2pRelay, startP2pRelay } from './p2p-relay.js'

describe('the p2p pages’ relay', () => {
  let relay: P2pRelay | undefined
  afterEach(async () => {
    await relay?.close()
    relay = undefined
  })

  it('hands a description left before the GET to that GET, once', async () => {
    relay = await startP2pRelay()
    const posted = await fetch(`${relay.url}/rooms/r1/offer`, { method: 'POST', body: 'v=0 offer' })
    expect(posted.status).toBe(204)
    const taken = await fetch(`${relay.url}/rooms/r1/offer`)
    expect(taken.status).toBe(200)
    expect(taken.headers.get('access-control-allow-origin')).toBe('*')
    expect(await taken.text()).toBe('v=0 offer')
    // Taken: the next GET waits; a POST to another room or kind does not answer it.
    const again = fetch(`${relay.url}/rooms/r1/offer`)
    await fetch(`${relay.url}/rooms/r2/offer`, { method: 'POST', body: 'other room' })
    await fetch(`${relay.url}/rooms/r1/answer`, { method: 'POST', body: 'an answer' })
    await fetch(`${relay.url}/rooms/r1/offer`, { method: 'POST', body: 'second offer' })
    expect(await (await again).text()).toBe('second offer')
    expect(await (await fetch(`${relay.url}/rooms/r1/answer`)).text()).toBe('an answer')
  })

  it('answers a waiting GET as soon as the description is posted', async () => {
    relay = await startP2pRelay()
    const waiting = fetch(`${relay.url}/rooms/r1/answer`).then(async (response) => ({ status: response.status, body: await response.text() }))
    await new Promise((resolve) => setTimeout(resolve, 50))
    await fetch(`${relay.url}/rooms/r1/answer`, { method: 'POST', body: 'v=0 answer' })
    expect(await waiting).toEqual({ status: 200, body: 'v=0 answer' })
  })

  it('refuses other paths, methods and empty descriptions with a 4xx', async () => {
    relay = await startP2pRelay()
    expect((await fetch(`${relay.url}/rooms/r1/candidate`)).status).toBe(404)
    expect((await fetch(`${relay.url}/elsewhere`)).status).toBe(404)
    expect((await fetch(`${relay.url}/rooms/r1/offer`, { method: 'PUT', body: 'x' })).status).toBe(405)
    expect((await fetch(`${relay.url}/rooms/r1/offer`, { method: 'POST', body: '' })).status).toBe(400)
    expect((await fetch(`${relay.url}/rooms/r1/offer`, { method: 'POST', body: 'x'.repeat(70_000) })).status).toBe(413)
  })

  it('lets go of a waiting GET when it closes', async () => {
    relay = await startP2pRelay()
    const waiting = fetch(`${relay.url}/rooms/r1/offer`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    await relay.close()
    relay = undefined
    expect((await waiting).status).toBe(204)
  })
})
