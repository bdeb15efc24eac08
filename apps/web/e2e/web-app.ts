// Support for the web app's browser specs: the built app (apps/web/dist) served by the real hub, as
// `npm start` serves it, and participant pages that also remember what went wrong on the wire.
import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect } from 'vitest'
import {
  assertLoopbackOnly,
  chromiumArgs,
  launchChromium,
  newFirefoxParticipantPage,
  newParticipantPage,
  pollUntil,
  readQdiscCounters,
  recordPeerConnections,
  removeLoopbackShaping,
  waitForDecodedVideo,
  type FirefoxBrowser,
  type FirefoxParticipantPage,
  type ParticipantPage,
  type ParticipantPageOptions,
  type PeerPortWatch,
} from '@parley/testkit'
import { type StartHubOptions, startTestHub, type TestHub } from '@parley/hub/testing'

const here = dirname(fileURLToPath(import.meta.url))

/** Absolute path of the built web app. `npm test` builds it before vitest runs. */
export const WEB_DIST_DIR = resolve(here, '../dist')

/** Repo-root `test-artifacts/web` (gitignored). */
export const ARTIFACTS_DIR = resolve(here, '../../../test-artifacts/web')

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true })
  return join(ARTIFACTS_DIR, name)
}

/** The real hub on 127.0.0.1 serving the built app at `/` (API under `/v1`, same origin); `options` add to that (e.g. `timings`). */
export async function startAppHub(options: Partial<StartHubOptions> = {}): Promise<TestHub> {
  if (!existsSync(join(WEB_DIST_DIR, 'index.html'))) {
    throw new Error(
      `The built web app is missing (${WEB_DIST_DIR}/index.html). Build it first: ` +
        '`npm run pnpm -- --filter @parley/web build` (npm test does this before vitest).',
    )
  }
  return startTestHub({ ...options, staticDir: WEB_DIST_DIR })
}

export interface AppParticipant extends ParticipantPage {
  readonly name: string
  /** Every HTTP answer >= 400 and every failed request, in order, e.g. `DELETE http://…/v1/… -> 404`. */
  readonly network: string[]
}

/** HTTP failures in the same words whichever browser saw them, e.g. `DELETE http://…/v1/… -> 404`. */
function httpFailureLog() {
  const network: string[] = []
  return {
    network,
    response: (method: string, url: string, status: number) => {
      if (status >= 400) network.push(`${method} ${url} -> ${status}`)
    },
    failed: (method: string, url: string, error = 'unknown') => network.push(`${method} ${url} failed: ${error}`),
  }
}

/** A participant page (own context, camera and microphone granted) that also records HTTP failures. */
export async function newAppParticipant(browser: Browser, name: string, options: ParticipantPageOptions = {}): Promise<AppParticipant> {
  const participant = await newParticipantPage(browser, { viewport: { width: 1280, height: 720 }, ...options })
  const { network, response, failed } = httpFailureLog()
  participant.page.on('response', (answer) => response(answer.request().method(), answer.url(), answer.status()))
  participant.page.on('requestfailed', (request) => failed(request.method(), request.url(), request.failure()?.errorText))
  return Object.assign(participant, { name, network })
}

/** A participant in Firefox ESR (puppeteer over WebDriver BiDi): the same records as an AppParticipant. */
export interface FirefoxAppParticipant extends FirefoxParticipantPage {
  readonly name: string
  readonly network: string[]
}

/**
 * A Firefox participant page that records HTTP failures like `newAppParticipant`, and keeps the app's
 * peer connections in `window.__pcs` so decoded frames are read from getStats (`framesDecoded`).
 */
export async function newFirefoxAppParticipant(browser: FirefoxBrowser, name: string, options: ParticipantPageOptions = {}): Promise<FirefoxAppParticipant> {
  const participant = await newFirefoxParticipantPage(browser, { viewport: { width: 1280, height: 720 }, ...options })
  await participant.page.evaluateOnNewDocument(recordPeerConnections)
  const { network, response, failed } = httpFailureLog()
  participant.page.on('response', (answer) => response(answer.request().method(), answer.url(), answer.status()))
  participant.page.on('requestfailed', (request) => failed(request.method(), request.url(), request.failure()?.errorText))
  return Object.assign(participant, { name, network })
}

/** Chromium whose getDisplayMedia answers at once with its fake "Entire screen" (no picker). */
export function launchChromiumWithFakeScreen(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [...chromiumArgs(), '--auto-select-desktop-capture-source=Entire screen'],
  })
}

