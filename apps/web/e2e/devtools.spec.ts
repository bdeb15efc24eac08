// The State panel's devtools in real Chromium (built app on the real hub): during a two-person call
// the panel draws the statecharts with their active states lit, the lit states move when the other
// person joins and leaves, "Download trace" saves the call's trace, and that file replays in Node as
// the same path. Screenshots (diagrams, time slider) land in test-artifacts/web.
import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { pollUntil } from '@parley/testkit'
import { parseTrace, replayTrace } from '@parley/core/trace'
import { appStatus, artifactPath, toggleStatePanel, useAppCall, type AppParticipant } from './web-app'

/** Every distinct set of lit states a diagram showed, in order (recorded in the page as it changes). */
async function watchDiagram(page: Page, machine: string): Promise<void> {
  await page.evaluate((id) => {
    const seen: string[] = []
    ;(window as unknown as Record<string, string[]>)[`lit:${id}`] = seen
    const read = () => {
      const figure = document.querySelector(`[data-testid="diagram-${id}"]`)
      const lit = [...(figure?.querySelectorAll('[data-active="true"]') ?? [])].map((g) => g.getAttribute('data-state')).join(' ')
      if (lit && seen.at(-1) !== lit) seen.push(lit)
    }
    new MutationObserver(read).observe(document.body, { subtree: true, attributes: true, childList: true })
    read()
  }, machine)
}

const litSeen = (page: Page, machine: string) => page.evaluate((id) => (window as unknown as Record<string, string[]>)[`lit:${id}`] ?? [], machine)

