// The hub restarts under a call, in real Chromium on the built app: the hub runs as its own process
// (keeping rooms in a data file) and serves the app. Stopped gracefully (SIGTERM: `left shutdown`),
// every page says the server is restarting, not that the host ended it; killed (SIGKILL), the pages
// see their event streams die. Each time the hub comes back on the same port, and both pages are in
// the same room again by themselves — no click, same invite link, room name kept — decoding each
// other's video. Prints how long after the hub was back each call resumed. Last, the hub is stopped for
// good: once the reconnect gives up (its deadline) every page says the server stopped, with Join
// again. The app's config.json (`delays`, in a copy of the built app) shortens that deadline from 60 s
// to 20 s, the way a deployment would: the give-up path is the same, and both restarts above still
// have to reconnect within it (the hub is back 2-4 s after it stopped here, printed). Loopback-only namespace.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertLoopbackOnly, launchChromium, pollUntil, startHubProcess, type HubProcess } from '@parley/testkit'
import { appStatus, artifactPath, describeParticipants, newAppParticipant, oneRemoteDecoding as oneRemoteDecodingOf, remoteTiles, WEB_DIST_DIR, type AppParticipant } from './web-app'

const ROOM_NAME = 'Restart check'
/** The reconnect's overall deadline (the core's default is 60 s, RECONNECT_DEADLINE_MS). */
const RECONNECT_DEADLINE_MS = 20_000

