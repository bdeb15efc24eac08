// Support for specs that drive the official inLive SDK (0.21.4) in Chromium pages (join-clients/sdk.html,
// served next to the SDK's own room.js): a describe's hub, pages and browsers (useSdkRoom), a room on it,
// opening a page with the SDK's media options, and reading its peer
// connection's video from getStats() (every page records its connections in `window.__pcs`, testkit's
// recordPeerConnections, so the SDK itself is used unchanged).
import { rmSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { startTestHub, type TestHub } from '@parley/hub/testing'
import {
  assertLoopbackOnly,
  type FirefoxBrowser,
  launchChromium,
  launchFirefox,
  newParticipantPage,
  type ParticipantPage,
  type ParticipantPageOptions,
  pollUntil,
  recordPeerConnections,
  type RunningServer,
  startStaticServer,
} from '@parley/testkit'
import { afterAll, beforeAll } from 'vitest'
import { sdkPageDir } from '../src/join-clients.js'

export interface SdkPageOptions {
  /** `media.webcam.simulcast: true` (the SDK's rids high/mid/low at 1, 1/2, 1/4 of the size). */
  simulcast?: boolean
  /** `media.webcam.svc: false`; the SDK's default (true) adds `scalabilityMode` L3T3_KEY to every layer. */
  svcOff?: boolean
  /** Microphone only (no camera, no encoder): a subscriber. */
  audioOnly?: boolean
  /** Each remote video shown at this CSS size and handed to the SDK's `peer.observeVideo` (its `internal` channel reports it). */
  observe?: { width: number; height: number }
  /** Registers with the SDK's `enableVAD` (the hub's vad_started / vad_ended). */
  vad?: boolean
}

export interface SdkRoom {
  readonly hub: TestHub
  /** Where the SDK page and the SDK's room.js are served. */
  readonly sdkUrl: string
  readonly chromium: Browser
  /** Only with `firefox: true`. */
  readonly firefox: FirefoxBrowser
  /** A new Chromium participant (its connections recorded in `window.__pcs`), closed in afterAll. */
  open(options?: ParticipantPageOptions): Promise<ParticipantPage>
  /** The Chromium participants opened so far, in order. */
  readonly participants: readonly ParticipantPage[]
  /** The hub's log lines with these messages, as `msg {fields}` (none before the hub started): for figures. */
  hubLines(...messages: string[]): string[]
}

/**
 * For a `describe` of an SDK spec: in `beforeAll` a test hub (werift plane unless told), a static server
 * for a fresh copy of the SDK pages, Chromium (and Firefox, allowed to use the camera on the pages'
 * origin); in `afterAll` the participants, browsers, servers and the pages' folder go again. Register
 * the spec's own afterAll after this one: it runs first (vitest's stacked hooks), with the hub's logs.
 */
export function useSdkRoom(options: { mediaPlaneKind?: 'werift' | 'ndc'; mediaWorkers?: number; firefox?: boolean } = {}): SdkRoom {
  const { firefox: withFirefox = false, ...hubOptions } = options
  let hub: TestHub | undefined
  let pages: RunningServer | undefined
  let chromium: Browser | undefined
  let firefox: FirefoxBrowser | undefined
  const participants: ParticipantPage[] = []
  const dir = sdkPageDir()

  beforeAll(async () => {
    assertLoopbackOnly()
    hub = await startTestHub({ mediaPlaneKind: 'werift', ...hubOptions })
    pages = await startStaticServer(dir)
    chromium = await launchChromium()
    if (withFirefox) firefox = await launchFirefox({ origins: [pages.url] })
  })

  afterAll(async () => {
    for (const participant of participants) await participant.close().catch(() => undefined)
    await firefox?.close()
    await chromium?.close()
    await pages?.close()
    await hub?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useSdkRoom: no ${what} (use it inside a test; it is set up in beforeAll${what === 'Firefox' ? ' with firefox: true' : ''})`)
    return value
  }
  return {
    get hub() {
      return started(hub, 'hub')
    },
    get sdkUrl() {
      return started(pages, 'static server').url
    },
    get chromium() {
      return started(chromium, 'Chromium')
    },
    get firefox() {
      return started(firefox, 'Firefox')
    },
    participants,
    hubLines: (...messages) => (hub?.logs ?? []).filter((entry) => messages.includes(entry.msg)).map((entry) => `${entry.msg} ${JSON.stringify(entry.fields)}`),
    async open(pageOptions = {}) {
      const participant = await newParticipantPage(started(chromium, 'Chromium'), pageOptions)
      participants.push(participant)
      await participant.context.addInitScript(recordPeerConnections)
      return participant
    },
  }
}

/** Creates a room on the hub and returns its id (src/create-room.ts, shared with the ramp bench). */
export { createRoom } from '../src/create-room.js'

/** Opens the SDK page for `roomId` on `hubUrl` and clicks Join; resolves once its peer is connected. */
export async function joinSdk(page: Page, sdkUrl: string, hubUrl: string, roomId: string, name: string, options: SdkPageOptions = {}): Promise<void> {
  const query = new URLSearchParams({ hub: hubUrl, roomId, name })
  if (options.simulcast) query.set('simulcast', '1')
  if (options.svcOff) query.set('svc', '0')
  if (options.audioOnly) query.set('video', '0')
  if (options.vad) query.set('vad', '1')
  if (options.observe) query.set('observe', `${options.observe.width}x${options.observe.height}`)
  await page.goto(`${sdkUrl}/sdk.html?${query.toString()}`)
  await page.waitForFunction(() => '__sdk' in globalThis)
  await page.click('#join')
  await pollUntil(
    () =>
      page.evaluate(() => {
        const state = (globalThis as unknown as { __sdk: { connectionState: string | null; error: string | null } }).__sdk
        if (state.error) throw new Error(`the SDK page failed: ${state.error}`)
        return state.connectionState === 'connected'
      }),
    { timeoutMs: 30_000, description: `${name} (SDK) connected` },
  )
}

export interface SentLayer {
  rid: string
  frameWidth: number
  bytesSent: number
  framesEncoded: number
  scalabilityMode: string | null
  encoderImplementation: string | null
  framesPerSecond: number
  /** Chromium's reason for sending less than asked (`cpu`, `bandwidth`, `none`). */
  qualityLimitationReason: string | null
}

export interface PageVideo {
  /** Outbound video by rid (`-` without one). */
  sent: Record<string, SentLayer>
  /** Inbound videos by track identifier. */
  received: Record<string, { frameWidth: number; framesDecoded: number; bytesReceived: number }>
  /** The negotiated video codecs (mimeType) of the page's outbound and inbound streams. */
  codecs: string[]
}

/** The page's video, sent and received, from every open connection it recorded. */
export function pageVideo(page: Page): Promise<PageVideo> {
  return page.evaluate(async () => {
    const result: PageVideo = { sent: {}, received: {}, codecs: [] }
    for (const pc of (globalThis as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []) {
      if (pc.connectionState === 'closed') continue
      const stats = await pc.getStats()
      const codecs = new Map<string, string>()
      stats.forEach((stat: Record<string, unknown>) => {
        if (stat.type === 'codec') codecs.set(String(stat.id), String(stat.mimeType))
      })
      stats.forEach((stat: Record<string, unknown>) => {
        if (stat.kind !== 'video') return
        const codec = codecs.get(String(stat.codecId))
        if (codec && !result.codecs.includes(codec)) result.codecs.push(codec)
        if (stat.type === 'outbound-rtp') {
          const rid = String(stat.rid ?? '-')
          result.sent[rid] = {
            rid,
            frameWidth: Number(stat.frameWidth ?? 0),
            bytesSent: Number(stat.bytesSent ?? 0),
            framesEncoded: Number(stat.framesEncoded ?? 0),
            scalabilityMode: typeof stat.scalabilityMode === 'string' ? stat.scalabilityMode : null,
            encoderImplementation: typeof stat.encoderImplementation === 'string' ? stat.encoderImplementation : null,
            framesPerSecond: Number(stat.framesPerSecond ?? 0),
            qualityLimitationReason: typeof stat.qualityLimitationReason === 'string' ? stat.qualityLimitationReason : null,
          }
        }
        if (stat.type === 'inbound-rtp') {
          result.received[String(stat.trackIdentifier)] = { frameWidth: Number(stat.frameWidth ?? 0), framesDecoded: Number(stat.framesDecoded ?? 0), bytesReceived: Number(stat.bytesReceived ?? 0) }
        }
      })
    }
    return result
  })
}

/** The SDP of the page's (first open) connection: its offer (local) and the hub's answer (remote). */
export function pageSdp(page: Page): Promise<{ local: string; remote: string }> {
  return page.evaluate(() => {
    const pc = ((globalThis as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []).find((candidate) => candidate.connectionState !== 'closed')
    return { local: pc?.localDescription?.sdp ?? '', remote: pc?.remoteDescription?.sdp ?? '' }
  })
}

/**
 * Resolves once the page's one inbound video decoded `frames` more frames, every sample's width meeting
 * `widthOk` (a sample that does not restarts the count); returns the last sample.
 */
export async function decodesVideo(page: Page, frames: number, widthOk: (width: number) => boolean, description: string, timeoutMs: number) {
  let first: { frameWidth: number; framesDecoded: number; bytesReceived: number } | undefined
  return pollUntil(
    async () => {
      const inbound = Object.values((await pageVideo(page)).received)
      const now = inbound.find((video) => video.framesDecoded > 0) ?? inbound[0]
      if (!now || !widthOk(now.frameWidth)) {
        first = undefined
        return undefined
      }
      first ??= now
      return now.framesDecoded - first.framesDecoded >= frames ? now : undefined
    },
    { timeoutMs, intervalMs: 200, description },
  )
}
