// One person, two tabs, end to end (issue 8 item 5), against the app as `npm start` serves it (built
// app on the real hub and its werift SFU). Ada's first tab is in the call with Grace (her own browser
// context); Ada opens the invite link in a second tab of the same context (same profile: one
// BroadcastChannel between them). The second tab says she is already in the call in another tab and
// offers "Join here instead"; she clicks it: the first tab shows why it left and has released its
// camera and peer connection, the second is in the call, and Grace shows exactly one tile for Ada, a
// new one whose video decodes (frames counted with getStats). Printed: click → Grace decodes the new tile.
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { pollUntil, waitForDecodedVideo } from '@parley/testkit'
import { openRoom, describeParticipants, oneRemoteDecoding, remoteTiles, remoteVideoSelector, type AppParticipant, useAppCall } from './web-app'

const ROOM_NAME = 'Two tabs'

/**
 * In every page of a context: the page's peer connections (`__pcs`, which the testkit's decoded-video
 * check reads getStats from) and the camera/microphone tracks it opened (`__localTracks`).
 */
function recordPeersAndTracks(): void {
  const scope = globalThis as unknown as { RTCPeerConnection: typeof RTCPeerConnection; __pcs: RTCPeerConnection[]; __localTracks: MediaStreamTrack[] }
  const pcs: RTCPeerConnection[] = []
  const tracks: MediaStreamTrack[] = []
  scope.__pcs = pcs
  scope.__localTracks = tracks
  const Native = scope.RTCPeerConnection
  scope.RTCPeerConnection = class extends Native {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args)
      pcs.push(this)
    }
  }
  const devices = navigator.mediaDevices
  const getUserMedia = devices.getUserMedia.bind(devices)
  devices.getUserMedia = async (constraints) => {
    const stream = await getUserMedia(constraints)
    tracks.push(...stream.getTracks())
    return stream
  }
}

/** What a page still holds: peer connections not closed, local tracks not ended. */
async function heldMedia(page: Page): Promise<{ openPeers: number; liveTracks: number; peers: number }> {
  return page.evaluate(() => {
    const scope = globalThis as unknown as { __pcs?: RTCPeerConnection[]; __localTracks?: MediaStreamTrack[] }
    const pcs = scope.__pcs ?? []
    return {
      peers: pcs.length,
      openPeers: pcs.filter((pc) => pc.connectionState !== 'closed').length,
      liveTracks: (scope.__localTracks ?? []).filter((track) => track.readyState === 'live').length,
    }
  })
}

/** In Grace's page: the epoch ms at which a remote tile other than `oldId` first shows a decoded frame. */
async function armNewTileProbe(page: Page, oldId: string): Promise<void> {
  await page.evaluate((old) => {
    const probe: { firstFrameAt?: number } = {}
    ;(globalThis as { __newTileProbe?: typeof probe }).__newTileProbe = probe
    const timer = setInterval(() => {
      for (const tile of document.querySelectorAll<HTMLElement>('[data-testid="tile"][data-local="false"]')) {
        if (tile.getAttribute('data-participant') === old) continue
        const video = tile.querySelector<HTMLVideoElement>('[data-testid="tile-video"]')
        if (video && video.videoWidth > 0) {
          probe.firstFrameAt = performance.timeOrigin + performance.now()
          clearInterval(timer)
        }
      }
    }, 10)
  }, oldId)
}

