// Chromium for real-WebRTC specs: the system Chromium (never a downloaded one), quiet, with fake
// camera/microphone, and allowed to use 127.0.0.1 host candidates (without
// --allow-loopback-in-peer-connection Chrome gathers nothing in a lo-only namespace).
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

/**
 * Playwright's own `--disable-features` list (playwright-core 1.65.1, chromiumSwitches.ts). Chromium keeps
 * only the last `--disable-features` it is given, so ours repeats it; chromium.test.ts checks the copy
 * against the installed playwright-core.
 */
export const PLAYWRIGHT_DISABLED_FEATURES: readonly string[] = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
]

/**
 * The address bar's suggestion popups, WebUI pages (chrome://omnibox-popup.top-chrome) that every new
 * window preloads in a renderer of its own, headless too: each browser context is a window, and they cost
 * about 1.5 s of CPU per context (measured, Chromium 156: 4.4–4.8 s of the 8.2–9 s a launch and three
 * contexts took), on a two-core machine that runs the specs' media. No spec shows an address bar.
 */
export const OMNIBOX_POPUP_FEATURES: readonly string[] = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup']

export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--allow-loopback-in-peer-connection',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...OMNIBOX_POPUP_FEATURES].join(',')}`,
]

export const AUTOPLAY_FLAG = '--autoplay-policy=no-user-gesture-required'

export interface LaunchChromiumOptions {
  /** Adds `--autoplay-policy=no-user-gesture-required` (remote <video> with sound plays without a click). Default true. */
  autoplay?: boolean
  /** Defaults to `$PARLEY_CHROMIUM` or `/usr/bin/chromium`. */
  executablePath?: string
}

export function chromiumArgs(options: LaunchChromiumOptions = {}): string[] {
  return options.autoplay === false ? [...CHROMIUM_FLAGS] : [...CHROMIUM_FLAGS, AUTOPLAY_FLAG]
}

export async function launchChromium(options: LaunchChromiumOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: options.executablePath ?? process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium',
    // Playwright adds a bare --headless (and --mute-audio); our explicit --headless=new comes later and wins.
    headless: true,
    args: chromiumArgs(options),
  })
}

export interface ParticipantPage {
  readonly context: BrowserContext
  readonly page: Page
  /** Console `error` messages and uncaught page errors, in order. A passing spec asserts this is empty. */
  readonly errors: string[]
  close(): Promise<void>
}

export interface ParticipantPageOptions {
  /** Console lines (`console: <text> (<url>)`) matching one of these are not collected (use sparingly, say why at the call site). */
  ignoreErrors?: readonly RegExp[]
  viewport?: { width: number; height: number }
  /** `block`: the page registers no service worker (the join benchmark compares the web app with and without one). */
  serviceWorkers?: 'allow' | 'block'
}

/** Console errors and page errors as a participant page collects them, whichever browser reports them. */
export function errorLog(ignoreErrors: readonly RegExp[] = []) {
  const errors: string[] = []
  const ignored = (text: string) => ignoreErrors.some((pattern) => pattern.test(text))
  return {
    errors,
    consoleError(text: string, where?: string) {
      // The patterns see the source URL too: a failed request's message names only its status.
      const line = `console: ${text}${where ? ` (${where})` : ''}`
      if (!ignored(line)) errors.push(line)
    },
    pageError(message: string) {
      if (!ignored(message)) errors.push(`pageerror: ${message}`)
    },
  }
}

/** One participant = one fresh browser context (own cookies, own fake devices), camera and microphone granted. */
export async function newParticipantPage(browser: Browser, options: ParticipantPageOptions = {}): Promise<ParticipantPage> {
  const context = await browser.newContext({
    permissions: ['camera', 'microphone'],
    viewport: options.viewport ?? { width: 1280, height: 800 },
    ...(options.serviceWorkers ? { serviceWorkers: options.serviceWorkers } : {}),
  })
  const page = await context.newPage()
  const { errors, consoleError, pageError } = errorLog(options.ignoreErrors)
  page.on('console', (message) => {
    if (message.type() === 'error') consoleError(message.text(), message.location().url)
  })
  page.on('pageerror', (error) => pageError(error.message))
  return {
    context,
    page,
    errors,
    close: () => context.close(),
  }
}
