// The hub's `internal` data channel with the official inLive SDK (0.21.4, unchanged) on the werift plane,
// in Chromium pages at 640x480: Ana publishes her camera through the SDK with simulcast (Chromium sends
// two layers of a 640x480 camera, 640 and 320 wide). Bo (SDK, microphone only) shows her video in a
// 160x120 <video> handed to `peer.observeVideo`: the SDK reports the size on the `internal` channel the
// hub opened, and the hub forwards the narrower layer (the ceiling rule, hub README). Bo's element grows
// to 640x480: the hub switches him to the widest layer. Bo's page then reports 0x0 through the SDK's
// `peer.updateVideoSize` (what Parley's client sends for a tile off screen): his video stops; a size
// again resumes it. The SDK's `stats` frames reach get client. Observed, never slept on. Loopback-only
// namespace, under the e2e lock. Then the same 0x0 pause on one stream (the SDK's default webcam).
import { loadavg } from 'node:os'
import type { Page } from 'playwright-core'
import { pathFor } from '@parley/protocol'
import { pollUntil } from '@parley/testkit'
import { afterAll, describe, expect, it } from 'vitest'
import { createRoom, decodesVideo, joinSdk, pageVideo, useSdkRoom } from './sdk-pages.js'

const load = () => loadavg().map((value) => value.toFixed(2)).join(' ')

/** Resizes the page's remote <video> (the SDK's ResizeObserver reports it). */
const resize = (page: Page, width: number, height: number) =>
  page.evaluate(
    ([w, h]) => {
      const video = document.querySelector<HTMLVideoElement>('video.remote')!
      video.style.width = `${w}px`
      video.style.height = `${h}px`
    },
    [width, height] as const,
  )

/** Through the SDK's own API: the remote video's track id and a size for it (0x0: Parley's "off screen"). */
const updateVideoSize = (page: Page, width: number, height: number) =>
  page.evaluate(
    ([w, h]) => {
      const video = document.querySelector<HTMLVideoElement>('video.remote')!
      const track = (video.srcObject as MediaStream).getVideoTracks()[0]!
      const peer = (globalThis as unknown as { __sdkPeer: { unobserveVideo(el: HTMLVideoElement): void; updateVideoSize(id: string, w: number, h: number): void } }).__sdkPeer
      peer.unobserveVideo(video)
      peer.updateVideoSize(track.id, w, h)
    },
    [width, height] as const,
  )

/** 0x0 through the SDK: no frame decoded across two samples a second apart (the hub forwards nothing); a size again resumes it. */
async function hiddenThenShown(page: Page, width: number, figures: Record<string, unknown>, key: string): Promise<void> {
  await updateVideoSize(page, 0, 0)
  let last = -1
  const stoppedAt = await pollUntil(
    async () => {
      const decoded = Object.values((await pageVideo(page)).received).reduce((sum, video) => sum + video.framesDecoded, 0)
      const stopped = decoded === last
      last = decoded
      return stopped ? decoded : undefined
    },
    { timeoutMs: 15_000, intervalMs: 1_000, description: 'the video stopping at 0x0' },
  )
  await updateVideoSize(page, 640, 480)
  figures[key] = { stoppedAt, resumed: await decodesVideo(page, 30, (decodedWidth) => decodedWidth === width, `the video resumed at ${width}`, 20_000) }
}