describe('one person, two tabs (built app on the real hub, Chromium)', () => {
  const call = useAppCall(['Ada', 'Grace'])
  const { participants, explain } = call
  let ada: AppParticipant
  let grace: AppParticipant
  let secondTab: Page
  const secondTabErrors: string[] = []
  let inviteUrl = ''
  let adaFirstTile = ''

  beforeAll(async () => {
    ;[ada, grace] = participants as [AppParticipant, AppParticipant]
    await ada.context.addInitScript(recordPeersAndTracks)
    await grace.context.addInitScript(recordPeersAndTracks)
  })

  it("Ada's first tab is in the call with Grace", async () => {
    inviteUrl = await openRoom(ada, call.hub.url, ROOM_NAME, explain)
    await grace.page.goto(inviteUrl)
    await grace.page.getByTestId('display-name').fill('Grace')
    await grace.page.getByTestId('join-button').click()
    adaFirstTile = await oneRemoteDecoding(grace, 'Ada', explain)
    await oneRemoteDecoding(ada, 'Grace', explain)
  })

  it('a second tab of the same profile says she is already in the call, and offers to join here instead', async () => {
    secondTab = await ada.context.newPage()
    secondTab.on('console', (message) => {
      if (message.type() === 'error') secondTabErrors.push(`console: ${message.text()}`)
    })
    secondTab.on('pageerror', (error) => secondTabErrors.push(`pageerror: ${error.message}`))
    await secondTab.goto(inviteUrl)
    const notice = secondTab.getByTestId('open-elsewhere')
    await notice.waitFor({ timeout: 10_000 }).catch(explain)
    expect(await notice.textContent()).toContain("You're already in this call in another tab")
    expect(await secondTab.getByTestId('join-button').count()).toBe(0)
    expect(await secondTab.getByTestId('join-here').textContent()).toContain('Join here instead')
    // The name Ada joined with is remembered by the profile.
    expect(await secondTab.getByTestId('display-name').inputValue()).toBe('Ada')
    // Nothing changed for the call meanwhile.
    expect(await remoteTiles(grace.page)).toHaveLength(1)
  })

  it('"Join here instead" moves the call: the first tab leaves and lets go of its media, Grace sees one new Ada tile', async () => {
    await armNewTileProbe(grace.page, adaFirstTile)
    const clickedAt = Date.now()
    await secondTab.getByTestId('join-here').click()

    const ended = ada.page.locator('[data-testid="ended"][data-reason="moved-to-another-tab"]')
    await ended.waitFor({ timeout: 20_000 }).catch(explain)
    expect(await ada.page.getByTestId('ended-title').textContent()).toBe('You joined this call from another tab')
    expect(await ada.page.getByTestId('join-again').count()).toBe(1)
    const released = await pollUntil(
      async () => {
        const held = await heldMedia(ada.page)
        return held.peers > 0 && held.openPeers === 0 && held.liveTracks === 0 ? held : undefined
      },
      { timeoutMs: 10_000, description: "Ada's first tab to close its peer connection and stop its camera and microphone" },
    ).catch(explain)
    expect(released.openPeers).toBe(0)

    await secondTab.getByTestId('call').waitFor({ timeout: 20_000 }).catch(explain)
    const newTile = await oneRemoteDecoding(grace, 'Ada', explain)
    expect(newTile).not.toBe(adaFirstTile)
    // getStats: the new tile's frames decode (the testkit counts inbound-rtp framesDecoded through __pcs).
    const decoded = await waitForDecodedVideo(grace.page, remoteVideoSelector(newTile), { minFramesGrowth: 10, timeoutMs: 20_000 }).catch(explain)
    expect(decoded.counter).toBe('inbound-rtp.framesDecoded')
    const probe = await grace.page.evaluate(() => ({ ...(globalThis as { __newTileProbe?: { firstFrameAt?: number } }).__newTileProbe }))
    expect(probe.firstFrameAt).toBeDefined()
    console.log(`[two tabs] "Join here instead" click → Grace decodes Ada's new tile: ${Math.round(probe.firstFrameAt! - clickedAt)} ms`)

    // The second tab sees Grace; the call is whole again.
    await pollUntil(async () => ((await remoteTiles(secondTab)).map((tile) => tile.name).join() === 'Grace' ? true : undefined), {
      timeoutMs: 20_000,
      description: "Ada's second tab to show Grace",
    }).catch(explain)
    expect(await remoteTiles(grace.page)).toHaveLength(1)
  })

  it('no page reported an error', () => {
    expect(secondTabErrors).toEqual([])
    expect(describeParticipants(participants)).not.toMatch(/console: |pageerror: /)
  })
})
