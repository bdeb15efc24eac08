// The hub serves the app, so with the hub down a fresh tab would get the browser's own error page.
// After one visit the app's service worker (public/sw.js) keeps a copy of the shell: here the hub
// stops, a new tab opens an invite link, and Parley itself shows, naming the server it cannot
// reach, on the pre-join and again after a join attempt. Chromium on the built app, loopback only.
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertLoopbackOnly, launchChromium, pollUntil } from '@parley/testkit'
import type { TestHub } from '@parley/hub/testing'
import { artifactPath, describeParticipants, failureExplainer, newAppParticipant, startAppHub, type AppParticipant } from './web-app'

describe('web app with the hub down (service worker copy of the app shell, Chromium)', () => {
  let hub: TestHub | undefined
  let hubRunning = false
  let browser: Browser | undefined
  let ada: AppParticipant

  const participants: AppParticipant[] = []
  const explain = failureExplainer(participants, () => (hubRunning ? hub : undefined))

  beforeAll(async () => {
    assertLoopbackOnly()
    hub = await startAppHub()
    hubRunning = true
    browser = await launchChromium()
    // With the hub down the browser reports each refused request (config.json, the join) as a console
    // error of its own: those are the point of this test, not app errors.
    ada = await newAppParticipant(browser, 'Ada', { ignoreErrors: [/Failed to load resource: net::ERR_CONNECTION_REFUSED/] })
    participants.push(ada)
  })

  afterAll(async () => {
    await ada?.close().catch(() => undefined)
    await browser?.close()
    if (hubRunning) await hub?.close()
  })

  it('after one visit, a new tab opened while the hub is down shows Parley saying which server it cannot reach', async () => {
    const origin = hub!.url
    const host = new URL(origin).host
    await ada.page.goto(`${origin}/`)
    await ada.page.getByTestId('prejoin').waitFor({ timeout: 15_000 }).catch(explain)
    // The worker has kept the page and its assets.
    await pollUntil(
      () =>
        ada.page.evaluate(async () => {
          await navigator.serviceWorker.ready
          const kept = await (await caches.open('parley-shell-v1')).keys()
          return kept.length >= 3 && kept.some((request) => request.url.endsWith('.js'))
        }),
      { timeoutMs: 15_000, description: 'the service worker to keep the app shell' },
    ).catch(explain)

    await hub!.close()
    hubRunning = false
    const tab = await ada.context.newPage()
    await tab.goto(`${origin}/?roomId=abc&roomName=Standup`)
    const notice = tab.getByTestId('hub-offline')
    await notice.waitFor({ timeout: 15_000 }).catch(explain)
    expect(await notice.innerText()).toContain(`Parley can't reach the server at ${host}`)
    expect(await notice.innerText()).not.toMatch(/internet/i)
    expect(await tab.getByTestId('prejoin-heading').textContent()).toBe('Joining room Standup')
    await tab.screenshot({ path: artifactPath('hub-down-prejoin.png') })

    // Joining anyway: the ended screen names the server too, and offers to try again.
    await tab.getByTestId('display-name').fill('Ada')
    await tab.getByTestId('join-button').click()
    await tab.getByTestId('ended').waitFor({ timeout: 15_000 }).catch(explain)
    expect(await tab.getByTestId('ended-title').textContent()).toBe(`Parley can't reach the server at ${host}`)
    expect(await tab.getByTestId('retry-button').count()).toBe(1)
    await tab.screenshot({ path: artifactPath('hub-down-ended.png') })
    expect(ada.errors, describeParticipants([ada])).toEqual([])
  })
})