describe("the hub's internal channel with the official SDK: the layer follows the tile (Chromium, 640x480)", () => {
  const room = useSdkRoom()
  const figures: Record<string, unknown> = {}

  const open = async () => (await room.open({ viewport: { width: 640, height: 480 } })).page

  afterAll(() => {
    figures.hub = room.hubLines('simulcast layer switched', 'internal channel frame ignored')
    console.info(`[sdk-video-size figures] load ${load()}:`, JSON.stringify(figures))
  })

  it('a 160x120 tile decodes the 320 layer, grown to 640x480 the 640 one; 0x0 stops the video and a size resumes it', async () => {
    const { hub, sdkUrl } = room
    const roomId = await createRoom(hub, 'sdk video size')
    const ana = await open()
    await joinSdk(ana, sdkUrl, hub.url, roomId, 'Ana', { simulcast: true })
    const widths = await pollUntil(
      async () => {
        const sent = Object.values((await pageVideo(ana)).sent).filter((layer) => layer.bytesSent > 20_000 && layer.frameWidth > 0)
        const distinct = [...new Set(sent.map((layer) => layer.frameWidth))].sort((a, b) => a - b)
        return distinct.length >= 2 ? distinct : undefined
      },
      { timeoutMs: 20_000, description: 'Ana sending two layers of distinct widths' },
    )
    figures.anaWidths = widths
    const widest = widths.at(-1)!
    const underWidest = widths.at(-2)!

    const bo = await open()
    await joinSdk(bo, sdkUrl, hub.url, roomId, 'Bo', { audioOnly: true, observe: { width: 160, height: 120 } })
    figures.small = await decodesVideo(bo, 30, (width) => width === underWidest, `Bo's 160x120 tile decoding ${underWidest}-wide frames`, 30_000)

    await resize(bo, 640, 480)
    figures.large = await decodesVideo(bo, 30, (width) => width === widest, `Bo's 640x480 tile decoding ${widest}-wide frames`, 20_000)

    await hiddenThenShown(bo, widest, figures, 'hidden')

    // The SDK's stats frames (every 3 s): the hub keeps the latest, shown by get client.
    const boId = await bo.evaluate(() => (globalThis as unknown as { __sdkPeer: { getClientId(): string } }).__sdkPeer.getClientId())
    const stats = await pollUntil(
      async () => {
        const response = await fetch(`${hub.url}${pathFor('getClient', { roomId, clientId: boId })}`)
        const body = (await response.json()) as { data: { events: Record<string, { data: Record<string, string> }> } }
        return body.data.events.client_stats?.data
      },
      { timeoutMs: 10_000, description: "Bo's stats in get client" },
    )
    expect(Number(stats.available_outgoing_bitrate)).toBeGreaterThanOrEqual(0)
    expect(hub.logs.filter((entry) => entry.msg === 'internal channel frame ignored')).toEqual([])
    for (const participant of room.participants) expect(participant.errors).toEqual([])
  }, 150_000)
})

// The same 0x0 pause on one stream (no simulcast: the SDK's default webcam; VideoPause.hide/show): a
// hidden tile's video stops and comes back. werift only: the ndc plane opens the channel only for a client
// whose first offer has an m=application (hub README), which the SDK's has not.
describe.each(['werift'] as const)("the internal channel's 0x0 pause on one stream (official SDK, %s plane)", (plane) => {
  const room = useSdkRoom({ mediaPlaneKind: plane })
  const figures: Record<string, unknown> = {}

  afterAll(() => {
    figures.hub = room.hubLines('video paused', 'video resumed', 'internal channel frame ignored')
    console.info(`[sdk-video-size ${plane} figures] load ${load()}:`, JSON.stringify(figures))
  })

  it('a shown tile decodes, 0x0 stops it, a size resumes it', async () => {
    const { hub, sdkUrl } = room
    const roomId = await createRoom(hub, 'sdk hidden')
    for (const [name, options] of [
      ['Ana', {}],
      ['Bo', { audioOnly: true, observe: { width: 320, height: 240 } }],
    ] as const) {
      const participant = await room.open({ viewport: { width: 640, height: 480 } })
      await joinSdk(participant.page, sdkUrl, hub.url, roomId, name, options)
    }
    const bo = room.participants[1]!.page
    figures.shown = await decodesVideo(bo, 30, (width) => width === 640, 'Bo decoding 640-wide frames', 30_000)
    await hiddenThenShown(bo, 640, figures, 'hidden')
    // Not told "paused" (parley_video_paused is for bandwidth): no pause logged for it.
    expect(hub.logs.filter((entry) => entry.msg === 'video paused')).toEqual([])
    expect(hub.logs.filter((entry) => entry.msg === 'internal channel frame ignored')).toEqual([])
    for (const participant of room.participants) expect(participant.errors).toEqual([])
  }, 120_000)
})
