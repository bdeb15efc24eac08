// The host locks the room (Parley's host controls), in real Chromium on the built app against the real
// hub: Bo's join asks to be let in while Ada has it locked; Ada declines, Bo asks again, Ada admits him, and
// both see each other; Bo reloads and is back in the locked room without asking (the room pass kept with
// the call). Two pages of one browser; both with the fake camera, since a participant who publishes nothing
// is not shown to the others. Then Ada makes Bo a host too, and he unlocks the room. Loopback-only namespace.
import { pollUntil } from '@parley/testkit'
import { describe, expect, it } from 'vitest'
import { appStatus, artifactPath, callHeaderAtPhoneWidth, oneRemoteDecoding, openRoom, useAppCall } from './web-app'

describe('room lock (two Chromium pages, built app, real hub)', () => {
  const call = useAppCall(['Ada', 'Bo'])
  const { explain } = call

  it('a newcomer asks to be let in: declined, asks again, admitted; a reload of the call gets back in without asking; made a host, he unlocks', async () => {
    const ada = call.page('Ada')
    const bo = call.page('Bo')
    const invite = await openRoom(ada, call.hub.url, 'Locked check', explain)
    await ada.page.getByTestId('toggle-participants').click()
    const lock = ada.page.getByTestId('participants-lock')
    expect(await lock.textContent()).toContain('Lock room')
    await lock.click()
    await ada.page.getByTestId('room-locked-mark').waitFor({ timeout: 10_000 }).catch(explain)
    await expect.poll(() => lock.textContent(), { timeout: 10_000 }).toContain('Unlock room')
    await ada.page.getByTestId('participants-panel').screenshot({ path: artifactPath('room-locked-panel.png') })
    // On a phone's width the header stays whole: the mark takes the line under it, nothing scrolls sideways.
    const header = await callHeaderAtPhoneWidth(ada.page, 'room-locked-mark', 'room-locked-320.png')
    expect(header, JSON.stringify(header)).toMatchObject({ overflow: 0, page: 0 })
    expect(header.markRight).toBeLessThanOrEqual(320)

    await bo.page.goto(invite)
    await bo.page.getByTestId('display-name').fill('Bo')
    await bo.page.getByTestId('join-button').click()
    // Refused at register, Bo asks to be let in: his banner says so, Ada's call names him.
    const knocking = bo.page.getByTestId('knocking-text')
    await knocking.waitFor({ timeout: 20_000 }).catch(explain)
    expect(await knocking.textContent()).toContain('This room is locked. Asking to join…')
    const notice = ada.page.getByTestId('lobby-notice-text')
    // The People panel is open at Ada's: its waiting list answers (the call's notice hides behind it).
    await ada.page.getByTestId('waiting-row').waitFor({ timeout: 20_000 }).catch(explain)
    expect(await ada.page.getByTestId('waiting-name').textContent()).toBe('Bo')
    await ada.page.getByTestId('participants-panel').screenshot({ path: artifactPath('lobby-waiting-panel.png') })
    await bo.page.screenshot({ path: artifactPath('lobby-knocking.png') })
    await ada.page.getByTestId('participants-close').click()
    await notice.waitFor({ timeout: 10_000 }).catch(explain)
    expect(await notice.textContent()).toBe('Bo wants to join.')
    await ada.page.screenshot({ path: artifactPath('lobby-notice.png') })
    await ada.page.getByTestId('lobby-notice-deny').click()
    const title = bo.page.getByTestId('ended-title')
    await title.waitFor({ timeout: 20_000 }).catch(explain)
    expect(await title.textContent()).toBe('You were not let in')
    const askAgain = bo.page.getByTestId('retry-button')
    expect(await askAgain.textContent()).toContain('Ask again')
    await bo.page.screenshot({ path: artifactPath('lobby-declined.png') })
    await expect.poll(() => notice.count(), { timeout: 10_000 }).toBe(0)

    await askAgain.click()
    await notice.waitFor({ timeout: 20_000 }).catch(explain)
    await ada.page.getByTestId('lobby-notice-admit').click()
    await pollUntil(async () => ((await appStatus(bo.page)) === 'connected' ? true : undefined), { timeoutMs: 20_000, description: 'Bo connected' }).catch(explain)
    await oneRemoteDecoding(bo, 'Ada', explain)
    const boBefore = await oneRemoteDecoding(ada, 'Bo', explain)

    // A reload of the call: Bo is back in by himself with the pass kept beside the call, never asking.
    await bo.page.reload()
    await pollUntil(async () => ((await appStatus(bo.page)) === 'connected' ? true : undefined), { timeoutMs: 30_000, description: 'Bo back after his reload' }).catch(explain)
    expect(await notice.count()).toBe(0)
    const boAfter = await oneRemoteDecoding(ada, 'Bo', explain)
    expect(boAfter).not.toBe(boBefore)
    await oneRemoteDecoding(bo, 'Ada', explain)
    expect(await ada.page.getByTestId('room-locked-mark').count()).toBe(1)

    // Ada makes Bo a host too: his page claims the key with its pass, and he unlocks the room.
    await ada.page.getByTestId('toggle-participants').click()
    await ada.page.getByTestId('participant-make-host').click()
    await bo.page.getByTestId('toggle-participants').click()
    const boLock = bo.page.getByTestId('participants-lock')
    await boLock.waitFor({ timeout: 20_000 }).catch(explain)
    await expect.poll(() => ada.page.locator(`[data-participant="${boAfter}"] [data-testid="participant-host"]`).count(), { timeout: 10_000 }).toBe(1)
    await bo.page.getByTestId('participants-panel').screenshot({ path: artifactPath('co-host-panel.png') })
    await boLock.click()
    await expect.poll(() => ada.page.getByTestId('room-locked-mark').count(), { timeout: 10_000 }).toBe(0)
  })
})
