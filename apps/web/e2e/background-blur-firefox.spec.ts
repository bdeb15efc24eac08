// Background blur in Firefox ESR, on the built app served by the real hub. Firefox runs on a virtual X display
// (Xvfb), not headless: headless Firefox on Linux has no WebGL, and MediaPipe's segmentation needs WebGL2
// (on Xvfb it gets Mesa's llvmpipe, software GL, as a machine without a GPU driver would). One page on the
// pre-join ticks "Blur background": the preview's sharpness drops as in background-blur.spec.ts (sharpness.ts;
// Firefox's fake camera is a flat colour with a sharp barcode strip along its top: that band is measured), and
// every request went to the app's own origin. Then a page whose canvases give no WebGL (as in a browser with
// WebGL disabled or blocklisted, or headless Firefox), opened with blur remembered on: "Blur unavailable in
// this browser", the box unticked, and the plain camera goes on. Loopback-only namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  assertLoopbackOnly,
  launchFirefox,
  pollUntil,
  startVirtualDisplay,
  type FirefoxBrowser,
  type VirtualDisplay,
} from '@parley/testkit'
import type { TestHub } from '@parley/hub/testing'
import { medianSharpness, readSharpness, sharpnessUntil, type SharpnessFigures } from './sharpness'
import { failureExplainer, newFirefoxAppParticipant, startAppHub, type FirefoxAppParticipant } from './web-app'

const PREVIEW = '[data-testid="tile-video"]'
/** The fake camera's barcode strip is in the top few rows: the band measured (the rest is one flat colour). */
const TOP_BAND = 0.05

/** Runs in the page before its scripts: no canvas gives a WebGL context, as where WebGL is off (or headless Firefox). */
function withoutWebGL(): void {
  for (const Canvas of [HTMLCanvasElement, OffscreenCanvas]) {
    const getContext = Canvas.prototype.getContext as (this: unknown, id: string, ...rest: unknown[]) => unknown
    Object.defineProperty(Canvas.prototype, 'getContext', {
      configurable: true,
      writable: true,
      value(this: unknown, id: string, ...rest: unknown[]) {
        return /webgl/.test(id) ? null : getContext.call(this, id, ...rest)
      },
    })
  }
}

/** In the page: the blur box and its status line, as shown. */
function readBlurBox(): { checked: boolean; disabled: boolean; status: string | null } | null {
  const box = document.querySelector<HTMLInputElement>('[data-testid="blur-background"]')
  if (!box) return null
  return { checked: box.checked, disabled: box.disabled, status: document.querySelector('[data-testid="blur-status"]')?.textContent?.trim() ?? null }
}

describe('background blur in Firefox ESR (built app, real hub, Firefox on Xvfb)', () => {
  let hub: TestHub | undefined
  let display: VirtualDisplay | undefined
  let firefox: FirefoxBrowser | undefined
  const pages: FirefoxAppParticipant[] = []
  const explain = (error: unknown): never => failureExplainer(pages, () => hub)(error)
  let plain: SharpnessFigures | undefined

  beforeAll(async () => {
    assertLoopbackOnly()
    hub = await startAppHub()
    display = await startVirtualDisplay()
    // The origin is the hub's: it serves the app, so it is the one the permission file must name.
    firefox = await launchFirefox({ origins: [hub.url], display: display.display })
  })
  afterAll(async () => {
    for (const page of pages) await page.close().catch(() => undefined)
    await firefox?.close()
    await display?.close()
    await hub?.close()
  })

  it('ticked on the pre-join, the preview goes soft (MediaPipe on software WebGL2), and every request is to the app’s origin', async () => {
    const ada = await newFirefoxAppParticipant(firefox!, 'Ada')
    pages.push(ada)
    const requested: string[] = []
    ada.page.on('request', (request) => requested.push(request.url()))
    const read = () => ada.page.evaluate(readSharpness, PREVIEW, TOP_BAND)
    const started = Date.now()

    await ada.page.goto(`${hub!.url}/`)
    plain = await medianSharpness(read, 'Ada’s preview').catch(explain)
    const tickedAt = Date.now()
    await ada.page.locator('[data-testid="blur-background"]').click()
    const blurred = await sharpnessUntil(read, 'Ada’s preview', (edges) => edges < plain!.edges / 3, 'Ada’s preview blurred').catch(explain)
    const blurredAt = Date.now()
    // Its frame rate, over more frames.
    const running = await medianSharpness(read, 'Ada’s blurred preview', 10).catch(explain)
    expect(running.edges).toBeLessThan(plain.edges / 3)
    expect(await ada.page.evaluate(readBlurBox)).toEqual({ checked: true, disabled: false, status: null })
    expect(await ada.page.evaluate(() => localStorage.getItem('parley.blur'))).toBe('on')

    console.log(
      `background blur in Firefox: mean |Laplacian| of the top band, preview ${plain.edges.toFixed(2)} (${plain.fps.toFixed(1)} fps) → ` +
        `${blurred.edges.toFixed(2)}, then ${running.edges.toFixed(2)} at ${running.fps.toFixed(1)} fps; ` +
        `tick → blurred ${((blurredAt - tickedAt) / 1000).toFixed(1)} s, page open → ${((blurredAt - started) / 1000).toFixed(1)} s`,
    )
    const origin = new URL(hub!.url).origin
    expect(requested.filter((url) => !url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:'))).toEqual([])
    expect(requested.some((url) => url.includes('selfie_segmentation_landscape'))).toBe(true)
    expect(ada.errors).toEqual([])
    expect(ada.network).toEqual([])
    await ada.close()
  })

  it('where no WebGL is to be had, blur remembered on says "Blur unavailable in this browser" and the plain camera goes on', async () => {
    const bo = await newFirefoxAppParticipant(firefox!, 'Bo')
    pages.push(bo)
    await bo.page.evaluateOnNewDocument(withoutWebGL)
    const requested: string[] = []
    bo.page.on('request', (request) => requested.push(request.url()))

    // Same profile, same origin: the first test left blur remembered on.
    await bo.page.goto(`${hub!.url}/`)
    let box: ReturnType<typeof readBlurBox> = null
    await pollUntil(async () => {
      box = await bo.page.evaluate(readBlurBox)
      return box?.status ? box : undefined
    }, { timeoutMs: 15_000, description: 'Bo’s blur box to say it is unavailable', seen: () => box }).catch(explain)
    expect(box).toEqual({ checked: false, disabled: false, status: 'Blur unavailable in this browser' })
    expect(await bo.page.evaluate(() => localStorage.getItem('parley.blur'))).toBe('off')
    // The plain camera: new frames, as sharp as the first page's plain preview.
    const preview = await medianSharpness(() => bo.page.evaluate(readSharpness, PREVIEW, TOP_BAND), 'Bo’s preview').catch(explain)
    expect(preview.edges).toBeGreaterThan(plain!.edges / 2)
    // Nothing of MediaPipe's was fetched for a browser that cannot run it.
    expect(requested.filter((url) => url.includes('selfie_segmentation'))).toEqual([])
    expect(bo.errors).toEqual([])
  })
})
