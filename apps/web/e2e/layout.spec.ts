// The call's layout in real Chromium (built app on the real hub), measured rather than eyeballed:
// alone in a room the invite card never covers your video; the State panel docks beside the grid
// on a wide window (the grid gets narrower) and is a sheet under the controls on a phone; with the
// clipboard refused, the manual-copy field covers no control; from 320 px up every control of the bar
// is on screen (a narrow bar keeps microphone, camera, chat, More and Leave; the rest is in More, and
// works from there), and the page never scrolls sideways; the bar is the full labelled row exactly where
// that row fits unwrapped (a host's, a guest's: measured), and a slow resize across that width switches it
// once each way. Screenshots land in test-artifacts/web.
import { beforeAll, describe, expect, it } from 'vitest'
import { pollUntil } from '@parley/testkit'
import {
  appStatus,
  artifactPath,
  describeParticipants,
  launchChromiumWithFakeScreen,
  setSitePermission,
  toggleStatePanel,
  useAppCall,
  type AppParticipant,
} from './web-app'
import { afterFrames, barFrames, barIds, box, boxes, fullRowNeed, inside, overlaps, sampleBarFrames, stopBarFrames, wrappedLabels } from './barLayout'

const ALL_CONTROLS = [
  'toggle-mic', 'toggle-camera', 'toggle-screen-share', 'copy-invite', 'toggle-participants', 'toggle-hand', 'react-button',
  'chat-button', 'more-button', 'end-room-button', 'leave-button',
]
const ESSENTIALS = ['toggle-mic', 'toggle-camera', 'chat-button', 'more-button', 'leave-button']

