// The hub's voice activity detection (vad_started / vad_ended on the `internal` channel) with the official
// inLive SDK (0.21.4, unchanged) in Chromium, werift plane. Bo registers with `enableVAD`, Cy without;
// both join with their microphones, then Ana (with `enableVAD`) publishes hers. Each page's microphone is
// Chromium's fake one, a short beep every second or so, which the hub reads through the RFC 6464 audio
// level it negotiated: every one of them speaks. Bo's SDK dispatches `voiceactivity` on Ana's remote
// stream (a level per packet, then 0 at the end), from frames of the shape the SDK reads, about the
// streams he receives only; Cy, who receives the same audio, gets none; Ana hears about Bo and Cy but
// never about her own track (as on the hosted hub, only subscribers do). With the media in the main
// thread and in one media worker (the reports cross worker-protocol.ts). Then Firefox as the publisher.
// Observed, never slept on. Loopback-only namespace, under the e2e lock.
import { loadavg } from 'node:os'
import type { Page } from 'playwright-core'
import { parseVoiceActivityFrame, type VoiceActivityMessage } from '@parley/protocol'
import { type FirefoxParticipantPage, newFirefoxParticipantPage, pollUntil } from '@parley/testkit'
import { afterAll, describe, expect, it } from 'vitest'
import { createRoom, joinSdk, useSdkRoom } from './sdk-pages.js'

const load = () => loadavg().map((value) => value.toFixed(2)).join(' ')

interface PageVoice {
  /** The frames read off the page's `internal` channel. */
  frames: unknown[]
  /** The SDK's `voiceactivity` events on remote streams. */
  streamEvents: { streamId: string; audioLevel: number }[]
}

const streamsOf = (page: Page): Promise<{ id: string; origin: string }[]> =>
  page.evaluate(() => (globalThis as unknown as { __sdkPeer: { getAllStreams(): { id: string; origin: string }[] } }).__sdkPeer.getAllStreams().map((stream) => ({ id: stream.id, origin: stream.origin })))

const pageVoice = (page: Page): Promise<PageVoice> =>
  page.evaluate(() => {
    const w = globalThis as unknown as { __sdkVoice: unknown[]; __sdkStreamVoice: { streamId: string; audioLevel: number }[] }
    return { frames: [...w.__sdkVoice], streamEvents: [...w.__sdkStreamVoice] }
  })

