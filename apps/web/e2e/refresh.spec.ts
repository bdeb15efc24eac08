// A refresh during a call, in real Chromium on the built app served by the real hub: Grace reloads
// her tab mid-call and is back in the same room under the same name, decoding Ada's video, without a
// click and without the pre-join ever showing; Ada sees Grace's old client go (the beacon leave on
// page unload) and exactly one Grace, decoding, so no ghost tile. Grace's muted microphone stays
// muted. After leaving, a refresh shows the pre-join; after the room ended, a refresh starts over.
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { pollUntil } from '@parley/testkit'
import { appStatus, artifactPath, describeParticipants, oneRemoteDecoding, remoteTiles, useAppCall, type AppParticipant } from './web-app'

const ROOM_NAME = 'Refresh check'

/** Before any app script on every load of the page: note each screen the app shows, in order. */
async function recordScreens(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = []
    ;(globalThis as { __screens?: string[] }).__screens = seen
    const note = () => {
      const screen = document.querySelector('[data-testid="app"]')?.getAttribute('data-screen')
      if (screen && seen[seen.length - 1] !== screen) seen.push(screen)
    }
    new MutationObserver(note).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-screen'] })
  })
}

const screensSeen = (page: Page) => page.evaluate(() => [...((globalThis as { __screens?: string[] }).__screens ?? [])])

