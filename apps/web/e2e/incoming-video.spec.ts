// Others' video, audio only (web README, "Others' video"), end to end: the built app against the real hub
// (werift plane), two Chromium pages. Bo publishes camera and microphone; Ada joins with hers off and,
// from More → Others' video, picks "Audio only". Observed, never slept on:
//   1. the header says "Audio only"; Bo's tile shows his avatar, not a frozen picture;
//   2. Ada's page receives no more of Bo's video (the core told the hub 0×0 for it, the hub paused it), while
//      his sound keeps arriving;
//   3. his video stalled by Ada's own choice is not "Connection problem" on his tile, however long it lasts;
//   4. the header's × brings his video back: decoded again, shown on his tile.
// Loopback-only namespace.
import { loadavg } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FROZEN_AFTER_MS, STATS_INTERVAL_MS } from '@parley/core'
import { pollUntil, recordPeerConnections, waitForDecodedVideo } from '@parley/testkit'
import { artifactPath, callHeaderAtPhoneWidth, joinWithoutMedia, oneRemoteDecoding, openRoom, remoteVideoSelector, useAppCall, type AppParticipant } from './web-app'

/** How long Bo's video must not grow (and his sound must) for the hub's pause to count as settled. */
const WINDOW_MS = 1_500
/** Long enough for the core's stall reading (FROZEN_AFTER_MS, read each STATS_INTERVAL_MS) to have said "paused" twice. */
const STALLED_MS = FROZEN_AFTER_MS + 2 * STATS_INTERVAL_MS + 500
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ')

interface Inbound {
  videoBytes: number
  framesDecoded: number
  audioPackets: number
}

