// The host's part handed on (Parley's host controls), in real Chromium on the built app against the real hub:
// Ada creates the room (its host), locks it and leaves; after the hub's grace (shortened here: it waits for a host
// reloading the page) the hub makes Bo, the one left, a host: his page claims the key, tells him ("You're the host
// now: Ada left.", said and shown), and he unlocks the room. Without the hand-over nobody could have let anyone into
// the locked room again. Two pages of one browser; loopback-only namespace.
import { pollUntil } from '@parley/testkit'
import { describe, expect, it } from 'vitest'
import { appStatus, artifactPath, joinWithoutMedia, openRoom, useAppCall } from './web-app'

/** The hub's hand-over grace (10 s by default); the hub's unit tests cover a host back within it. */
const HANDOVER_GRACE_MS = 500

describe('host hand-over (two Chromium pages, built app, real hub)', () => {
  const call = useAppCall(['Ada', 'Bo'], { hub: { timings: { hostHandoverGraceMs: HANDOVER_GRACE_MS } } })
  const { explain } = call

  it('the host leaves a locked room: the one left is told he is the host now, and unlocks it', async () => {
    const ada = call.page('Ada')
    const bo = call.page('Bo')
    const invite = await openRoom(ada, call.hub.url, 'Handover check', explain)
    await joinWithoutMedia(bo, invite)
    await pollUntil(async () => ((await appStatus(bo.page)) === 'connected' ? true : undefined), { timeoutMs: 20_000, description: 'Bo connected' }).catch(explain)
    // Every sentence of Bo's live region, kept (another one, "Ada left.", may follow the one we look for).
    await bo.page.evaluate(() => {
      const said: string[] = []
      ;(window as unknown as { said: string[] }).said = said
      const region = document.querySelector('[data-testid="announcer"]')!
      new MutationObserver(() => said.push(region.textContent?.trim() ?? '')).observe(region, { childList: true, characterData: true, subtree: true })
    })

    await ada.page.getByTestId('toggle-participants').click()
    await ada.page.getByTestId('participants-lock').click()
    const boLocked = bo.page.getByTestId('room-locked-mark')
    await boLocked.waitFor({ timeout: 10_000 }).catch(explain)
    await bo.page.getByTestId('toggle-participants').click()
    expect(await bo.page.getByTestId('participants-lock').count()).toBe(0)

    await ada.page.getByTestId('leave-button').click()
    // Shown too, for a few seconds, at the foot of the stage.
    const boNotice = bo.page.getByTestId('made-host-notice-text')
    await boNotice.waitFor({ timeout: 20_000 }).catch(explain)
    expect(await boNotice.textContent()).toBe("You're the host now: Ada left. You can let people in, mute and remove.")
    const boLock = bo.page.getByTestId('participants-lock')
    await boLock.waitFor({ timeout: 20_000 }).catch(explain)
    const said = () => bo.page.evaluate(() => (window as unknown as { said: string[] }).said)
    await expect.poll(said, { timeout: 5_000 }).toContain("You're the host now: Ada left. You can let people in, mute and remove.")
    expect(await boLock.textContent()).toContain('Unlock room')
    await bo.page.getByTestId('participants-panel').screenshot({ path: artifactPath('host-handover-panel.png') })
    await boLock.click()
    await expect.poll(() => boLocked.count(), { timeout: 10_000 }).toBe(0)
  }, 40_000)
})
