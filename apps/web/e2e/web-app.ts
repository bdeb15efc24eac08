// Support for the web app's browser specs: the built app (apps/web/dist) served by the real hub, as
// `npm start` serves it, and participant pages that also remember what went wrong on the wire.
import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { assertLoopbackOnly, launchChromium, newParticipantPage, pollUntil, waitForDecodedVideo, type ParticipantPage, type ParticipantPageOptions } from '@parley/testkit'
import { startTestHub, type TestHub } from '@parley/hub/testing'

const here = dirname(fileURLToPath(import.meta.url))

/** Absolute path of the built web app. `npm test` builds it before vitest runs. */
export const WEB_DIST_DIR = resolve(here, '../dist')

/** Repo-root `test-artifacts/web` (gitignored). */
export const ARTIFACTS_DIR = resolve(here, '../../../test-artifacts/web')

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true })
  return join(ARTIFACTS_DIR, name)
}

/** The real hub on 127.0.0.1 serving the built app at `/` (API under `/v1`, same origin). */
export async function startAppHub(): Promise<TestHub> {
  if (!existsSync(join(WEB_DIST_DIR, 'index.html'))) {
    throw new Error(
      `The built web app is missing (${WEB_DIST_DIR}/index.html). Build it first: ` +
        '`npm run pnpm -- --filter @parley/web build` (npm test does this before vitest).',
    )
  }
  return startTestHub({ staticDir: WEB_DIST_DIR })
}

export interface AppParticipant extends ParticipantPage {
  readonly name: string
  /** Every HTTP answer >= 400 and every failed request, in order, e.g. `DELETE http://…/v1/… -> 404`. */
  readonly network: string[]
}

/** A participant page (own context, camera and microphone granted) that also records HTTP failures. */
export async function newAppParticipant(browser: Browser, name: string, options: ParticipantPageOptions = {}): Promise<AppParticipant> {
  const participant = await newParticipantPage(browser, { viewport: { width: 1280, height: 720 }, ...options })
  const network: string[] = []
  participant.page.on('response', (response) => {
    if (response.status() >= 400) network.push(`${response.request().method()} ${response.url()} -> ${response.status()}`)
  })
  participant.page.on('requestfailed', (request) => {
    network.push(`${request.method()} ${request.url()} failed: ${request.failure()?.errorText ?? 'unknown'}`)
  })
  return Object.assign(participant, { name, network })
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

/** For `.catch(explain)`: rethrows with what every page and the hub saw. */
export function failureExplainer(participants: readonly AppParticipant[], hub: () => TestHub | undefined): (error: unknown) => never {
  return (error) => {
    const message = error instanceof Error ? error.message : String(error)
    throw new Error(`${message}\n--- pages ---\n${describeParticipants(participants)}\n--- hub log ---\n${hub()?.describeLogs() ?? ''}`)
  }
}

/** What each page reported, for failure messages and the final check. */
export function describeParticipants(participants: readonly AppParticipant[]): string {
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

/** The remote tiles on the call screen, as the page shows them. */
export async function remoteTiles(page: Page): Promise<RemoteTile[]> {
  return page.$$eval(REMOTE_TILE, (tiles) =>
    tiles.map((tile) => ({
      participant: tile.getAttribute('data-participant') ?? '',
      name: tile.querySelector('[data-testid="tile-name"]')?.textContent?.trim() ?? '',
      cameraOff: tile.querySelector('[data-testid="badge-camera-off"]') !== null,
    })),
  )
}

export function remoteVideoSelector(participantId: string): string {
  return `${REMOTE_TILE}[data-participant="${participantId}"] [data-testid="tile-video"]`
}

/** The app's status (`data-state` on the root: the core's view.status, e.g. `connected`, `joining`). */
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
    hub = await startAppHub()
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

/** Waits until `observer` shows exactly one remote tile, named `name`, whose video decodes: its client id. */
export async function oneRemoteDecoding(observer: AppParticipant, name: string, explain: (error: unknown) => never, timeoutMs = 30_000): Promise<string> {
  const tile = await pollUntil(
    async () => {
      const tiles = await remoteTiles(observer.page)
      return tiles.length === 1 && tiles[0]!.name === name ? tiles[0] : undefined
    },
    { timeoutMs, description: `${observer.name} to show exactly one remote tile, ${name}` },
  ).catch(explain)
  await waitForDecodedVideo(observer.page, remoteVideoSelector(tile.participant), { minFramesGrowth: 10, timeoutMs }).catch(explain)
  return tile.participant
}
