// A participant whose whole browser freezes (SIGSTOP of every process of Grace's Chromium: page, media
// and sockets stop at once, like a laptop lid closed; her event stream stays open, as a frozen peer's
// does), in real Chromium on the built app against the real hub with its default timings. Issue 11:
// Ada's tile of Grace is marked "Connection problem" within 2 s; continued, the mark goes by itself
// and Grace's video decodes again; frozen for good, her tile is gone within 10 s.
// Loopback-only namespace.
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { commandLineOf, descendantsOf, launchChromium, pollUntil, processTree, waitForDecodedVideo } from '@parley/testkit'
import { appStatus, newAppParticipant, oneRemoteDecoding, openRoom, remoteVideoSelector, useAppCall, type AppParticipant } from './web-app'

const childrenOfThisProcess = () => new Set(processTree().get(process.pid) ?? [])

const tileSelector = (participantId: string) => `[data-testid="tile"][data-local="false"][data-participant="${participantId}"]`

describe('a participant whose browser freezes (two Chromium browsers, built app, real hub)', () => {
  const call = useAppCall(['Ada'])
  const { explain } = call
  let ada: AppParticipant
  let grace: AppParticipant
  let graceBrowser: Browser | undefined
  /** Grace's Chromium: its main process and every process under it. */
  let graceProcesses: () => number[]
  let graceId: string
  const figures: Record<string, number> = {}

  const freeze = (signal: 'SIGSTOP' | 'SIGCONT') => {
    for (const pid of graceProcesses()) process.kill(pid, signal)
  }
  const marked = async (): Promise<string | null> => ada.page.getAttribute(tileSelector(graceId), 'data-connection-problem', { timeout: 1_000 }).catch(() => null)

  beforeAll(async () => {
    ada = call.page('Ada')
    // Grace in a browser of her own, so that freezing it leaves Ada's untouched.
    const before = childrenOfThisProcess()
    graceBrowser = await launchChromium()
    const [graceMain, ...others] = [...childrenOfThisProcess()].filter((pid) => !before.has(pid) && commandLineOf(pid).includes('chromium'))
    if (graceMain === undefined || others.length > 0) throw new Error(`expected one new Chromium process for Grace, found ${[graceMain, ...others].join(', ')}`)
    graceProcesses = () => [graceMain, ...descendantsOf(graceMain)]
    grace = await newAppParticipant(graceBrowser, 'Grace')

    const invite = await openRoom(ada, call.hub.url, 'Frozen check', explain)
    await grace.page.goto(invite)
    await grace.page.getByTestId('display-name').fill('Grace')
    await grace.page.getByTestId('join-button').click()
    await pollUntil(async () => ((await appStatus(grace.page)) === 'connected' ? true : undefined), { timeoutMs: 20_000, description: 'Grace connected' }).catch(explain)
    graceId = await oneRemoteDecoding(ada, 'Grace', explain)
    expect(await marked()).toBe('false')
  })

  afterAll(async () => {
    if (graceBrowser) freeze('SIGCONT')
    await grace?.close().catch(() => undefined)
    await graceBrowser?.close()
    // Goals (issue 11): marked ≤ 2 s, removed ≤ 10 s. Printed as well as asserted, for the closing note.
    console.info('[connection-problem figures] ms:', JSON.stringify(figures))
  })

  it("marks the frozen participant's tile within 2 s, and clears it when she continues", async () => {
    const frozenAt = Date.now()
    freeze('SIGSTOP')
    try {
      await pollUntil(async () => ((await marked()) === 'true' ? true : undefined), { timeoutMs: 5_000, intervalMs: 50, description: "Ada's tile of Grace marked" }).catch(explain)
      figures.markedMs = Date.now() - frozenAt
      await ada.page.locator(`${tileSelector(graceId)} [data-testid="tile-paused"]`).getByText('Connection problem').waitFor({ timeout: 1_000 }).catch(explain)
    } finally {
      freeze('SIGCONT')
    }
    const continuedAt = Date.now()
    await pollUntil(async () => ((await marked()) === 'false' ? true : undefined), { timeoutMs: 10_000, intervalMs: 50, description: "Ada's tile of Grace no longer marked" }).catch(explain)
    figures.clearedMs = Date.now() - continuedAt
    // Back by itself: the same tile (same client), decoding again.
    await waitForDecodedVideo(ada.page, remoteVideoSelector(graceId), { minFramesGrowth: 10, timeoutMs: 20_000 }).catch(explain)
    expect(figures.markedMs).toBeLessThanOrEqual(2_000)
  })

  it("removes the tile of a participant frozen for good within 10 s", async () => {
    const frozenAt = Date.now()
    freeze('SIGSTOP')
    await pollUntil(async () => ((await ada.page.$(tileSelector(graceId))) === null ? true : undefined), { timeoutMs: 20_000, intervalMs: 100, description: "Grace's tile gone at Ada" }).catch(explain)
    figures.removedMs = Date.now() - frozenAt
    expect(figures.removedMs).toBeLessThanOrEqual(10_000)
    expect(await appStatus(ada.page)).toBe('connected')
  })
})