/** The page's remote audio from Ana's stream: bytes received on it (0: not there yet). */
const remoteAudioBytes = (page: Page): Promise<number> =>
  page.evaluate(async () => {
    let bytes = 0
    for (const pc of (globalThis as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []) {
      if (pc.connectionState === 'closed') continue
      ;(await pc.getStats()).forEach((stat: Record<string, unknown>) => {
        if (stat.type === 'inbound-rtp' && stat.kind === 'audio') bytes += Number(stat.bytesReceived ?? 0)
      })
    }
    return bytes
  })

function decoded(frames: unknown[]): VoiceActivityMessage[] {
  return frames.map((frame) => {
    const parsed = parseVoiceActivityFrame(JSON.stringify(frame))
    if (!parsed.ok) throw new Error(parsed.error)
    return parsed.message
  })
}

describe.each([0, 1])("the hub's voice activity with the official SDK (Chromium, werift plane, %i media workers)", (mediaWorkers) => {
  const room = useSdkRoom({ mediaWorkers })
  const figures: Record<string, unknown> = {}

  const open = async () => (await room.open()).page

  afterAll(() => {
    console.info(`[sdk-voice-activity figures, ${mediaWorkers} media workers] load ${load()}:`, JSON.stringify(figures))
  })

  it("Bo (enableVAD) gets voiceactivity on Ana's stream from her fake microphone; Cy (without) and Ana (about her own) get none", async () => {
    const { hub, sdkUrl } = room
    const roomId = await createRoom(hub, 'sdk voice activity')
    const bo = await open()
    await joinSdk(bo, sdkUrl, hub.url, roomId, 'Bo', { audioOnly: true, vad: true })
    const cy = await open()
    await joinSdk(cy, sdkUrl, hub.url, roomId, 'Cy', { audioOnly: true })
    const ana = await open()
    const anaJoinedAt = Date.now()
    await joinSdk(ana, sdkUrl, hub.url, roomId, 'Ana', { audioOnly: true, vad: true })
    const anaStream = (await streamsOf(ana)).find((stream) => stream.origin === 'local')!.id

    // Cy receives Ana's audio before Bo's events are counted: what Cy does not get, it was in a position to get.
    await pollUntil(async () => ((await remoteAudioBytes(cy)) > 5_000 ? true : undefined), { timeoutMs: 20_000, description: "Cy receiving Ana's audio" })

    // Bo: frames about Ana's stream that started and ended, twice over, and the SDK's events on it.
    const bosVoice = await pollUntil(
      async () => {
        const voice = await pageVoice(bo)
        const frames = decoded(voice.frames)
        const ended = frames.filter((frame) => frame.type === 'vad_ended' && frame.data.streamID === anaStream).length
        return ended >= 2 ? { ...voice, decoded: frames } : undefined
      },
      { timeoutMs: 30_000, intervalMs: 250, description: "Bo getting vad_started / vad_ended about Ana's stream twice" },
    )
    figures.twoEndedAfterAnaJoinedMs = Date.now() - anaJoinedAt
    const bosRemote = (await streamsOf(bo)).filter((stream) => stream.origin === 'remote').map((stream) => stream.id)
    expect(bosRemote).toContain(anaStream)
    const started = bosVoice.decoded.filter((frame) => frame.type === 'vad_started' && frame.data.streamID === anaStream)
    const levels = started.flatMap((frame) => frame.data.audioLevels ?? [])
    figures.framesToBo = { all: bosVoice.decoded.length, startedOnAna: started.length }
    figures.levels = { count: levels.length, min: Math.min(...levels.map((level) => level.audioLevel)), max: Math.max(...levels.map((level) => level.audioLevel)), voiceBitSet: levels.filter((level) => level.isVoice).length }
    expect(started.length).toBeGreaterThan(0)
    for (const frame of bosVoice.decoded) {
      expect(bosRemote).toContain(frame.data.streamID)
      expect(frame.data.clockRate).toBe(48_000)
      if (frame.type === 'vad_ended') expect(frame.data.audioLevels).toBeNull()
      else expect(frame.data.audioLevels!.length).toBeGreaterThan(0)
    }
    // The SDK's stream events: one per level of each vad_started, and a 0 for each vad_ended, on Ana's stream.
    expect(bosVoice.streamEvents.every((event) => bosRemote.includes(event.streamId))).toBe(true)
    const onAna = bosVoice.streamEvents.filter((event) => event.streamId === anaStream)
    expect(onAna.some((event) => event.audioLevel > 0)).toBe(true)
    expect(onAna.some((event) => event.audioLevel === 0)).toBe(true)

    // Ana (enableVAD) hears about the others, never about herself.
    const anasFrames = await pollUntil(
      async () => {
        const frames = decoded((await pageVoice(ana)).frames)
        return frames.some((frame) => frame.type === 'vad_ended') ? frames : undefined
      },
      { timeoutMs: 20_000, intervalMs: 250, description: 'Ana getting voice frames about the others' },
    )
    expect(anasFrames.filter((frame) => frame.data.streamID === anaStream)).toEqual([])
    // Cy (no enableVAD) got nothing, though he had the audio all along.
    expect(await pageVoice(cy)).toEqual({ frames: [], streamEvents: [] })
    for (const participant of room.participants) expect(participant.errors).toEqual([])
  }, 120_000)
})

// Firefox as the speaking publisher (its fake microphone is a steady tone): it sends the audio level when
// the hub negotiates it, and Bo (Chromium, enableVAD) gets vad_started about its stream, batch after batch.
describe("the hub's voice activity from a Firefox publisher (official SDK, werift plane)", () => {
  const room = useSdkRoom({ firefox: true })
  let ana: FirefoxParticipantPage | undefined
  const figures: Record<string, unknown> = {}

  afterAll(async () => {
    console.info(`[sdk-voice-activity figures, Firefox publisher] load ${load()}:`, JSON.stringify(figures))
    await ana?.close().catch(() => undefined)
  })

  it("Bo (Chromium, enableVAD) gets vad_started about Firefox Ana's stream", async () => {
    const { hub, sdkUrl } = room
    const roomId = await createRoom(hub, 'sdk voice activity firefox')
    const participant = await room.open()
    const bo = participant.page
    await joinSdk(bo, sdkUrl, hub.url, roomId, 'Bo', { audioOnly: true, vad: true })
    ana = await newFirefoxParticipantPage(room.firefox)
    // joinSdk drives the page through goto / waitForFunction / click / evaluate, which puppeteer's page has too.
    await joinSdk(ana.page as unknown as Page, sdkUrl, hub.url, roomId, 'Ana', { audioOnly: true })
    const anaStream = (await streamsOf(ana.page as unknown as Page)).find((stream) => stream.origin === 'local')!.id
    const offer = await ana.page.evaluate(() => (globalThis as unknown as { __sdkPeer: { getPeerConnection(): RTCPeerConnection } }).__sdkPeer.getPeerConnection().localDescription?.sdp ?? '')
    figures.firefoxOffersAudioLevel = /a=extmap:\d+(\/\w+)? urn:ietf:params:rtp-hdrext:ssrc-audio-level/.test(offer)
    const frames = await pollUntil(
      async () => {
        const about = decoded((await pageVoice(bo)).frames).filter((frame) => frame.data.streamID === anaStream && frame.type === 'vad_started')
        return about.length >= 3 ? about : undefined
      },
      { timeoutMs: 30_000, intervalMs: 250, description: "Bo getting vad_started about Firefox Ana's stream three times" },
    )
    const levels = frames.flatMap((frame) => frame.data.audioLevels ?? [])
    figures.levels = { frames: frames.length, count: levels.length, min: Math.min(...levels.map((level) => level.audioLevel)), max: Math.max(...levels.map((level) => level.audioLevel)), voiceBitSet: levels.filter((level) => level.isVoice).length }
    figures.firefoxPageErrors = ana.errors
    expect(levels.length).toBeGreaterThan(0)
    expect(participant.errors).toEqual([])
  }, 120_000)
})
