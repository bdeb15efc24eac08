// The ramp bench's `slow-subscriber` link (ramp-bench.ts, issue 10's slowest-subscriber rule): one publisher
// (the client and browser of the run) received by two subscribers in the same room, both the tutorial's client
// in Chromium at 320x240 publishing audio only (ramp-clients.ts, audioOnlyCamera). The good one joins as the
// publisher connects, on an unlimited path; the slow one joins SLOW_JOIN_S later, and everything the hub sends
// it (UDP to its candidates' ports, shaped from its Join click on: ramp-uplink.ts' watch) crosses a rate class
// of `--slow-rate` with a drop-tail queue of SLOW_QUEUE_MS (ramp-link.ts). Sampled once a second: the
// publisher's send rate and resolution, the hub's estimate (its REMB), and per subscriber what it receives,
// decodes and paints (ramp-slowsub-table.ts prints it and sums it up).
import { loadavg } from 'node:os'
import type { Browser } from 'playwright-core'
import { newParticipantPage, pollUntil } from '@parley/testkit'
import { createRoom } from './create-room.js'
import type { PublisherBrowser, RampClient } from './ramp-args.js'
import { audioOnlyCamera, type OpenPage, openPublisher, RAMP_CLIENT_KINDS, simulcastCamera, tutorialUrl } from './ramp-clients.js'
import { describeLinkCounters, prepareDownlink, readQdiscCounters, releaseLoopback, shapeDownlinkPort, unshapeDownlink } from './ramp-link.js'
import type { PauseEvent } from './ramp-slowsub-video.js'
import { audioShare, type SlowSample } from './ramp-slowsub-table.js'
import { publisherStats, subscriberGaps, subscriberStats, watchSubscriberFrames } from './ramp-stats.js'
import { watchUplink, type UplinkWatch } from './ramp-uplink.js'
import { watchSlowQueue } from './ramp-slowsub-link.js'

/** When the slow subscriber clicks Join, in s after the publisher connected: the good one's full rate is seen first. */
export const SLOW_JOIN_S = 10

/** What this run reads of a ramp hub (ramp-bench.ts' RampHub). */
export interface SlowRunHub {
  url: string
  bitrates: Record<string, number> | undefined
  plane: { stats(): object }
  lastEstimate: Map<string, { estimate: number; lossFraction: number }>
  /** The hub's 'video paused' / 'video resumed' log lines (a hub without the rule logs none). */
  videoPauses: { at: number; subscriber: string; publisher: string; paused: boolean }[]
}

export interface SlowRunOptions {
  publisherKind: PublisherBrowser
  client: RampClient
  browser: Browser
  hub: SlowRunHub
  pagesUrl: string
  /** Every origin a publisher page may come from (Firefox's permission file). */
  origins: string[]
  rate: string
  seconds: number
  /** The slow link is unshaped this many s after the publisher connected (null: shaped to the end). */
  until: number | null
  /** How many subscribers on an unlimited path (`--good-subscribers`): the first is "the good one" of the tables. */
  goodSubscribers: number
  trace: boolean
  /** The publisher sends simulcast (ramp-clients.ts simulcastCamera). */
  simulcast: boolean
}

const COUNTERS = ['keyframeRequestsSent', 'subscriberKeyframeRequests', 'nacksRelayed'] as const

async function openSubscriber(browser: Browser, url: string): Promise<OpenPage> {
  const participant = await newParticipantPage(browser, { viewport: { width: 320, height: 240 } })
  await participant.context.addInitScript(audioOnlyCamera)
  await participant.page.goto(url)
  await watchSubscriberFrames(participant.page)
  return participant
}

/**
 * What one run gives: its samples, what the slow subscriber's queue did and when its ports were shaped, and
 * when the hub paused and resumed the video to a subscriber other than the good one.
 */
export interface SlowRun {
  samples: SlowSample[]
  linkLine: string
  pauses: PauseEvent[]
}

