// A join whose ICE can never connect, for real (issue 11): every UDP packet on `lo` is dropped (an htb
// root on lo, a u32 filter steering IP protocol 17 to a class whose queue holds nothing; tc netem is not
// in this kernel), while HTTP and the events stream (TCP) work. Chromium on the built app against the
// real hub: the page leaves "Joining the room…" for the failed banner with Retry within the core's join
// deadlines (connectDeadline, then one fresh session, then failed), the hub holds none of the clients
// that never connected (Ada's left; a client that registered and went silent is dropped by the hub's
// connect timeout), and once UDP flows again Retry joins and video decodes both ways.
// The deadlines are shortened the way a deployment would: the app's config.json (`delays`), in a copy
// of the built app. Loopback-only namespace; run as root (tc).
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertLoopbackOnly, dropUdpOnLoopback, launchChromium, pollUntil } from '@parley/testkit'
import { startTestHub, type TestHub } from '@parley/hub/testing'
import { WEB_DIST_DIR, appStatus, failureExplainer, newAppParticipant, oneRemoteDecoding, type AppParticipant } from './web-app'

const CONNECT_DEADLINE_MS = 6_000
const ICE_RECHECK_MS = 500
/** The hub's own bound on a registered client whose peer never connects (default 60 s). */
const HUB_CONNECT_TIMEOUT_MS = 15_000

async function postJson(url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`)
  return ((await response.json()) as { data: Record<string, unknown> }).data
}

/** Client ids the hub registered and has not removed yet, from its log. */
function clientsHeld(hub: TestHub): string[] {
  const registered = hub.logs.filter((entry) => entry.msg === 'client registered').map((entry) => String(entry.fields?.clientId))
  const removed = new Set(hub.logs.filter((entry) => entry.msg === 'client removed').map((entry) => String(entry.fields?.clientId)))
  return registered.filter((clientId) => !removed.has(clientId))
}

describe('a join whose ICE never connects (UDP dropped on lo; Chromium, built app, real hub)', () => {
  let appDir: string | undefined
  let hub: TestHub | undefined
  let browser: Browser | undefined
  let restoreUdp: (() => void) | undefined
  const participants: AppParticipant[] = []
  const explain = failureExplainer(participants, () => hub)

  beforeAll(async () => {
    assertLoopbackOnly()
    // The built app with a config.json that shortens the join deadlines (apps/web README, "delays").
    appDir = mkdtempSync(join(tmpdir(), 'parley-ice-blocked-'))
    cpSync(WEB_DIST_DIR, appDir, { recursive: true })
    writeFileSync(join(appDir, 'config.json'), JSON.stringify({ delays: { connectDeadline: CONNECT_DEADLINE_MS, iceRecheck: ICE_RECHECK_MS } }))
    hub = await startTestHub({ staticDir: appDir, timings: { connectTimeoutMs: HUB_CONNECT_TIMEOUT_MS } })
    browser = await launchChromium()
    for (const name of ['Ada', 'Grace']) participants.push(await newAppParticipant(browser, name))
  })

  afterAll(async () => {
    restoreUdp?.()
    for (const participant of participants) await participant.close().catch(() => undefined)
    await browser?.close()
    await hub?.close()
    if (appDir) rmSync(appDir, { recursive: true, force: true })
  })

  it('fails the join with Retry within the deadlines, releases the clients on the hub, and joins on Retry once UDP flows', async () => {
    const [ada, grace] = participants as [AppParticipant, AppParticipant]
    const figures: Record<string, number> = {}
    restoreUdp = dropUdpOnLoopback()
    // A client that registers and then says nothing more (no leave): only the hub's connect timeout frees it.
    const silentRoom = await postJson(`${hub!.url}/v1/rooms/create`, { name: 'silent' })
    const silentClient = (await postJson(`${hub!.url}/v1/rooms/${silentRoom.id as string}/register`, { name: 'silent' })).client_id as string

    await ada.page.goto(`${hub!.url}/`)
    await ada.page.getByTestId('display-name').fill('Ada')
    await ada.page.getByTestId('room-name').fill('ICE blocked')
    const joinedAt = Date.now()
    await ada.page.getByTestId('join-button').click()
    const banner = ada.page.getByTestId('status-banner')
    await banner.getByText('Joining the room…').waitFor({ timeout: 10_000 }).catch(explain)

    // connectDeadline, one fresh session (register, negotiate) and its connectDeadline, then failed.
    const retry = banner.getByTestId('retry-button')
    await retry.waitFor({ timeout: 2 * CONNECT_DEADLINE_MS + 20_000 }).catch(explain)
    figures.failedMs = Date.now() - joinedAt
    expect(await banner.getAttribute('data-kind')).toBe('failed')
    expect(await appStatus(ada.page)).toBe('failed')
    expect(await banner.getByText('Joining the room…').count()).toBe(0)

    // The hub holds none of Ada's never-connected clients (each session's registration: she left)...
    const registrations = hub!.logs.filter((entry) => entry.msg === 'client registered').length
    expect(registrations).toBeGreaterThanOrEqual(3)
    await pollUntil(() => clientsHeld(hub!).every((clientId) => clientId === silentClient), { timeoutMs: 10_000, description: "the hub to release Ada's never-connected clients" }).catch(explain)
    // ...nor, after its connect timeout, the silent one.
    await pollUntil(() => clientsHeld(hub!).length === 0, { timeoutMs: HUB_CONNECT_TIMEOUT_MS + 10_000, description: 'the hub to release the silent client' }).catch(explain)
    figures.silentReleasedMs = Date.now() - joinedAt
    expect(hub!.logs.find((entry) => entry.msg === 'client removed' && entry.fields?.clientId === silentClient)?.fields).toMatchObject({ reason: 'timeout', why: 'peer never connected' })
    const reasons = hub!.logs.filter((entry) => entry.msg === 'client removed').map((entry) => `${String(entry.fields?.reason)}: ${String(entry.fields?.why ?? '')}`)

    // UDP back: Retry joins, and Grace, joining by the invite link, and Ada decode each other's video.
    restoreUdp()
    const retriedAt = Date.now()
    await retry.click()
    await pollUntil(async () => ((await appStatus(ada.page)) === 'connected' ? true : undefined), { timeoutMs: 20_000, description: 'Ada connected after Retry' }).catch(explain)
    figures.retryConnectedMs = Date.now() - retriedAt
    const invite = ((await ada.page.getByTestId('invite-link-text').textContent({ timeout: 10_000 })) ?? '').trim()
    await grace.page.goto(invite)
    await grace.page.getByTestId('display-name').fill('Grace')
    await grace.page.getByTestId('join-button').click()
    await oneRemoteDecoding(ada, 'Grace', explain)
    await oneRemoteDecoding(grace, 'Ada', explain)
    console.info('[ice-blocked figures] ms:', JSON.stringify(figures), 'removed:', JSON.stringify(reasons))
    for (const participant of participants) expect(participant.errors, participant.name).toEqual([])
  })
})
