// The host locks the room (Parley's host controls), in real Chromium on the built app against the real
// hub: Bo's join is refused with the locked copy while Ada has it locked; Ada unlocks; Bo's Try again joins
// and both see each other. Two pages of one browser; both with the fake camera, since a participant
// who publishes nothing is not shown to the others. Loopback-only namespace.
import { pollUntil } from '@parley/testkit'
import { describe, expect, it } from 'vitest'
import { appStatus, artifactPath, callHeaderAtPhoneWidth, oneRemoteDecoding, openRoom, useAppCall } from './web-app'

describe('room lock (two Chromium pages, built app, real hub)', () => {
  const call = useAppCall(['Ada', 'Bo'])
  const { explain } = call

  it('refuses a newcomer while the host has the room locked; after the unlock, Retry joins', async () => {
    const ada = call.page('Ada')
    const bo = call.page('Bo')
    const invite = await openRoom(ada, call.hub.url, 'Locked check', explain)
    await ada.page.getByTestId('toggle-participants').click()
    const lock = ada.page.getByTestId('participants-lock')
    expect(await lock.textContent()).toContain('Lock room')
    await lock.click()
    await expect.poll(() => lock.getAttribute('aria-pressed'), { timeout: 10_000 }).toBe('true')
    await ada.page.getByTestId('room-locked-mark').waitFor({ timeout: 10_000 }).catch(explain)
    expect(await lock.textContent()).toContain('Unlock room')
    await ada.page.getByTestId('participants-panel').screenshot({ path: artifactPath('room-locked-panel.png') })
    // On a phone's width the header stays whole: the mark takes the line under it, nothing scrolls sideways.
    const header = await callHeaderAtPhoneWidth(ada.page, 'room-locked-mark', 'room-locked-320.png')
    expect(header, JSON.stringify(header)).toMatchObject({ overflow: 0, page: 0 })
    expect(header.markRight).toBeLessThanOrEqual(320)

    await bo.page.goto(invite)
    await bo.page.getByTestId('display-name').fill('Bo')
    await bo.page.getByTestId('join-button').click()
    // Refused at register, Bo is in no room: the ended screen words the error, with Try again.
    const title = bo.page.getByTestId('ended-title')
    await title.waitFor({ timeout: 20_000 }).catch(explain)
    expect(await title.textContent()).toBe('This room is locked')
    expect(await bo.page.getByTestId('ended-detail').textContent()).toBe('Ask the host to unlock it, then try again.')
    await bo.page.screenshot({ path: artifactPath('room-locked-join.png') })

    await lock.click()
    await expect.poll(() => lock.getAttribute('aria-pressed'), { timeout: 10_000 }).toBe('false')
    expect(await ada.page.getByTestId('room-locked-mark').count()).toBe(0)
    await bo.page.getByTestId('retry-button').click()
    await pollUntil(async () => ((await appStatus(bo.page)) === 'connected' ? true : undefined), { timeoutMs: 20_000, description: 'Bo connected' }).catch(explain)
    await oneRemoteDecoding(bo, 'Ada', explain)
    await oneRemoteDecoding(ada, 'Bo', explain)
  })
})