describe('State panel devtools (built app on the real hub, two Chromium participants)', () => {
  const call = useAppCall(['Ada', 'Grace'])
  const explain = call.explain
  let ada: AppParticipant
  let grace: AppParticipant
  beforeAll(() => {
    ada = call.page('Ada')
    grace = call.page('Grace')
  })

  it('draws the live statecharts, lights the active states and moves them when the other person joins and leaves', async () => {
    const { page } = ada
    await page.setViewportSize({ width: 1400, height: 900 })
    await page.goto(`${call.hub.url}/`)
    await page.getByTestId('display-name').fill('Ada')
    await page.getByTestId('join-button').click()
    await pollUntil(async () => (await appStatus(page)) === 'connected', { timeoutMs: 20_000, description: 'Ada connected' }).catch(explain)
    const invite = (await page.getByTestId('invite-link-text').textContent({ timeout: 20_000 }))?.trim() ?? ''

    await toggleStatePanel(page)
    await page.getByTestId('state-panel').waitFor({ timeout: 10_000 })
    for (const machine of ['conference', 'negotiation', 'events', 'resolutionHold']) {
      await page.locator(`[data-testid="diagram-${machine}"] svg`).waitFor({ timeout: 20_000 }).catch(explain)
    }
    // The camera's resolution hold (Chromium's sender has parameters) is a statechart too: released 1 s after ICE connected.
    await page.locator('[data-testid="diagram-resolutionHold"] [data-state="released"][data-active="true"]').waitFor({ timeout: 10_000 }).catch(explain)
    const lit = page.locator('[data-testid="diagram-conference"] [data-state="inRoom.connection.connected"][data-active="true"]')
    await lit.waitFor({ timeout: 10_000 }).catch(explain)
    expect(await page.locator('[data-testid="diagram-conference"] [data-state="idle"][data-active="true"]').count()).toBe(0)
    await watchDiagram(page, 'negotiation')
    const stable = 'signaling signaling.free signaling.free.stable'

    await grace.page.goto(invite)
    await grace.page.getByTestId('display-name').fill('Grace')
    await grace.page.getByTestId('join-button').click()
    await pollUntil(async () => (await appStatus(grace.page)) === 'connected', { timeoutMs: 20_000, description: 'Grace connected' }).catch(explain)
    // Grace's arrival makes the hub offer Ada her tracks: Ada's negotiation answers, then rests again.
    await pollUntil(async () => {
      const seen = await litSeen(page, 'negotiation')
      return seen.some((s) => s.includes('signaling.exchanging.exchange.answering')) && seen.at(-1)?.startsWith(stable)
    }, { timeoutMs: 20_000, description: "Ada's negotiation diagram answering Grace's arrival, then stable" }).catch(explain)
    await page.locator('[data-testid="diagram-negotiation"] [data-taken="true"]').waitFor({ timeout: 5_000 }).catch(explain)
    await page.getByTestId('state-panel').screenshot({ path: artifactPath('devtools-diagrams.png') })
    // At natural size a chart is readable (and scrolls): the conference's, around its lit states.
    await page.getByTestId('diagram-zoom-conference').click()
    await page.locator('[data-testid="diagram-conference"] [data-state="inRoom"]').scrollIntoViewIfNeeded()
    await page.getByTestId('diagram-conference').screenshot({ path: artifactPath('devtools-conference-zoomed.png') })
    await page.getByTestId('diagram-zoom-conference').click()
    const afterJoin = (await litSeen(page, 'negotiation')).length

    await grace.page.getByTestId('leave-button').click()
    await pollUntil(async () => {
      const seen = (await litSeen(page, 'negotiation')).slice(afterJoin)
      return seen.some((s) => s.includes('signaling.exchanging')) && seen.at(-1)?.startsWith(stable)
    }, { timeoutMs: 20_000, description: "Ada's negotiation diagram moving when Grace leaves" }).catch(explain)
  })

  it('steps through the call with the time slider', async () => {
    const { page } = ada
    await page.getByTestId('trace-current').click()
    const slider = page.getByTestId('trace-slider')
    await slider.waitFor({ timeout: 5_000 })
    const max = Number(await slider.getAttribute('max'))
    // Early in the trace Ada is still on her way in; at its end she is in the room after Grace left. (A third of
    // the way in she may be in the room already: the entries after her join outnumber the ones before.) The
    // conference's diagram appears at its first recorded state: step from the start until it is drawn.
    const conferenceDiagram = page.locator('[data-testid="diagram-conference"]')
    let early: string | null = null
    for (let index = 0; index <= max && early === null; index++) {
      await slider.fill(String(index))
      if ((await conferenceDiagram.count()) > 0) early = await conferenceDiagram.getAttribute('data-active')
    }
    expect(early, 'the conference diagram drawn at some moment of the trace').not.toBeNull()
    expect(early, "the conference diagram's active states at its first moment in the trace").not.toContain('inRoom.connection.connected')
    await slider.fill(String(max))
    // The diagram follows the slider on the page's next render, not when fill() returns: poll it.
    await expect
      .poll(() => page.locator('[data-testid="diagram-conference"]').getAttribute('data-active'), {
        message: `the conference diagram's active states at the slider's end, against ${early} at its start`,
        timeout: 5_000,
      })
      .not.toBe(early)
    await slider.fill(String(Math.floor(max / 3)))
    await page.getByTestId('state-panel').screenshot({ path: artifactPath('devtools-time-slider.png') })
    await page.getByTestId('trace-live').click()
  })

  it('downloads the trace, and the downloaded file replays in Node as the same path', async () => {
    const { page } = ada
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('trace-download').click()])
    const file = artifactPath('devtools-trace.json')
    await download.saveAs(file)
    const parsed = parseTrace(readFileSync(file, 'utf8'))
    if (!parsed.ok) throw new Error(parsed.error)
    expect(parsed.trace.actors.map((a) => a.path)).toEqual(expect.arrayContaining(['conference', 'conference/negotiation', 'conference/events']))
    const started = performance.now()
    const result = await replayTrace(parsed.trace)
    console.log(`[devtools e2e] downloaded trace: ${parsed.trace.entries.length} entries, ${readFileSync(file).length} bytes; ${result.message} in ${(performance.now() - started).toFixed(0)} ms`)
    expect(result.message).toMatch(/^Same path/)
  })
})
