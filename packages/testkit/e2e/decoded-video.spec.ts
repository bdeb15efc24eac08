// The testkit's Chromium launcher and decoded-video wait against real Chromium decoding: an in-page
// call between two RTCPeerConnections over 127.0.0.1 (no hub). Also checks the wait fails, with the
// last sample in the message, when frames stop. Runs only in a loopback-only namespace.
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertLoopbackOnly } from '../src/loopback.js'
import { launchChromium, newParticipantPage, type ParticipantPage } from '../src/chromium.js'
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
})
