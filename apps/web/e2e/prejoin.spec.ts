// The pre-join device problem path in real Chromium, on the built app served by the real hub: the
// camera is blocked for the site (the microphone is allowed), so the app must say so, offer to join
// without the camera, and then join with the microphone only. Runs in a loopback-only namespace.
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertLoopbackOnly, chromiumArgs } from '@parley/testkit'
import type { TestHub } from '@parley/hub/testing'
import { appStatus, artifactPath, describeParticipants, newAppParticipant, setSitePermission, startAppHub, type AppParticipant } from './web-app'

/**
 * Chromium as the kit launches it, minus `--use-fake-ui-for-media-stream`: with that flag getUserMedia
 * succeeds even for a permission set to denied (measured), so the refusal must come from the real
 * permission check. Fake devices stay; the permissions are set explicitly, so no prompt is ever shown.
 */
async function launchChromiumWithRealPermissions(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs().filter((flag) => flag !== '--use-fake-ui-for-media-stream'),
  })
}

/** Blocks the camera for `origin` in the page's browser context and allows only the microphone. */
async function denyCamera(browser: Browser, page: Page, origin: string): Promise<void> {
  // The participant context comes with camera and microphone granted for every origin: start over.
  await page.context().clearPermissions()
  await page.context().grantPermissions(['microphone'], { origin })
  await setSitePermission(browser, page, origin, 'camera', 'denied')
}

describe('web app pre-join with the camera blocked (Chromium, built app on the real hub)', () => {
  let hub: TestHub | undefined
  let browser: Browser | undefined
  let participant: AppParticipant | undefined

  const explain = (error: unknown): never => {
    const message = error instanceof Error ? error.message : String(error)
    throw new Error(`${message}\n--- page ---\n${participant ? describeParticipants([participant]) : ''}\n--- hub log ---\n${hub?.describeLogs() ?? ''}`)
  }

  beforeAll(async () => {
    assertLoopbackOnly()
    hub = await startAppHub()
    browser = await launchChromiumWithRealPermissions()
    participant = await newAppParticipant(browser, 'Ada')
  })

  afterAll(async () => {
    await participant?.close().catch(() => undefined)
    await browser?.close()
    await hub?.close()
  })

  it('explains that the camera is blocked, offers to join without it, and joins with the microphone only', async () => {
    const { page } = participant!
    await denyCamera(browser!, page, hub!.url)
    // The check itself: the browser really refuses the camera and still gives the microphone.
    await page.goto(`${hub!.url}/`)
    const permissions = await page.evaluate(async () => ({
      camera: (await navigator.permissions.query({ name: 'camera' as PermissionName })).state,
      microphone: (await navigator.permissions.query({ name: 'microphone' as PermissionName })).state,
    }))
    expect(permissions).toEqual({ camera: 'denied', microphone: 'granted' })

    const problem = page.getByTestId('device-problem')
    await problem.waitFor({ timeout: 20_000 }).catch(explain)
    expect(await problem.getAttribute('data-kind')).toBe('media-denied')
    const text = await problem.innerText()
    expect(text).toContain('Camera is blocked')
    expect(text).not.toMatch(/microphone (is|are) blocked/i)
    // Only the camera is named, and before any click the page already says what joining will send.
    expect(text).not.toMatch(/microphone/i)
    expect(await page.getByTestId('join-media-summary').textContent()).toContain('You will join with your microphone; camera off.')
    expect(await page.getByTestId('prejoin-toggle-camera').getAttribute('aria-pressed')).toBe('false')
    expect(await page.getByTestId('prejoin-toggle-mic').getAttribute('aria-pressed')).toBe('true')
    // The microphone still works, so only the camera is offered to be left out.
    expect(await page.getByTestId('join-without-mic').count()).toBe(0)
    await expect.poll(() => page.getByTestId('join-without-camera').isVisible(), { timeout: 5_000 }).toBe(true)
    await page.getByTestId('display-name').fill('Ada')
    await page.screenshot({ path: artifactPath('prejoin-camera-blocked.png') })

    await page.getByTestId('join-without-camera').click()
    await expect.poll(() => page.getByTestId('join-media-summary').textContent(), { timeout: 5_000 }).toContain(
      'You will join with your microphone; camera off.',
    )
    expect(await page.getByTestId('prejoin-toggle-camera').getAttribute('aria-pressed')).toBe('false')
    // Nothing is wrong any more with what the person chose.
    await expect.poll(() => page.getByTestId('device-problem').count(), { timeout: 5_000 }).toBe(0)

    await page.getByTestId('join-button').click()
    await page.getByTestId('call').waitFor({ timeout: 20_000 }).catch(explain)
    await expect.poll(() => appStatus(page), { timeout: 20_000 }).toBe('connected')
    const localTile = page.locator('[data-testid="tile"][data-local="true"]')
    expect(await localTile.getByTestId('badge-camera-off').count()).toBe(1)
    expect(await localTile.getByTestId('badge-mic-off').count()).toBe(0)
    expect(await page.getByTestId('toggle-camera').getAttribute('aria-pressed')).toBe('false')
    expect(await page.getByTestId('toggle-mic').getAttribute('aria-pressed')).toBe('true')

    await page.getByTestId('leave-button').click()
    await page.getByTestId('ended').waitFor({ timeout: 15_000 }).catch(explain)
    expect(await page.getByTestId('ended').getAttribute('data-reason')).toBe('you-left')

    expect(participant!.errors, describeParticipants([participant!])).toEqual([])
  })
})