/** In the page: what arrived of its remote media so far (one remote participant in this spec). */
async function readInbound(): Promise<Inbound> {
  const inbound = { videoBytes: 0, framesDecoded: 0, audioPackets: 0 }
  for (const pc of (globalThis as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []) {
    if (pc.connectionState === 'closed') continue
    ;(await pc.getStats()).forEach((stat: Record<string, unknown>) => {
      if (stat.type !== 'inbound-rtp') return
      if (stat.kind === 'video') {
        inbound.videoBytes += Number(stat.bytesReceived ?? 0)
        inbound.framesDecoded += Number(stat.framesDecoded ?? 0)
      } else if (stat.kind === 'audio') inbound.audioPackets += Number(stat.packetsReceived ?? 0)
    })
  }
  return inbound
}

describe("others' video: audio only (two Chromium pages, built app, real hub)", () => {
  const call = useAppCall(['Bo', 'Ada'])
  const { explain } = call
  let ada: AppParticipant
  let boTile = ''
  const figures: Record<string, unknown> = {}
  const tile = () => ada.page.locator(`[data-testid="tile"][data-participant="${boTile}"]`)

  beforeAll(async () => {
    const bo = call.page('Bo')
    ada = call.page('Ada')
    await ada.context.addInitScript(recordPeerConnections)
    const invite = await openRoom(bo, call.hub.url, 'Team', explain)
    await joinWithoutMedia(ada, invite)
    boTile = await oneRemoteDecoding(ada, 'Bo', explain)
  }, 90_000)

  afterAll(() => console.info(`[incoming-video figures] load ${load()}:`, JSON.stringify(figures)))

  it("Audio only: the header says so, Bo's tile shows his avatar, his video stops arriving and his sound does not", async () => {
    await ada.page.getByTestId('more-button').click()
    await ada.page.getByTestId('menu-incoming-video').waitFor({ timeout: 5_000 }).catch(explain)
    await ada.page.screenshot({ path: artifactPath('incoming-video-menu.png') })
    await ada.page.getByRole('menuitemradio', { name: /Audio only/ }).click()
    const chosenAt = Date.now()
    const note = ada.page.getByTestId('incoming-video-note')
    await note.waitFor({ timeout: 5_000 }).catch(explain)
    expect(await note.innerText()).toContain('Audio only')
    await pollUntil(async () => ((await tile().getAttribute('data-video')) === 'off' ? true : undefined), { timeoutMs: 5_000, description: "Bo's tile showing his avatar" }).catch(explain)
    expect(await tile().getByTestId('tile-placeholder').isVisible()).toBe(true)
    // Over the last WINDOW_MS: none of his video, some of his sound.
    const samples: { at: number; inbound: Inbound }[] = []
    let seen: unknown
    const settled = await pollUntil(
      async () => {
        const now = { at: Date.now(), inbound: await ada.page.evaluate(readInbound) }
        samples.push(now)
        const start = samples.findLast((sample) => now.at - sample.at >= WINDOW_MS)
        if (!start) return undefined
        const grew = { videoBytes: now.inbound.videoBytes - start.inbound.videoBytes, audioPackets: now.inbound.audioPackets - start.inbound.audioPackets, windowMs: now.at - start.at }
        seen = grew
        return grew.videoBytes === 0 && grew.audioPackets > 0 ? grew : undefined
      },
      { timeoutMs: 15_000, intervalMs: 250, description: "Bo's video still and his sound arriving", seen: () => seen },
    ).catch(explain)
    figures.audioOnly = { ...settled, stillAfterMs: Date.now() - chosenAt - settled.windowMs, load: load() }
    await ada.page.screenshot({ path: artifactPath('incoming-video-audio-only.png') })
    // On a phone's width the header keeps everything whole (the note on a line of its own), with no sideways scroll.
    const header = await callHeaderAtPhoneWidth(ada.page, 'incoming-video-note', 'incoming-video-320.png')
    figures.header320 = header
    expect(header.overflow).toBeLessThanOrEqual(0)
    expect(header.page).toBeLessThanOrEqual(0)
    expect(header.markHeight).toBeLessThan(40)
  })

  it('his video stalled by her own choice is never "Connection problem" on his tile', async () => {
    // Frames still for STALLED_MS by Ada's own stats: the core's stall reading has run on it by then.
    const still: { at: number; frames: number }[] = []
    await pollUntil(
      async () => {
        const frames = (await ada.page.evaluate(readInbound)).framesDecoded
        if (still.length > 0 && still.at(-1)!.frames !== frames) still.length = 0
        still.push({ at: Date.now(), frames })
        expect(await tile().getByTestId('tile-paused').count()).toBe(0)
        return Date.now() - still[0]!.at >= STALLED_MS ? true : undefined
      },
      { timeoutMs: STALLED_MS + 10_000, intervalMs: 250, description: `Bo's video decoding nothing for ${STALLED_MS} ms` },
    ).catch(explain)
    expect(await tile().getByTestId('tile-paused').count()).toBe(0)
    expect(await tile().getAttribute('data-video')).toBe('off')
  })

  it("the header's × brings his video back: decoded again and shown on his tile", async () => {
    const before = await ada.page.evaluate(readInbound)
    const clickedAt = Date.now()
    await ada.page.getByTestId('incoming-video-auto').click()
    await ada.page.getByTestId('incoming-video-note').waitFor({ state: 'detached', timeout: 5_000 }).catch(explain)
    await waitForDecodedVideo(ada.page, remoteVideoSelector(boTile), { minFramesGrowth: 10, timeoutMs: 20_000 }).catch(explain)
    await pollUntil(async () => ((await tile().getAttribute('data-video')) === 'on' ? true : undefined), { timeoutMs: 5_000, description: "Bo's tile showing his video" }).catch(explain)
    const after = await ada.page.evaluate(readInbound)
    figures.backMs = Date.now() - clickedAt
    expect(after.framesDecoded).toBeGreaterThan(before.framesDecoded)
    // Back to "Best for each tile" in the menu too.
    await ada.page.getByTestId('more-button').click()
    expect(await ada.page.getByTestId('menu-incoming-auto').getAttribute('aria-checked')).toBe('true')
    await ada.page.keyboard.press('Escape')
  })
})