describe('the hub restarts under a call (hub process, built app, two Chromium participants)', () => {
  let hub: HubProcess | undefined
  let dataDir: string
  let appDir: string
  let browser: Browser | undefined
  const participants: AppParticipant[] = []
  let ada: AppParticipant
  let grace: AppParticipant
  let inviteUrl: string
  const figures: Record<string, number> = {}

  const explain = (error: unknown): never => {
    const message = error instanceof Error ? error.message : String(error)
    throw new Error(`${message}\n--- pages ---\n${describeParticipants(participants)}`)
  }

  const oneRemoteDecoding = (observer: AppParticipant, name: string) => oneRemoteDecodingOf(observer, name, explain)

  /** Both pages connected again, each decoding a new client of the other: ms since `backAt`. */
  async function resumed(before: { ada: string; grace: string }, backAt: number): Promise<number> {
    for (const [observer, name, old] of [
      [ada, 'Grace', before.grace],
      [grace, 'Ada', before.ada],
    ] as const) {
      await pollUntil(async () => ((await appStatus(observer.page)) === 'connected' && (await remoteTiles(observer.page)).every((t) => t.participant !== old) ? true : undefined), {
        timeoutMs: 30_000,
        description: `${observer.name} connected again, ${name}'s old tile gone`,
      }).catch(explain)
      await oneRemoteDecoding(observer, name)
    }
    return Date.now() - backAt
  }

  beforeAll(async () => {
    assertLoopbackOnly()
    dataDir = mkdtempSync(join(tmpdir(), 'parley-restart-'))
    // The built app with a config.json that shortens the reconnect deadline (apps/web README, "delays").
    appDir = mkdtempSync(join(tmpdir(), 'parley-restart-app-'))
    cpSync(WEB_DIST_DIR, appDir, { recursive: true })
    writeFileSync(join(appDir, 'config.json'), JSON.stringify({ delays: { reconnectDeadline: RECONNECT_DEADLINE_MS } }))
    // A 1 s ping: a stream that dies silently is noticed within 2 s (not the point here, but bounded).
    hub = await startHubProcess({ staticDir: appDir, args: ['--data-dir', dataDir, '--ping-interval', '1000'] })
    browser = await launchChromium()
    // While the hub is down each refused request (and the aborted event stream) is a console error of
    // the browser's own, and so is the 503 a hub that is shutting down answers (its "come back shortly"
    // to a reconnect that starts at once): expected here, not app errors. Anything else fails the test.
    const ignoreErrors = [
      // A request that reaches the killed hub's socket as the process dies is reset (ERR_CONNECTION_RESET).
      /Failed to load resource: net::(ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|ERR_INCOMPLETE_CHUNKED_ENCODING)/,
      /Failed to load resource: the server responded with a status of 503 \(Service Unavailable\)/,
      // A killed hub forgets its clients: the event stream's resume and the client check that follows
      // learn it only by asking (404), and then the app re-registers. Only those two routes.
      /Failed to load resource: the server responded with a status of 404 \(Not Found\) \(http:\/\/127\.0\.0\.1:\d+\/v1\/rooms\/[^/]+\/(events|client)\/[^/?)]+(\?lastEventId=\d+)?([?&]parley_client_key=[\w-]+)?\)/,
    ]
    ada = await newAppParticipant(browser, 'Ada', { ignoreErrors })
    grace = await newAppParticipant(browser, 'Grace', { ignoreErrors })
    participants.push(ada, grace)
  })

  afterAll(async () => {
    for (const participant of participants) await participant.close().catch(() => undefined)
    await browser?.close()
    await hub?.close()
    // Goal (issue 11): media flowing again ≤ 10 s after the hub is back. A figure, not a timed assertion.
    console.log('[hub-restart figures] ms from the hub answering again to both pages decoding each other:', JSON.stringify(figures))
    rmSync(dataDir, { recursive: true, force: true })
    rmSync(appDir, { recursive: true, force: true })
  })

  it('Ada and Grace are in a call', async () => {
    await ada.page.goto(`${hub!.url}/`)
    await ada.page.getByTestId('display-name').fill('Ada')
    await ada.page.getByTestId('room-name').fill(ROOM_NAME)
    await ada.page.getByTestId('join-button').click()
    inviteUrl = ((await ada.page.getByTestId('invite-link-text').textContent({ timeout: 20_000 }).catch(explain)) ?? '').trim()
    expect(inviteUrl).toContain('?roomId=')
    await grace.page.goto(inviteUrl)
    await grace.page.getByTestId('display-name').fill('Grace')
    await grace.page.getByTestId('join-button').click()
    await oneRemoteDecoding(ada, 'Grace')
    await oneRemoteDecoding(grace, 'Ada')
  })

  it('SIGTERM: every page says the server is restarting; once it is back the call resumes by itself', async () => {
    const before = { ada: (await remoteTiles(grace.page))[0]!.participant, grace: (await remoteTiles(ada.page))[0]!.participant }
    await hub!.kill('SIGTERM')
    const stoppedAt = Date.now()
    for (const participant of participants) {
      const banner = participant.page.getByTestId('reconnecting-text')
      await banner.waitFor({ timeout: 10_000 }).catch(explain)
      // Polled, not read as it first shows: the hub closes each peer as it tells its client `left shutdown`,
      // so a page may say "Connection lost." for the moment before that event reaches it.
      await expect.poll(() => banner.innerText(), { timeout: 10_000 }).toMatch(/^The server is restarting — reconnecting…/)
      // Not an ending: no "host ended" screen, the call view stays.
      expect(await participant.page.getByTestId('ended').count()).toBe(0)
    }
    await ada.page.screenshot({ path: artifactPath('hub-restart-sigterm.png') })
    await hub!.restart()
    const backAt = Date.now()
    // Within the reconnect deadline, with its margin: what a slower machine would eat into.
    figures.sigtermDownMs = backAt - stoppedAt
    figures.sigtermResumeMs = await resumed(before, backAt)
    // Same room, same invite link, same name, no pre-join on the way.
    const roomId = new URL(inviteUrl).searchParams.get('roomId')
    for (const participant of participants) expect(new URL(participant.page.url()).searchParams.get('roomId')).toBe(roomId)
    for (const participant of participants) expect(await participant.page.getByTestId('room-name-display').textContent()).toBe(ROOM_NAME)
  })

  it('SIGKILL: the event streams die; once the hub is back the call resumes by itself', async () => {
    const before = { ada: (await remoteTiles(grace.page))[0]!.participant, grace: (await remoteTiles(ada.page))[0]!.participant }
    await hub!.kill('SIGKILL')
    const killedAt = Date.now()
    for (const participant of participants) await participant.page.getByTestId('reconnecting-text').waitFor({ timeout: 10_000 }).catch(explain)
    await hub!.restart()
    const backAt = Date.now()
    figures.sigkillDownMs = backAt - killedAt
    figures.sigkillResumeMs = await resumed(before, backAt)
    const roomId = new URL(inviteUrl).searchParams.get('roomId')
    for (const participant of participants) expect(new URL(participant.page.url()).searchParams.get('roomId')).toBe(roomId)
    for (const participant of participants) expect(participant.errors, describeParticipants(participants)).toEqual([])
  })

  it('SIGTERM for good: once the reconnect gives up, every page says the server stopped (not the host)', async () => {
    await hub!.kill('SIGTERM')
    const stoppedAt = Date.now()
    for (const participant of participants) {
      // The reconnect's deadline (config.json's 20 s here; the wait ends before the default 60 s would);
      // the banner says it is trying meanwhile.
      const ended = participant.page.getByTestId('ended')
      await ended.waitFor({ timeout: RECONNECT_DEADLINE_MS + 15_000 }).catch(explain)
      expect(await ended.getAttribute('data-reason')).toBe('server-stopped')
      expect(await participant.page.getByTestId('ended-title').textContent()).toBe('The server stopped')
    }
    figures.stoppedToEndedMs = Date.now() - stoppedAt
    await ada.page.screenshot({ path: artifactPath('hub-stopped-ended.png') })
  }, RECONNECT_DEADLINE_MS + 30_000)
})
