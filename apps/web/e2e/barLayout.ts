// Measuring the call's control bar in real Chromium, for layout.spec.ts: boxes, the width its full row
// needs, labels drawn on two lines, and what each frame shows while something changes.
import type { Page } from 'playwright-core'

export interface Box {
  left: number
  top: number
  right: number
  bottom: number
  width: number
  height: number
}

/** The page box of each element `selector` matches. */
export async function boxes(page: Page, selector: string): Promise<Box[]> {
  return page.$$eval(selector, (elements) =>
    elements.map((element) => {
      const { left, top, right, bottom, width, height } = element.getBoundingClientRect()
      return { left, top, right, bottom, width, height }
    }),
  )
}

export async function box(page: Page, selector: string): Promise<Box> {
  const [found] = await boxes(page, selector)
  if (!found) throw new Error(`nothing matches ${selector}`)
  return found
}

/** The box lies wholly inside the viewport (half a pixel for subpixel layout). */
export const inside = (b: Box, viewport: { width: number; height: number }) =>
  b.left >= -0.5 && b.top >= -0.5 && b.right <= viewport.width + 0.5 && b.bottom <= viewport.height + 0.5

export const overlaps = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom

/**
 * The bar's width its full row needs, laid out unsqueezed (a wide window): its groups, the gap between them
 * and its padding. Measured here as the app does (rowFit.ts), but from a window where nothing is squeezed.
 */
export async function fullRowNeed(page: Page): Promise<number> {
  return page.getByTestId('control-bar').evaluate((bar) => {
    const style = getComputedStyle(bar)
    const groups = Array.from(bar.children).map((group) => group.getBoundingClientRect().width)
    return groups.reduce((sum, width) => sum + width, parseFloat(style.paddingLeft) + parseFloat(style.paddingRight) + parseFloat(style.columnGap) * (groups.length - 1))
  })
}

/** The bar's labels drawn on more than one line (each text's line boxes, by their tops). */
export async function wrappedLabels(page: Page): Promise<string[]> {
  return page.getByTestId('control-bar').evaluate((bar) =>
    Array.from(bar.querySelectorAll('.control__label'))
      .filter((label) => {
        const range = document.createRange()
        range.selectNodeContents(label)
        return new Set(Array.from(range.getClientRects(), (rect) => Math.round(rect.top))).size > 1
      })
      .map((label) => label.textContent ?? ''),
  )
}

/** The controls in the bar, by test id. */
export async function barIds(page: Page): Promise<(string | undefined)[]> {
  return page.getByTestId('control-bar').locator('button.control').evaluateAll((buttons) => buttons.map((button) => (button as HTMLElement).dataset.testid))
}

/** What a frame shows now: after two animation frames (a resize is laid out, observed and drawn). */
export async function afterFrames(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))))
}

export interface BarFrame {
  controls: number
  wrapped: number
}

interface Sampling {
  barFrames: BarFrame[]
  barSampling: boolean
}

/**
 * From now on, each change in what the frames show: the bar's control count and wrapped labels, sampled
 * in requestAnimationFrame (it sees what the last frame drew, after that frame's decisions).
 */
export async function sampleBarFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const frames: BarFrame[] = []
    const state = window as unknown as Sampling
    state.barFrames = frames
    state.barSampling = true
    const sample = () => {
      const bar = document.querySelector('[data-testid="control-bar"]')
      // Stopped, superseded, or the call is over (a failed test must not leave a page error behind).
      if (!state.barSampling || state.barFrames !== frames || !bar) return
      const wrapped = Array.from(bar.querySelectorAll('.control__label')).filter((label) => {
        const range = document.createRange()
        range.selectNodeContents(label)
        return new Set(Array.from(range.getClientRects(), (rect) => Math.round(rect.top))).size > 1
      }).length
      const controls = bar.querySelectorAll('button.control').length
      const last = frames.at(-1)
      if (last?.controls !== controls || last.wrapped !== wrapped) frames.push({ controls, wrapped })
      requestAnimationFrame(sample)
    }
    requestAnimationFrame(sample)
  })
}

/** What the frames showed since `sampleBarFrames`, 300 ms on (time for anything more to happen). */
export async function barFrames(page: Page): Promise<BarFrame[]> {
  await page.waitForTimeout(300)
  return page.evaluate(() => (window as unknown as Sampling).barFrames)
}

export async function stopBarFrames(page: Page): Promise<void> {
  await page.evaluate(() => void ((window as unknown as Sampling).barSampling = false))
}