/** Sets one permission for `origin` in the page's browser context, through CDP, as a user's choice would. */
export async function setSitePermission(browser: Browser, page: Page, origin: string, name: string, setting: 'granted' | 'denied'): Promise<void> {
  const pageSession = await page.context().newCDPSession(page)
  const { targetInfo } = await pageSession.send('Target.getTargetInfo')
  await pageSession.detach()
  const browserSession = await browser.newBrowserCDPSession()
  await browserSession.send('Browser.setPermission', {
    permission: { name },
    setting,
    origin,
    ...(targetInfo.browserContextId ? { browserContextId: targetInfo.browserContextId } : {}),
  })
  // Kept attached: Chromium resets a context's permission overrides when the session that set them detaches.
}

/** What a participant page recorded, whichever browser drives it. */
export type ParticipantRecords = Pick<AppParticipant, 'name' | 'errors' | 'network'>

/** For `.catch(explain)`: rethrows with what every page and the hub saw. */
export function failureExplainer(participants: readonly ParticipantRecords[], hub: () => TestHub | undefined): (error: unknown) => never {
  return (error) => {
    const message = error instanceof Error ? error.message : String(error)
    throw new Error(`${message}\n--- pages ---\n${describeParticipants(participants)}\n--- hub log ---\n${hub()?.describeLogs() ?? ''}`)
  }
}

/** What each page reported, for failure messages and the final check. */
export function describeParticipants(participants: readonly ParticipantRecords[]): string {
  return participants
    .map((participant) => {
      const errors = participant.errors.length ? participant.errors.map((line) => `    ${line}`).join('\n') : '    (none)'
      const network = participant.network.length ? participant.network.map((line) => `    ${line}`).join('\n') : '    (none)'
      return `${participant.name}:\n  console/page errors:\n${errors}\n  HTTP failures:\n${network}`
    })
    .join('\n')
}

export const REMOTE_TILE = '[data-testid="tile"][data-local="false"]'

export interface RemoteTile {
  participant: string
  name: string
  cameraOff: boolean
}

/** In the page: the tiles matching `selector` (default: the remote ones), as the page shows them. */
export function readRemoteTiles(selector: string): RemoteTile[] {
  return [...document.querySelectorAll(selector)].map((tile) => ({
    participant: tile.getAttribute('data-participant') ?? '',
    name: tile.querySelector('[data-testid="tile-name"]')?.textContent?.trim() ?? '',
    cameraOff: tile.querySelector('[data-testid="badge-camera-off"]') !== null,
  }))
}

/** The remote tiles on the call screen, as the page shows them. */
export async function remoteTiles(page: Page): Promise<RemoteTile[]> {
  return page.evaluate(readRemoteTiles, REMOTE_TILE)
}

export function remoteVideoSelector(participantId: string): string {
  return `${REMOTE_TILE}[data-participant="${participantId}"] [data-testid="tile-video"]`
}

/** A remote screen-share tile. */
export const REMOTE_SCREEN = '[data-testid="tile"][data-kind="screen"][data-local="false"]'

export interface ShareProbe {
  /** Epoch ms (performance.timeOrigin + now) of the first decoded frame of a remote screen tile. */
  firstFrameAt?: number
  /** Epoch ms when no remote screen tile was left. */
  goneAt?: number
}

/** In the page: note when a remote screen tile (`selector`) first has a decoded frame, then when none is left. */
export function armShareProbe(selector: string): void {
  const probe: ShareProbe = {}
  ;(globalThis as { __shareProbe?: ShareProbe }).__shareProbe = probe
  const timer = setInterval(() => {
    const video = document.querySelector<HTMLVideoElement>(`${selector} [data-testid="tile-video"]`)
    const now = performance.timeOrigin + performance.now()
    if (probe.firstFrameAt === undefined) {
      if (video && video.videoWidth > 0) probe.firstFrameAt = now
    } else if (!document.querySelector(selector)) {
      probe.goneAt = now
      clearInterval(timer)
    }
  }, 10)
}

/** In the page: what `armShareProbe` noted so far. */
export function readShareProbe(): ShareProbe {
  return { ...(globalThis as { __shareProbe?: ShareProbe }).__shareProbe }
}

/**
 * In the page: ends the local screen track as the browser's own "Stop sharing" does (the track stops and
 * says `ended`). Returns the epoch ms it happened.
 */
