// The testkit's Chromium launcher and decoded-video wait against real Chromium decoding: an in-page
// call between two RTCPeerConnections over 127.0.0.1 (no hub). Also checks the wait fails, with the
// last sample in the message, when frames stop; and that the launcher's --disable-features takes (no
// omnibox popup WebUI per window, Playwright's own features still off). Runs only in a loopback-only namespace.
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertLoopbackOnly } from '../src/loopback.js'
import { launchChromium, newParticipantPage, OMNIBOX_POPUP_FEATURES, PLAYWRIGHT_DISABLED_FEATURES, type ParticipantPage } from '../src/chromium.js'
import { commandLineOf, descendantsOf } from '../src/processes.js'
import { startStaticServer, type RunningServer } from '../src/static-server.js'
import { waitForDecodedVideo } from '../src/video.js'

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))

describe('waitForDecodedVideo on real Chromium', () => {
  let pages: RunningServer | undefined
  let browser: Browser | undefined
  let participant: ParticipantPage | undefined

  beforeAll(async () => {
    assertLoopbackOnly()
    pages = await startStaticServer(FIXTURES)
    browser = await launchChromium()
    participant = await newParticipantPage(browser)
  })

  afterAll(async () => {
    await participant?.close()
    await browser?.close()
    await pages?.close()
  })

  it('measures videoWidth and growing framesDecoded, then times out once frames stop', async () => {
    const { page, errors } = participant!
    await page.goto(`${pages!.url}/loopback-call.html`)

    const figures = await waitForDecodedVideo(page, '#remote', { minFramesGrowth: 15, timeoutMs: 30_000 })
    expect(figures.counter).toBe('inbound-rtp.framesDecoded')
    expect(figures.videoWidth).toBe(640)
    expect(figures.videoHeight).toBe(480)
    expect(figures.framesGrowth).toBeGreaterThanOrEqual(15)
    expect(figures.framesAtEnd).toBeGreaterThan(figures.framesAtStart)

    await page.evaluate(() => (globalThis as unknown as { __call: { stop(): void } }).__call.stop())
    await expect(waitForDecodedVideo(page, '#remote', { minFramesGrowth: 5, timeoutMs: 1_500 })).rejects.toThrow(/No decoded video in #remote within 1500 ms/)
    expect(errors).toEqual([])
  })

  it('refuses a selector that matches nothing, naming it', async () => {
    await expect(waitForDecodedVideo(participant!.page, 'video.absent', { timeoutMs: 500 })).rejects.toThrow(/video\.absent/)
  })

  it("opens its windows without the omnibox popup's WebUI, and keeps Playwright's disabled features", async () => {
    const session = await browser!.newBrowserCDPSession()
    const { targetInfos } = (await session.send('Target.getTargets')) as { targetInfos: { type: string; url: string }[] }
    await session.detach()
    expect(targetInfos.some((target) => target.type === 'page')).toBe(true)
    expect(targetInfos.filter((target) => target.url.startsWith('chrome://omnibox-popup')).map((target) => target.url)).toEqual([])
    // Child processes carry the features in effect (merged and sorted): both lists, as one.
    const children = descendantsOf(process.pid).map(commandLineOf).filter((line) => line.includes('--type=renderer'))
    expect(children.filter((line) => line.includes('--top-chrome-webui'))).toEqual([])
    const disabled = children.map((line) => new Set(/--disable-features=(\S+)/.exec(line)?.[1]?.split(',') ?? []))
    expect(disabled.length).toBeGreaterThan(0)
    for (const features of disabled) expect([...PLAYWRIGHT_DISABLED_FEATURES, ...OMNIBOX_POPUP_FEATURES].filter((feature) => !features.has(feature))).toEqual([])
  })
})
