// Firefox for real-WebRTC specs: Debian's firefox-esr (never a downloaded one) driven by puppeteer-core
// over WebDriver BiDi, headless, on a fresh profile with fake camera/microphone and loopback host
// candidates. In a lo-only namespace Firefox gathers no candidate at all (not even 127.0.0.1) unless
// the page's origin holds a *persistent* camera/microphone permission; `media.navigator.permission.disabled`
// alone is not enough. The permission comes from a defaults file (`permissions.manager.defaultsUrl`),
// so it must name the app's origin, known only once its server listens.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core'
import { errorLog, type ParticipantPageOptions } from './chromium.js'
import { sampleVideoElement, waitForDecodedSamples, type DecodedVideoFigures, type WaitForDecodedVideoOptions } from './video.js'

export type { Browser as FirefoxBrowser, Page as FirefoxPage } from 'puppeteer-core'

/** Fake media, loopback candidates, and no address hidden behind an mDNS name. */
export const FIREFOX_MEDIA_PREFS: Readonly<Record<string, unknown>> = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.autoplay.default': 0,
}

/**
 * Nothing leaves loopback: no telemetry, updates, captive-portal or connectivity checks, safebrowsing,
 * remote settings, studies, push, DNS prefetch or speculative connections. (puppeteer's own profile
 * defaults cover part of this; these are stated here so the guarantee does not rest on them.)
 */
export const FIREFOX_QUIET_PREFS: Readonly<Record<string, unknown>> = {
  'app.update.enabled': false,
  'app.update.auto': false,
  'app.normandy.enabled': false,
  'app.normandy.api_url': '',
  'app.shield.optoutstudies.enabled': false,
  'browser.discovery.enabled': false,
  'browser.newtabpage.activity-stream.feeds.telemetry': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'browser.ping-centre.telemetry': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.downloads.remote.enabled': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.search.update': false,
  'browser.search.geoip.url': '',
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'captivedetect.canonicalURL': '',
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.http.speculative-parallel-limit': 0,
  'network.predictor.enabled': false,
  'network.prefetch-next': false,
  'network.trr.mode': 5,
  'datareporting.healthreport.uploadEnabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.archive.enabled': false,
  'toolkit.telemetry.server': '',
  'services.settings.server': 'http://127.0.0.1:9/',
  'dom.push.enabled': false,
  'dom.push.connection.enabled': false,
  'extensions.update.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'extensions.blocklist.enabled': false,
  'media.gmp-manager.updateEnabled': false,
  'media.gmp-gmpopenh264.autoupdate': false,
  'geo.provider.network.url': '',
  'identity.fxaccounts.enabled': false,
  'messaging-system.rsexperimentloader.enabled': false,
}

/** The `permissions.manager.defaultsUrl` file: camera and microphone allowed (1) for every origin, one line each. */
export function firefoxPermissionDefaults(origins: readonly string[]): string {
  return origins.flatMap((origin) => ['camera', 'microphone'].map((name) => `origin\t${name}\t1\t${new URL(origin).origin}\n`)).join('')
}

export interface LaunchFirefoxOptions {
  /** Origins of the app under test (e.g. `http://127.0.0.1:PORT`): they get a persistent camera and microphone permission. */
  origins: readonly string[]
  /** Defaults to `$PARLEY_FIREFOX` or `/usr/bin/firefox-esr`. */
  executablePath?: string
  /** More prefs, on top of (and winning over) ours. */
  prefs?: Record<string, unknown>
  /**
   * An X display (`startVirtualDisplay`) to run on, not headless: headless Firefox on Linux has no WebGL
   * (what MediaPipe's segmentation needs); on Xvfb it has Mesa's software GL.
   */
  display?: string
}

/** Launches Firefox on a fresh profile directory, removed again when the browser process exits. */
export async function launchFirefox(options: LaunchFirefoxOptions): Promise<Browser> {
  const profileDir = mkdtempSync(join(tmpdir(), 'parley-firefox-'))
  const permissionsFile = join(profileDir, 'parley-permissions.txt')
  writeFileSync(permissionsFile, firefoxPermissionDefaults(options.origins))
  try {
    const browser = await puppeteer.launch({
      browser: 'firefox',
      protocol: 'webDriverBiDi',
      executablePath: options.executablePath ?? process.env.PARLEY_FIREFOX ?? '/usr/bin/firefox-esr',
      headless: options.display === undefined,
      ...(options.display !== undefined ? { env: { ...process.env, DISPLAY: options.display } } : {}),
      userDataDir: profileDir,
      extraPrefsFirefox: {
        ...FIREFOX_QUIET_PREFS,
        ...FIREFOX_MEDIA_PREFS,
        'permissions.manager.defaultsUrl': pathToFileURL(permissionsFile).href,
        ...options.prefs,
      },
    })
    // Once the process is gone: Firefox still writes to its profile after the BiDi session ends.
    browser.process()?.once('exit', () => rmSync(profileDir, { recursive: true, force: true }))
    return browser
  } catch (error) {
    rmSync(profileDir, { recursive: true, force: true })
    throw error
  }
}

export interface FirefoxParticipantPage {
  readonly context: BrowserContext
  readonly page: Page
  /** Console `error` messages and uncaught page errors, in order. A passing spec asserts this is empty. */
  readonly errors: string[]
  close(): Promise<void>
}

/**
 * One participant = one Firefox (one fresh profile): its page opens in the default user context, the only
 * one the permission file reaches. (A BiDi user context keys permissions with its own userContextId, so
 * a page there has no persistent permission and gathers no candidate in the lo-only namespace.)
 */
export async function newFirefoxParticipantPage(browser: Browser, options: ParticipantPageOptions = {}): Promise<FirefoxParticipantPage> {
  const context = browser.defaultBrowserContext()
  const page = await context.newPage()
  await page.setViewport(options.viewport ?? { width: 1280, height: 800 })
  const { errors, consoleError, pageError } = errorLog(options.ignoreErrors)
  page.on('console', (message) => {
    if (message.type() === 'error') consoleError(message.text(), message.location().url)
  })
  page.on('pageerror', (error) => pageError(error instanceof Error ? error.message : String(error)))
  return { context, page, errors, close: () => page.close() }
}

/** `waitForDecodedVideo` for a Firefox page (same counter: inbound-rtp `framesDecoded` through `window.__pcs`). */
export async function waitForDecodedVideoInFirefox(page: Page, selector: string, options: WaitForDecodedVideoOptions = {}): Promise<DecodedVideoFigures> {
  return waitForDecodedSamples(async () => {
    const handle = await page.$(selector)
    return handle ? handle.evaluate(sampleVideoElement) : null
  }, selector, options)
}