export function endLocalScreenShare(): number {
  const video = document.querySelector<HTMLVideoElement>('[data-testid="tile"][data-kind="screen"][data-local="true"] [data-testid="tile-video"]')
  const track = (video?.srcObject as MediaStream | null)?.getVideoTracks()[0]
  if (!track) throw new Error('no local screen track on this page')
  track.stop()
  track.dispatchEvent(new Event('ended'))
  return performance.timeOrigin + performance.now()
}

/** The app's status (`data-state` on the root: the core's view.status, e.g. `connected`, `joining`). */
export interface PhoneHeader {
  /** How far the call header and the page scroll sideways (0: nothing does). */
  overflow: number
  page: number
  /** The box of the header's mark looked at (its right edge, height), in CSS pixels. */
  markRight: number
  markHeight: number
}

/**
 * The call header at a phone's width (320×640): whether it stays whole with the mark `markTestId` in it
 * (a screenshot to `screenshot`); the viewport is put back after.
 */
export async function callHeaderAtPhoneWidth(page: Page, markTestId: string, screenshot: string): Promise<PhoneHeader> {
  const viewport = page.viewportSize()
  await page.setViewportSize({ width: 320, height: 640 })
  const header = await page.locator('.call__header').evaluate((element, testId) => {
    const mark = element.querySelector(`[data-testid="${testId}"]`)!.getBoundingClientRect()
    return {
      overflow: element.scrollWidth - element.clientWidth,
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      markRight: Math.round(mark.right),
      markHeight: Math.round(mark.height),
    }
  }, markTestId)
  await page.screenshot({ path: artifactPath(screenshot) })
  if (viewport) await page.setViewportSize(viewport)
  return header
}

export async function appStatus(page: Page): Promise<string | null> {
  return page.getByTestId('app').getAttribute('data-state')
}

/** Toggles the State panel with its shortcut (Shift+D), from outside any text field. */
export async function toggleStatePanel(page: Page): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
  await page.keyboard.press('Shift+D')
}

/** The in-app State panel's text (status, active states, actors, last events), for failure messages. */
export async function statePanelText(page: Page): Promise<string> {
  try {
    const panel = page.getByTestId('state-panel')
    const wasOpen = (await panel.count()) > 0
    if (!wasOpen) await toggleStatePanel(page)
    const text = await panel.innerText({ timeout: 2_000 })
    if (!wasOpen) await toggleStatePanel(page)
    return text.replace(/\n+/g, ' | ')
  } catch (error) {
    return `(state panel unreadable: ${error instanceof Error ? error.message : String(error)})`
  }
}

export interface AppCallOptions {
  /** The browser to use (default: launchChromium()). */
  launch?: () => Promise<Browser>
  /** Page options per participant (e.g. console errors a spec expects). */
  pageOptions?: (name: string) => ParticipantPageOptions
  /** What the hub starts with besides the built app (e.g. a shorter timing: `{ timings: { … } }`). */
  hub?: Partial<StartHubOptions>
}

export interface AppCall {
  /** The hub serving the built app (only inside a test: it starts in beforeAll). */
  readonly hub: TestHub
  readonly browser: Browser
  /** Every participant page, in the order of the names given. */
  readonly participants: AppParticipant[]
  /** The page of this participant. */
  page(name: string): AppParticipant
  /** For `.catch(explain)`: rethrows with what every page and the hub saw. */
  explain: (error: unknown) => never
}

/**
 * A spec's call: in beforeAll (loopback-only namespace asserted) the hub serving the built app, a
 * browser, and one participant page per name; in afterAll all of it closed again.
 */