export async function runSlowSubscriber(options: SlowRunOptions): Promise<SlowRun> {
  const { browser, hub, rate, seconds, trace } = options
  const kind = RAMP_CLIENT_KINDS[options.client]
  const roomId = await createRoom(hub, 'ramp', hub.bitrates ? { bitrates: hub.bitrates } : undefined)
  const open: OpenPage[] = []
  prepareDownlink(rate)
  let watch: UplinkWatch | undefined
  const queue = trace ? watchSlowQueue() : undefined
  try {
    const publisher = await openPublisher(options.publisherKind, browser, options.origins, options.simulcast ? [...kind.initScripts, simulcastCamera] : kind.initScripts)
    open.push(publisher)
    const goods: OpenPage[] = []
    for (let index = 0; index < options.goodSubscribers; index++) {
      goods.push(await openSubscriber(browser, tutorialUrl(options.pagesUrl, hub.url, roomId)))
      open.push(goods.at(-1)!)
    }
    const [good, ...moreGood] = goods as [OpenPage, ...OpenPage[]]
    const slow = await openSubscriber(browser, tutorialUrl(options.pagesUrl, hub.url, roomId))
    open.push(slow)
    await kind.open(publisher.page, { hub: hub.url, tutorial: options.pagesUrl }, roomId)
    await publisher.page.click(kind.joinSelector)
    await pollUntil(async () => ((await kind.connected(publisher.page)) ? true : undefined), { timeoutMs: 30_000, intervalMs: 20, description: 'the publisher to connect' })
    const publisherId = await pollUntil(async () => (await kind.clientId(publisher.page)) ?? undefined, { timeoutMs: 5_000, intervalMs: 20, description: "the publisher's client id" })
    const start = Date.now()
    const pausesBefore = hub.videoPauses.length
    for (const each of goods) await each.page.click(RAMP_CLIENT_KINDS.tutorial.joinSelector)
    const samples: SlowSample[] = []
    const readCounters = () => hub.plane.stats() as unknown as Record<string, number>
    const counters0 = readCounters()
    const readMore = () => Promise.all(moreGood.map((each) => subscriberStats(each.page)))
    let previous = { at: Date.now(), publisher: await publisherStats(publisher.page), good: await subscriberStats(good.page), slow: await subscriberStats(slow.page), more: await readMore() }
    for (let atS = 1; atS <= seconds; atS++) {
      if (atS === SLOW_JOIN_S + 1) {
        // Its ports are shaped from the click on, as each candidate appears (before ICE checks can use it).
        const clickedAt = Date.now()
        watch = watchUplink(slow.page, clickedAt, shapeDownlinkPort)
        await slow.page.click(RAMP_CLIENT_KINDS.tutorial.joinSelector)
      }
      if (atS === options.until) unshapeDownlink()
      const wait = start + atS * 1000 - Date.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait)) // the sampling schedule itself
      const now = { at: Date.now(), publisher: await publisherStats(publisher.page), good: await subscriberStats(good.page), slow: await subscriberStats(slow.page), more: await readMore() }
      const counters = readCounters()
      const estimate = hub.lastEstimate.get(publisherId)
      const publisherSeconds = (now.publisher.at - previous.publisher.at) / 1000
      const pageSeconds = (now.at - previous.at) / 1000
      const subscriber = (side: 'good' | 'slow') => {
        const [was, is] = [previous[side], now[side]]
        const expected = is.packetsReceived - was.packetsReceived + (is.packetsLost - was.packetsLost)
        return {
          kbps: ((is.bytesReceived - was.bytesReceived) * 8) / pageSeconds / 1000,
          fps: (is.framesDecoded - was.framesDecoded) / pageSeconds,
          lossPercent: expected > 0 ? ((is.packetsLost - was.packetsLost) * 100) / expected : null,
          resolution: is.resolution,
          freezes: is.freezes,
          freezeMs: is.freezeMs,
          longestGapMs: is.longestGapMs,
          currentGapMs: is.currentGapMs,
          audio: is.audio,
          audioSecond: audioShare(was.audio, is.audio),
          videoLost: is.packetsLost,
          videoNacks: is.nacks,
        }
      }
      samples.push({
        atS,
        load: loadavg()[0]!,
        availableKbps: now.publisher.available === null ? null : now.publisher.available / 1000,
        sentKbps: publisherSeconds > 0 ? ((now.publisher.bytesSent - previous.publisher.bytesSent) * 8) / publisherSeconds / 1000 : null,
        resolution: now.publisher.resolution,
        rembKbps: estimate ? estimate.estimate / 1000 : null,
        hubLossPercent: estimate ? estimate.lossFraction * 100 : null,
        good: subscriber('good'),
        ...(moreGood.length > 0 ? { moreGoodKbps: now.more.map((is, index) => ((is.bytesReceived - previous.more[index]!.bytesReceived) * 8) / pageSeconds / 1000) } : {}),
        slow: atS > SLOW_JOIN_S ? subscriber('slow') : null,
        counters: Object.fromEntries(COUNTERS.map((name) => [name, typeof counters[name] === 'number' ? counters[name]! - counters0[name]! : null])),
      })
      if (trace) console.error(`[slow] ${JSON.stringify(samples.at(-1))}`)
      if (queue && atS > SLOW_JOIN_S) {
        const second = queue.second(pageSeconds)
        const audio = now.slow.audio.packetsReceived - previous.slow.audio.packetsReceived
        const video = now.slow.packetsReceived - previous.slow.packetsReceived
        console.error(`[queue] +${atS - SLOW_JOIN_S} s ${JSON.stringify({ ...second, audioPackets: audio, videoPackets: video, videoKbps: Math.round(((now.slow.bytesReceived - previous.slow.bytesReceived) * 8) / pageSeconds / 1000) })}`)
      }
      previous = now
    }
    await watch?.stop()
    const pauses: PauseEvent[] = []
    const goodIds = await Promise.all(goods.map((each) => RAMP_CLIENT_KINDS.tutorial.clientId(each.page)))
    for (const event of hub.videoPauses.slice(pausesBefore)) {
      if (event.publisher === publisherId && !goodIds.includes(event.subscriber)) pauses.push({ atS: (event.at - start) / 1000, paused: event.paused })
      else if (event.publisher === publisherId) console.error(`[slow] good subscriber ${goodIds.indexOf(event.subscriber) + 1}'s video was ${event.paused ? 'paused' : 'resumed'} at ${((event.at - start) / 1000).toFixed(1)} s`)
    }
    const linkLine = `${describeLinkCounters('slow-subscriber', readQdiscCounters())}; ${watch?.events.join('; ') ?? ''}`
    if (watch?.unshapedSelected) console.error(`[slow] a selected pair's port was not shaped: ${watch.events.join('; ')}`)
    if (trace) {
      for (const [side, page] of [['good', good.page], ['slow', slow.page]] as const) {
        for (const [at, ms] of await subscriberGaps(page)) console.error(`[gap] ${side} ${((at - start) / 1000).toFixed(2)} s after connected, ${Math.round(ms)} ms without a painted frame`)
      }
    }
    return { samples, linkLine, pauses }
  } finally {
    queue?.stop()
    await watch?.stop()
    for (const participant of open) await participant.close().catch(() => undefined)
    releaseLoopback()
  }
}