describe('web app call layout (built app on the real hub; Ada the host, Grace a guest, in Chromium)', () => {
  // A fake "Entire screen" for the share picker: sharing changes a label ("Stop sharing").
  const call = useAppCall(['Ada', 'Grace'], { launch: launchChromiumWithFakeScreen })
  const { explain } = call
  let ada: AppParticipant
  /** The width Ada's full row (a host who can share) needs: measured at 1280 px. */
  let hostNeed = 0

  beforeAll(async () => {
    ada = call.page('Ada')
    await setSitePermission(call.browser, ada.page, call.hub.url, 'clipboard-write', 'denied')
    await ada.page.goto(`${call.hub.url}/`)
    await ada.page.getByTestId('display-name').fill('Ada')
    await ada.page.getByTestId('join-button').click()
    await pollUntil(async () => (await appStatus(ada.page)) === 'connected', { timeoutMs: 20_000, description: 'Ada connected' }).catch(explain)
    await ada.page.getByTestId('alone-hint').waitFor({ timeout: 10_000 }).catch(explain)
  })

  for (const [device, viewport] of [
    ['desktop', { width: 1280, height: 720 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    it(`${device}: alone, the invite card sits ${device === 'phone' ? 'under' : 'beside'} your video, covering none of it`, async () => {
      await ada.page.setViewportSize(viewport)
      await ada.page.locator('[data-testid="tile"][data-local="true"][data-video="on"]').waitFor({ timeout: 10_000 }).catch(explain)
      const tile = await box(ada.page, '[data-testid="tile"][data-local="true"]')
      const card = await box(ada.page, '[data-testid="alone-hint"]')
      const bar = await box(ada.page, '[data-testid="control-bar"]')
      expect(tile.width).toBeGreaterThan(100)
      expect(overlaps(card, tile), JSON.stringify({ card, tile })).toBe(false)
      expect(overlaps(card, bar), JSON.stringify({ card, bar })).toBe(false)
      if (device === 'phone') expect(card.top).toBeGreaterThanOrEqual(tile.bottom)
      else expect(card.left).toBeGreaterThanOrEqual(tile.right)
      await ada.page.screenshot({ path: artifactPath(`alone-${device}.png`) })
    })

    it(`${device}: the State panel ${device === 'phone' ? 'is a sheet under the controls' : 'docks beside the grid, which gets narrower'}`, async () => {
      await ada.page.setViewportSize(viewport)
      const gridBefore = await box(ada.page, '[data-testid="video-grid"]')
      if (device === 'desktop') {
        await ada.page.getByTestId('more-button').click()
        await ada.page.getByTestId('menu-state-panel').click()
      } else {
        await toggleStatePanel(ada.page)
      }
      const panelLocator = ada.page.getByTestId('state-panel')
      await panelLocator.waitFor({ timeout: 10_000 }).catch(explain)
      // Polled: the placement follows a media-query listener, which hears of the resize on the page's next
      // rendering step, not when setViewportSize returns.
      await expect.poll(() => panelLocator.getAttribute('data-placement'), { timeout: 5_000 }).toBe(device === 'phone' ? 'sheet' : 'dock')
      // The panel's content is there: the live actors of the call.
      await expect.poll(() => ada.page.getByTestId('state-panel-actors').innerText(), { timeout: 5_000 }).toContain('conference')
      const panel = await box(ada.page, '[data-testid="state-panel"]')
      const bar = await box(ada.page, '[data-testid="control-bar"]')
      const tiles = await boxes(ada.page, '[data-testid="tile"]')
      for (const covered of [bar, ...tiles]) expect(overlaps(panel, covered), JSON.stringify({ panel, covered })).toBe(false)
      if (device === 'desktop') {
        const grid = await box(ada.page, '[data-testid="video-grid"]')
        expect(panel.left).toBeGreaterThanOrEqual(grid.right)
        expect(panel.right).toBeLessThanOrEqual(viewport.width + 0.5)
        expect(bar.right).toBeLessThanOrEqual(panel.left + 0.5) // the whole call, controls included, sits beside it
        expect(grid.width).toBeLessThanOrEqual(gridBefore.width)
      } else {
        expect(panel.top).toBeGreaterThanOrEqual(bar.bottom - 0.5)
        expect(panel.bottom).toBeLessThanOrEqual(viewport.height + 0.5)
        expect(panel.height).toBeGreaterThan(200)
      }
      await ada.page.screenshot({ path: artifactPath(`state-panel-${device}.png`) })
      await ada.page.keyboard.press('Escape')
      await expect.poll(() => panelLocator.count(), { timeout: 5_000 }).toBe(0)
    })

    it(`${device}: with the clipboard refused, the link to copy by hand covers no control`, async () => {
      await ada.page.setViewportSize(viewport)
      await ada.page.getByTestId('alone-copy-invite').click()
      const manual = ada.page.getByTestId('invite-manual')
      await manual.waitFor({ timeout: 5_000 }).catch(explain)
      expect(await ada.page.getByTestId('invite-url').inputValue()).toContain('?roomId=')
      const strip = await box(ada.page, '[data-testid="invite-manual"]')
      const controls = await boxes(ada.page, 'button:not([data-testid="invite-manual"] button)')
      expect(controls.length).toBeGreaterThan(5)
      for (const control of controls) expect(overlaps(strip, control), JSON.stringify({ strip, control })).toBe(false)
      await ada.page.screenshot({ path: artifactPath(`invite-manual-${device}.png`) })
      await ada.page.getByTestId('invite-url').press('Escape')
      await expect.poll(() => manual.count(), { timeout: 5_000 }).toBe(0)
    })
  }

  // Ada is the host (she made the room) and Chromium can share a screen: the widest bar there is.
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 1040, height: 768 },
    { width: 1024, height: 768 },
    { width: 1023, height: 768 },
    { width: 700, height: 800 },
    { width: 390, height: 844 },
    { width: 360, height: 740 },
    { width: 320, height: 640 },
  ]) {
    const { width } = viewport
    it(`${width} px wide: every control of the bar is on screen, all in one unwrapped labelled row where it fits (else the essentials), and the page does not scroll sideways`, async () => {
      await ada.page.setViewportSize(viewport)
      const bar = ada.page.getByTestId('control-bar')
      const ids = () => barIds(ada.page)
      if (width === 1280) {
        await expect.poll(async () => (await ids()).length, { timeout: 5_000 }).toBe(ALL_CONTROLS.length)
        hostNeed = await fullRowNeed(ada.page)
        console.log(`layout: a host who can share needs ${hostNeed.toFixed(1)} px for the full row`)
        expect(hostNeed).toBeGreaterThan(900)
      }
      expect(hostNeed, 'measured at 1280 px first').toBeGreaterThan(0)
      const full = width >= hostNeed - 0.5
      // Polled: the bar follows a ResizeObserver, which hears of the resize on the next rendering step.
      await expect.poll(async () => (await ids()).length, { timeout: 5_000 }).toBe(full ? ALL_CONTROLS.length : ESSENTIALS.length).catch(() => undefined)
      // No label on two lines (a taller bar): where the full row does not fit unwrapped, it is not drawn.
      expect(await wrappedLabels(ada.page)).toEqual([])
      // Scrolled back first: a click on a control past the edge scrolls the page sideways to it.
      const page = await ada.page.evaluate(() => {
        window.scrollTo(0, 0)
        return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }
      })
      expect(page.scrollWidth, JSON.stringify(page)).toBeLessThanOrEqual(page.innerWidth)
      const controls = await boxes(ada.page, '[data-testid="control-bar"] button.control')
      for (const control of controls) expect(inside(control, viewport), JSON.stringify({ control, viewport })).toBe(true)
      // One row (every control's span crosses every other's): the grid above keeps its height.
      expect(Math.max(...controls.map((control) => control.top)), JSON.stringify(controls)).toBeLessThan(Math.min(...controls.map((control) => control.bottom)))
      expect(await ids()).toEqual(full ? ALL_CONTROLS : ESSENTIALS)
      const tile = await box(ada.page, '[data-testid="tile"][data-local="true"]')
      expect(overlaps(tile, await box(ada.page, '[data-testid="control-bar"]'))).toBe(false)
      if (width === 1280) {
        // The desktop bar as it was: labelled controls, one 88 px row.
        expect(await bar.getByText('Share screen').isVisible()).toBe(true)
        expect((await box(ada.page, '[data-testid="control-bar"]')).height).toBeLessThanOrEqual(90)
      }
      if (!full) expect(await bar.getByText('Share screen').count()).toBe(0) // in More now
      await ada.page.screenshot({ path: artifactPath(`controls-${width}.png`) })
    })
  }

  it('a slow resize across the width the full row needs switches the bar once each way, there, and it stays so', async () => {
    const from = Math.floor(hostNeed) - 12
    const to = Math.ceil(hostNeed) + 12
    await ada.page.setViewportSize({ width: from, height: 768 })
    await expect.poll(async () => (await barIds(ada.page)).length, { timeout: 5_000 }).toBe(ESSENTIALS.length)
    // Every change of the bar's controls as it happens: a flip and back within one step would show here.
    await ada.page.evaluate(() => {
      const bar = document.querySelector('[data-testid="control-bar"]')!
      const log: { width: number; controls: number }[] = []
      ;(window as unknown as { barLog: typeof log }).barLog = log
      new MutationObserver(() => {
        const controls = bar.querySelectorAll('button.control').length
        if (log.at(-1)?.controls !== controls) log.push({ width: window.innerWidth, controls })
      }).observe(bar, { childList: true, subtree: true })
    })
    const up = Array.from({ length: to - from + 1 }, (_, step) => from + step)
    for (const width of [...up, ...up.reverse()]) {
      await ada.page.setViewportSize({ width, height: 768 })
      await afterFrames(ada.page)
      const full = width >= hostNeed - 0.5
      expect(await barIds(ada.page), `${width} px`).toEqual(full ? ALL_CONTROLS : ESSENTIALS)
      expect(await wrappedLabels(ada.page), `${width} px`).toEqual([])
      expect(await ada.page.evaluate(() => document.documentElement.scrollWidth), `${width} px`).toBeLessThanOrEqual(width)
    }
    // Held still at the last width: nothing more changes.
    await ada.page.waitForTimeout(500)
    await afterFrames(ada.page)
    const threshold = Math.ceil(hostNeed - 0.5)
    expect(await ada.page.evaluate(() => (window as unknown as { barLog: unknown }).barLog)).toEqual([
      { width: threshold, controls: ALL_CONTROLS.length },
      { width: threshold - 1, controls: ESSENTIALS.length },
    ])
  })

  it('the row changes under a still window (sharing, a raised hand): one switch at most, never a frame wrapped or flipped back', async () => {
    const threshold = Math.ceil(hostNeed - 0.5)
    const localHand = ada.page.locator('[data-testid="tile"][data-local="true"] [data-testid="tile-hand"]')
    const sharing = ada.page.locator('[data-testid="tile"][data-kind="screen"][data-local="true"]')
    await ada.page.setViewportSize({ width: threshold, height: 768 })
    await expect.poll(() => barIds(ada.page), { timeout: 5_000 }).toEqual(ALL_CONTROLS)
    await sampleBarFrames(ada.page)
    await ada.page.getByTestId('toggle-screen-share').click()
    await sharing.waitFor({ timeout: 15_000 }).catch(explain)
    const shared = await barFrames(ada.page)
    // "Stop sharing" may need more than "Share screen": then the short bar, once, and it stays.
    console.log(`layout: sharing at ${threshold} px, the frames showed ${JSON.stringify(shared)}`)
    expect(shared.every((frame) => frame.wrapped === 0), JSON.stringify(shared)).toBe(true)
    expect([[ALL_CONTROLS.length], [ALL_CONTROLS.length, ESSENTIALS.length]].map(String)).toContain(String(shared.map((frame) => frame.controls)))
    if (shared.at(-1)!.controls === ESSENTIALS.length) {
      expect(await ada.page.getByTestId('more-button').getAttribute('aria-label')).toBe('More options: you are sharing your screen')
      await ada.page.getByTestId('more-button').click()
      await ada.page.getByTestId('menu-screen-share').click()
    } else {
      await ada.page.getByTestId('toggle-screen-share').click()
    }
    await expect.poll(() => sharing.count(), { timeout: 10_000 }).toBe(0)
    await expect.poll(() => barIds(ada.page), { timeout: 5_000 }).toEqual(ALL_CONTROLS)

    // Short (1000 px), a row never measured (your hand raised: "People · 1" with the hand mark): drawn full only to be measured.
    await ada.page.setViewportSize({ width: 1000, height: 768 })
    await expect.poll(async () => (await barIds(ada.page)).length, { timeout: 5_000 }).toBe(ESSENTIALS.length)
    await sampleBarFrames(ada.page)
    await ada.page.locator('body').press('h')
    await localHand.waitFor({ timeout: 10_000 }).catch(explain)
    expect(await barFrames(ada.page)).toEqual([{ controls: ESSENTIALS.length, wrapped: 0 }])
    await ada.page.locator('body').press('h')
    await expect.poll(() => localHand.count(), { timeout: 10_000 }).toBe(0)

    // Full at the threshold, then your hand raised: that longer row does not fit (wrapped, before), the short bar.
    await ada.page.setViewportSize({ width: threshold, height: 768 })
    await expect.poll(() => barIds(ada.page), { timeout: 5_000 }).toEqual(ALL_CONTROLS)
    await sampleBarFrames(ada.page)
    await ada.page.locator('body').press('h')
    await localHand.waitFor({ timeout: 10_000 }).catch(explain)
    expect(await barFrames(ada.page)).toEqual([{ controls: ALL_CONTROLS.length, wrapped: 0 }, { controls: ESSENTIALS.length, wrapped: 0 }])
    expect(await ada.page.getByTestId('more-button').getAttribute('aria-label')).toBe('More options: your hand is raised')
    await sampleBarFrames(ada.page)
    await ada.page.locator('body').press('h')
    await expect.poll(() => localHand.count(), { timeout: 10_000 }).toBe(0)
    expect(await barFrames(ada.page)).toEqual([{ controls: ESSENTIALS.length, wrapped: 0 }, { controls: ALL_CONTROLS.length, wrapped: 0 }])
    await stopBarFrames(ada.page)
  })

  it('320 px: the More menu lies inside the screen, and raising a hand and reacting work from it', async () => {
    await ada.page.setViewportSize({ width: 320, height: 640 })
    const more = ada.page.getByTestId('more-button')
    await more.click()
    await ada.page.getByTestId('call-menu').waitFor({ timeout: 5_000 }).catch(explain)
    const menu = await box(ada.page, '[data-testid="call-menu"]')
    expect(inside(menu, { width: 320, height: 640 }), JSON.stringify(menu)).toBe(true)
    for (const item of await boxes(ada.page, '[data-testid="call-menu"] [role^="menuitem"]')) expect(inside(item, { width: 320, height: 640 })).toBe(true)
    await ada.page.screenshot({ path: artifactPath('controls-320-menu.png') })
    await ada.page.getByTestId('menu-hand').click()
    await ada.page.locator('[data-testid="tile"][data-local="true"] [data-testid="tile-hand"]').waitFor({ timeout: 10_000 }).catch(explain)
    expect(await ada.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('more-button')
    // The bar no longer shows the raised hand: More does (a dot, and its name).
    await ada.page.getByTestId('more-mark').waitFor({ timeout: 5_000 })
    expect(await more.getAttribute('aria-label')).toBe('More options: your hand is raised')
    await more.click()
    expect(await ada.page.getByTestId('menu-hand').getAttribute('aria-checked')).toBe('true')
    await ada.page.getByTestId('menu-react-🎉').click()
    await expect.poll(() => ada.page.locator('[data-testid="tile"][data-local="true"] [data-testid="tile-reaction"]').textContent(), { timeout: 10_000 }).toBe('🎉')
    // The keyboard too: ↓ from the first item reaches the hand, Enter lowers it.
    await more.press('Enter')
    await expect.poll(() => ada.page.evaluate(() => document.activeElement?.getAttribute('data-testid')), { timeout: 5_000 }).toBe('menu-screen-share')
    for (let step = 0; step < 3; step++) await ada.page.keyboard.press('ArrowDown')
    await ada.page.keyboard.press('Enter')
    await expect.poll(() => ada.page.getByTestId('tile-hand').count(), { timeout: 10_000 }).toBe(0)
    expect(await ada.page.getByTestId('more-mark').count()).toBe(0)
  })

  it('844×390 (a phone held wide): the More menu fits the short screen and scrolls to its last item', async () => {
    const viewport = { width: 844, height: 390 }
    await ada.page.setViewportSize(viewport)
    await expect.poll(() => ada.page.getByTestId('toggle-hand').count(), { timeout: 5_000 }).toBe(0)
    await ada.page.getByTestId('more-button').click()
    await ada.page.getByTestId('call-menu').waitFor({ timeout: 5_000 }).catch(explain)
    expect(inside(await box(ada.page, '[data-testid="call-menu"]'), viewport)).toBe(true)
    await ada.page.keyboard.press('ArrowUp') // from the first item round to the last, Others' video: Audio only
    await expect.poll(() => ada.page.evaluate(() => document.activeElement?.getAttribute('data-testid')), { timeout: 5_000 }).toBe('menu-incoming-off')
    expect(inside(await box(ada.page, '[data-testid="menu-incoming-off"]'), viewport)).toBe(true)
    await ada.page.screenshot({ path: artifactPath('controls-844x390-menu.png') })
    await ada.page.keyboard.press('Escape')
    await expect.poll(() => ada.page.getByTestId('call-menu').count(), { timeout: 5_000 }).toBe(0)
  })

  it('a guest (no End room) has the full row where it fits: narrower than a host\'s, measured', async () => {
    const grace = call.page('Grace')
    const invite = (await ada.page.getByTestId('invite-link-text').textContent())?.trim() ?? ''
    await grace.page.goto(invite)
    await grace.page.getByTestId('display-name').fill('Grace')
    await grace.page.getByTestId('join-button').click()
    await pollUntil(async () => (await appStatus(grace.page)) === 'connected', { timeoutMs: 20_000, description: 'Grace connected' }).catch(explain)
    const guestControls = ALL_CONTROLS.filter((id) => id !== 'end-room-button')
    await grace.page.setViewportSize({ width: 1280, height: 800 })
    await expect.poll(() => barIds(grace.page), { timeout: 5_000 }).toEqual(guestControls)
    const guestNeed = await fullRowNeed(grace.page)
    console.log(`layout: a guest who can share needs ${guestNeed.toFixed(1)} px for the full row (a host ${hostNeed.toFixed(1)})`)
    expect(guestNeed).toBeLessThan(hostNeed - 50)
    expect(guestNeed, 'a width where a fixed 1024 px query gave the short bar').toBeLessThan(1023)
    for (const [width, controls] of [[Math.ceil(guestNeed), guestControls], [Math.ceil(guestNeed) - 2, ESSENTIALS]] as const) {
      const viewport = { width, height: 768 }
      await grace.page.setViewportSize(viewport)
      await expect.poll(() => barIds(grace.page), { timeout: 5_000 }).toEqual(controls)
      expect(await wrappedLabels(grace.page), `${width} px`).toEqual([])
      expect(await grace.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width)
      const boxesNow = await boxes(grace.page, '[data-testid="control-bar"] button.control')
      for (const control of boxesNow) expect(inside(control, viewport), JSON.stringify({ control, viewport })).toBe(true)
      await grace.page.screenshot({ path: artifactPath(`controls-guest-${width}.png`) })
    }
  })

  it('320 px: Leave is on screen and ends the call', async () => {
    await ada.page.setViewportSize({ width: 320, height: 640 })
    await ada.page.evaluate(() => window.scrollTo(0, 0))
    expect(inside(await box(ada.page, '[data-testid="leave-button"]'), { width: 320, height: 640 })).toBe(true)
    expect(await ada.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320)
    await ada.page.getByTestId('leave-button').click()
    await ada.page.getByTestId('ended').waitFor({ timeout: 10_000 }).catch(explain)
  })

  it('the page logged no console error or uncaught error', () => {
    const grace = call.page('Grace')
    expect([...ada.errors, ...grace.errors], describeParticipants([ada, grace])).toEqual([])
  })
})