export function useAppCall(names: readonly string[], options: AppCallOptions = {}): AppCall {
  let hub: TestHub | undefined
  let browser: Browser | undefined
  const participants: AppParticipant[] = []
  beforeAll(async () => {
    assertLoopbackOnly()
    hub = await startAppHub(options.hub)
    browser = await (options.launch ?? launchChromium)()
    for (const name of names) participants.push(await newAppParticipant(browser, name, options.pageOptions?.(name) ?? {}))
  })
  afterAll(async () => {
    for (const participant of participants) await participant.close().catch(() => undefined)
    await browser?.close()
    await hub?.close()
  })
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useAppCall: ${what} exists only inside a test (it is set up in beforeAll)`)
    return value
  }
  return {
    get hub() {
      return started(hub, 'the hub')
    },
    get browser() {
      return started(browser, 'the browser')
    },
    participants,
    page: (name) => started(participants.find((participant) => participant.name === name), `the page of ${name}`),
    explain: failureExplainer(participants, () => hub),
  }
}

/** `host` opens the app at `appUrl`, creates `room` under their own name and joins it: the room's invite link. */
export async function openRoom(host: AppParticipant, appUrl: string, room: string, explain: (error: unknown) => never): Promise<string> {
  await host.page.goto(`${appUrl}/`)
  await host.page.getByTestId('display-name').fill(host.name)
  await host.page.getByTestId('room-name').fill(room)
  await host.page.getByTestId('join-button').click()
  const invite = host.page.getByTestId('invite-link-text')
  await invite.waitFor({ timeout: 20_000 }).catch(explain)
  return (await invite.textContent())?.trim() ?? ''
}

/** Waits until `observer` shows exactly one remote tile, named `name`, whose video decodes: its client id. */
export async function oneRemoteDecoding(observer: AppParticipant, name: string, explain: (error: unknown) => never, timeoutMs = 30_000): Promise<string> {
  let seen: RemoteTile[] = []
  const tile = await pollUntil(
    async () => {
      seen = await remoteTiles(observer.page)
      return seen.length === 1 && seen[0]!.name === name ? seen[0] : undefined
    },
    { timeoutMs, description: `${observer.name} to show exactly one remote tile, ${name}`, seen: () => seen },
  ).catch(explain)
  await waitForDecodedVideo(observer.page, remoteVideoSelector(tile.participant), { minFramesGrowth: 10, timeoutMs }).catch(explain)
  return tile.participant
}

/** `participant` opens the invite, turns camera and microphone off and (after `beforeJoin`) clicks Join. */
export async function joinWithoutMedia(participant: AppParticipant, invite: string, beforeJoin: () => void = () => undefined): Promise<void> {
  await participant.page.goto(invite)
  await participant.page.getByTestId('display-name').fill(participant.name)
  for (const toggle of ['prejoin-toggle-camera', 'prejoin-toggle-mic']) {
    const button = participant.page.getByTestId(toggle)
    if ((await button.getAttribute('aria-pressed')) !== 'false') await button.click()
    await pollUntil(async () => ((await button.getAttribute('aria-pressed')) === 'false' ? true : undefined), { timeoutMs: 5_000, description: `${participant.name}'s ${toggle} off` })
  }
  beforeJoin()
  await participant.page.getByTestId('join-button').click()
}

/** Every port of the shaped page's selected candidate pair is shaped (its port watch saw the pair, none unshaped). */
export async function expectSelectedPairShaped(watch: PeerPortWatch | undefined): Promise<void> {
  // The watch reads the selected pair from the page's stats as it polls: connected may come first.
  await pollUntil(async () => (watch?.events.some((event) => event.includes('selected pair')) ? true : undefined), {
    timeoutMs: 10_000,
    intervalMs: 100,
    description: 'the port watch seeing the selected pair',
  }).catch(() => undefined)
  expect(watch?.events.some((event) => event.includes('selected pair')), watch?.events.join('; ')).toBe(true)
  expect(watch?.unshapedSelected, watch?.events.join('; ')).toBe(false)
}

/** The frames decoded so far of one inbound video, and its width. */
export interface InboundVideo {
  frameWidth: number
  framesDecoded: number
}

/**
 * Resolves once `read` shows `frames` more frames decoded, every sample's width meeting `widthOk` (a sample
 * that does not, or no video yet, starts the count again); with the widths seen on the way.
 */
export function decodesAtWidth<T extends InboundVideo>(
  read: () => Promise<T | undefined>,
  frames: number,
  widthOk: (width: number) => boolean,
  description: string,
  timeoutMs: number,
): Promise<T & { widths: number[] }> {
  let first: number | undefined
  const widths = new Set<number>()
  return pollUntil(
    async () => {
      const inbound = await read()
      if (!inbound || !widthOk(inbound.frameWidth)) {
        first = undefined
        return undefined
      }
      widths.add(inbound.frameWidth)
      first ??= inbound.framesDecoded
      return inbound.framesDecoded - first >= frames ? { ...inbound, widths: [...widths] } : undefined
    },
    { timeoutMs, intervalMs: 200, description },
  )
}

/**
 * After a slow-subscriber spec: stops its port watch, removes the loopback shaping, and gives what the slow
 * queue (tc class 40) passed and dropped, for the spec's figures (null when it was never set up).
 */
export async function releaseSlowLink(watch: PeerPortWatch | undefined): Promise<{ sentPackets: number; dropped: number } | null> {
  await watch?.stop()
  const link = readQdiscCounters().get('40')
  removeLoopbackShaping()
  return link ? { sentPackets: link.sentPackets, dropped: link.dropped } : null
}