describe('web app refresh during a call (built app on the real hub, two Chromium participants)', () => {
  const call = useAppCall(['Ada', 'Grace'])
  const { participants, explain } = call
  let ada: AppParticipant
  let grace: AppParticipant

  const theOneRemoteDecoding = (observer: AppParticipant, name: string) => oneRemoteDecoding(observer, name, explain)

  beforeAll(async () => {
    ;[ada, grace] = participants as [AppParticipant, AppParticipant]
    await recordScreens(grace.page)
  })

  it('Grace reloads mid-call: she is back in the room without a click, and Ada sees one Grace, not a ghost', async () => {
    await ada.page.goto(`${call.hub.url}/`)
    await ada.page.getByTestId('display-name').fill('Ada')
    await ada.page.getByTestId('room-name').fill(ROOM_NAME)
    await ada.page.getByTestId('join-button').click()
    const inviteUrl = ((await ada.page.getByTestId('invite-link-text').textContent({ timeout: 20_000 }).catch(explain)) ?? '').trim()
    expect(inviteUrl).toContain('?roomId=')

    await grace.page.goto(inviteUrl)
    await grace.page.getByTestId('display-name').fill('Grace')
    await grace.page.getByTestId('join-button').click()
    const graceBefore = await theOneRemoteDecoding(ada, 'Grace')
    await theOneRemoteDecoding(grace, 'Ada')
    // Grace mutes her microphone: a refresh must not open it again.
    await grace.page.getByTestId('toggle-mic').click()
    await expect.poll(() => grace.page.getByTestId('toggle-mic').getAttribute('aria-pressed'), { timeout: 10_000 }).toBe('false')
    const addressBefore = grace.page.url()
    // At Ada's, from now on: when Grace's old tile went, and the most Grace tiles shown at once.
    await ada.page.evaluate((oldId) => {
      const probe = { oldGoneAt: 0, mostGraces: 1 }
      ;(globalThis as { __ghostProbe?: typeof probe }).__ghostProbe = probe
      const check = () => {
        const tiles = [...document.querySelectorAll('[data-testid="tile"][data-local="false"]')]
        const graces = tiles.filter((tile) => tile.querySelector('[data-testid="tile-name"]')?.textContent?.trim() === 'Grace')
        probe.mostGraces = Math.max(probe.mostGraces, graces.length)
        if (!probe.oldGoneAt && !tiles.some((tile) => tile.getAttribute('data-participant') === oldId)) probe.oldGoneAt = Date.now()
      }
      new MutationObserver(check).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-participant'] })
    }, graceBefore)

    const reloadedAt = Date.now()
    await grace.page.reload()
    // Back in the call by itself: connected, same room and name, decoding Ada.
    await expect.poll(() => appStatus(grace.page), { timeout: 30_000 }).toBe('connected').catch(explain)
    expect(await screensSeen(grace.page), 'the screens Grace saw after the reload').toEqual(['call'])
    expect(grace.page.url()).toBe(addressBefore)
    expect(await grace.page.getByTestId('room-name-display').textContent()).toBe(ROOM_NAME)
    await theOneRemoteDecoding(grace, 'Ada')
    expect(await grace.page.getByTestId('toggle-mic').getAttribute('aria-pressed')).toBe('false')
    expect(await grace.page.getByTestId('toggle-camera').getAttribute('aria-pressed')).toBe('true')

    // At Ada's: the old client is gone, and the one Grace is a new client, decoding, muted.
    const graceAfter = await theOneRemoteDecoding(ada, 'Grace')
    expect(graceAfter).not.toBe(graceBefore)
    expect(await ada.page.locator(`[data-participant="${graceBefore}"]`).count()).toBe(0)
    expect(await ada.page.getByTestId('video-grid').getAttribute('data-count')).toBe('2')
    await expect
      .poll(() => ada.page.locator(`[data-participant="${graceAfter}"] [data-testid="badge-mic-off"]`).count(), { timeout: 10_000 })
      .toBe(1)
    const ghost = await ada.page.evaluate(() => ({ ...(globalThis as { __ghostProbe?: { oldGoneAt: number; mostGraces: number } }).__ghostProbe! }))
    expect(ghost.mostGraces, 'Grace tiles shown at once at Ada’s during the reload').toBe(1)
    console.log(
      `[parley e2e] Grace's reload: her old tile left Ada's grid ${ghost.oldGoneAt - reloadedAt} ms after page.reload(); ` +
        `back in the call with Ada decoding the new Grace ${Date.now() - reloadedAt} ms after it`,
    )
    await ada.page.screenshot({ path: artifactPath('refresh-ada.png') })
    await grace.page.screenshot({ path: artifactPath('refresh-grace.png') })
  })

  it('after Grace leaves, a refresh shows her the pre-join (no rejoin), with the room and her name filled in', async () => {
    await grace.page.getByTestId('leave-button').click()
    await grace.page.getByTestId('ended').waitFor({ timeout: 15_000 }).catch(explain)
    await pollUntil(async () => (await remoteTiles(ada.page)).length === 0, { timeoutMs: 10_000, description: "Grace's tile gone at Ada's" }).catch(explain)
    await grace.page.reload()
    await grace.page.getByTestId('prejoin').waitFor({ timeout: 15_000 }).catch(explain)
    expect(await grace.page.getByTestId('joining-room').textContent()).toContain(ROOM_NAME)
    expect(await grace.page.getByTestId('display-name').inputValue()).toBe('Grace')
    expect(await remoteTiles(ada.page)).toEqual([])
  })

  it('after the host ends the room, a refresh starts over instead of trying the room again', async () => {
    await ada.page.getByTestId('end-room-button').click()
    await ada.page.getByTestId('end-room-confirm').click()
    await ada.page.getByTestId('ended').waitFor({ timeout: 15_000 }).catch(explain)
    expect(new URL(ada.page.url()).searchParams.has('roomId')).toBe(false)
    await ada.page.reload()
    await ada.page.getByTestId('prejoin').waitFor({ timeout: 15_000 }).catch(explain)
    expect(await ada.page.getByTestId('prejoin-heading').textContent()).toBe('Start a new room')
    // The pre-join is drawn before the core's chunk has arrived (apps/web README, "Bundle"): `idle` until
    // it starts the preview, then `previewing` (and never a join).
    await pollUntil(async () => (await appStatus(ada.page)) === 'previewing', { timeoutMs: 10_000, description: "Ada's fresh pre-join previewing" }).catch(explain)
  })

  it('no page logged a console error or an uncaught error', () => {
    expect(
      participants.map((participant) => ({ name: participant.name, errors: participant.errors })),
      describeParticipants(participants),
    ).toEqual(participants.map((participant) => ({ name: participant.name, errors: [] })))
  })
})
