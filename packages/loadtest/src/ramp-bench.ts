// Bitrate-ramp benchmark (issue 10): how fast a publisher's send bitrate grows through the hub on a clean
// loopback, and where it settles on a constrained one, for a Chromium and for a Firefox ESR publisher.
// Two pages (each publishes its fake 640x480 camera and receives the other; the subscriber is always the seed
// tutorial's client in Chromium, the Firefox publisher runs in its own process); the publisher is the tutorial's
// client too, or Parley's own web app (`--clients tutorial,parley`, ramp-clients.ts: both, alternating per
// round, as the hubs do); the publisher's
// getStats() is read 1, 2, 5, 10 and 15 s after its connection came up: available outgoing bitrate (its
// bandwidth estimate), what it actually sends, its video resolution, the loss its receiver reports (the
// hub's), and on the other page the freezes of that video. Prints one table; asserts nothing.
// A second table gives, per sample, what explains a freeze: the publisher's outbound-rtp (NACKs and PLIs it
// received, packets it resent, frames encoded, its quality limitation), the subscriber's inbound-rtp (loss,
// NACKs and PLIs it sent, frames decoded) with its longest gap between two painted frames, and the hub's
// side (its REMB to the publisher, the loss and queue delay it measured, its keyframe requests).
//
// The links (ramp-link.ts; no `tc netem` in this kernel, so htb classes and u32 filters on `lo`):
// `constrained`: an htb class of 800 kbit/s that every packet in the namespace crosses once (both
// directions, both participants, the hub's forwarding) with a 100-packet queue, and loss by bit patterns at
// bytes 40/41 (meant as ≈ 2.1 %; they miss RTP with header extensions, so its loss is mostly queue drops).
// `uplink`: only the measured publisher's packets towards the hub
// (UDP from its candidates' ports, shaped from its Join click on: ramp-uplink.ts) cross an 800 kbit/s class
// and then 2.1 % random loss (nftables on lo's ingress, each transmission on its own); all else is unlimited.
// `slow-subscriber` (ramp-slowsub.ts): three pages, the publisher and two audio-only subscribers, one of them
// behind a `--slow-rate` downlink (one run per rate), unshaped `--slow-until` s after the publisher connected
// if given; its own per-second table, a summary per run, and the slow one's video: when the hub paused and
// resumed it (ramp-slowsub-video.ts).
//
//   flock /tmp/parley-e2e.lock unshare -n sh -c 'ip link set lo up && PARLEY_NETNS=lo \
//     npm run pnpm -- --filter @parley/loadtest run ramp -- [--publishers chromium,firefox] \
//     [--links clean,constrained,uplink,slow-subscriber] [--uplink-rate 800kbit] [--slow-rate 300kbit[,600kbit]] [--slow-seconds 45] [--slow-until S] [--good-subscribers 1] [--rounds 1] [--clients tutorial,parley] \
//     [--hubs current] [--before-hub DIR[,DIR…]] [--before-dist [LABEL=]DIR[,…]] [--trace]'
//
// --hubs names werift media planes and `ndc`, the node-datachannel plane (RAMP_HUBS below), --before-hub DIR[,DIR…] adds other versions of the
// hub's source as hubs `before` (`before1`, `before2`…); with more than one, every (publisher, link) is run on each in turn, alternating
// which goes first per round, so before and after share the run and its load. --before-dist [LABEL=]DIR[,…]
// adds other builds of Parley's web app (e.g. main's: `git archive main | tar -x -C DIR`, install and build
// there, DIR/apps/web/dist), each served by a hub of this checkout's code named LABEL; only `parley` runs on them.
import { existsSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { createWeriftMediaPlane, type WeriftMediaPlane, type WeriftMediaPlaneOptions } from '@parley/hub/werift'
import { createWorkerMediaPlane } from '@parley/hub/workers'
import { createNdcMediaPlane, type NdcMediaPlane } from '@parley/hub/ndc'
import { startTestHub } from '@parley/hub/testing'
import { assertLoopbackOnly, launchChromium, newParticipantPage, pollUntil, startStaticServer } from '@parley/testkit'
import { createRoom } from './create-room.js'
import { hubVersionLabels, importHubVersion, type HubVersion } from './hub-version.js'
import { TUTORIAL_DIR, WEB_DIST } from './join-clients.js'
import { parseRampArgs, type PublisherBrowser, type RampClient, roundOrder } from './ramp-args.js'
import { audioOnlyCamera, type OpenPage, openPublisher, RAMP_CLIENT_KINDS, tutorialUrl } from './ramp-clients.js'
import { constrainLoopback, describeLinkCounters, type Link, prepareUplink, readQdiscCounters, readUplinkDropped, releaseLoopback } from './ramp-link.js'
import { watchUplink, type UplinkWatch } from './ramp-uplink.js'
import { runSlowSubscriber, SLOW_JOIN_S } from './ramp-slowsub.js'
import { SLOW_TABLE_HEAD, SUMMARY_HEAD, slowRow, summarise, summaryRow } from './ramp-slowsub-table.js'
import { VIDEO_HEAD, summariseVideo, videoRow } from './ramp-slowsub-video.js'
import { publisherStats, subscriberGaps, subscriberStats, watchSubscriberFrames } from './ramp-stats.js'
import { DETAIL_TABLE_HEAD, detailRow, LINK_TABLE_HEAD, linkLabel, linkRow, RAMP_TABLE_HEAD, rampRow, type Sample } from './ramp-table.js'

/**
 * The hubs `--hubs` can name: werift plane options, and the room's bitrates. `current` is the plane as
 * configured by default; `ndc` the node-datachannel plane (the hub's `--media-plane ndc`, its defaults).
 */
const RAMP_HUBS: Record<string, { plane: WeriftMediaPlaneOptions | 'ndc'; bitrates?: Record<string, number>; workers?: number; nice?: number | null }> = {
  current: { plane: {} },
  ndc: { plane: 'ndc' },
  // The werift plane in one media worker thread, as the hub's CLI runs it by default (one per core): its
  // event loop, which stamps the transport-cc arrivals, then carries the room's media and peers only, not
  // the HTTP API, the events stream and this bench's Playwright. No counters from it: the hub's PLI
  // columns read NaN.
  workers: { plane: {}, workers: 1 },
  // (stop 43) The same with the worker's thread left at the default priority (before thread-priority.ts).
  'workers-nice0': { plane: {}, workers: 1, nice: null },
  // A room whose estimate may go down to 88 kbit/s (video_low 40 + audio 48) instead of 165 (90 + audio_red 75).
  'low-floor': { plane: {}, bitrates: { video_low: 40_000, audio_red: 48_000 } },
  // transport-cc with only the room's ceiling and the subscribers' loss in the REMB (the default sends the hub's whole estimate).
  'twcc-bounds': { plane: { rembWithTransportCc: 'bounds' } },
  // No transport-cc: the hub's REMB estimate alone, as before stop 28.
  'remb-only': { plane: { transportCc: false } },
}

const SAMPLE_AT_S = [1, 2, 5, 10, 15]

/** One hub under test: its plane (for its counters) and the last estimate it logged per publisher. */
interface RampHub {
  url: string
  bitrates: Record<string, number> | undefined
  plane: Pick<WeriftMediaPlane, 'stats'> | NdcMediaPlane
  lastEstimate: Map<string, { estimate: number; lossFraction: number; queueDelayMs: number }>
  videoPauses: { at: number; subscriber: string; publisher: string; paused: boolean }[]
  close(): Promise<void>
}

/** The hub's code: this checkout's, or another version's (`--before-hub`, hub-version.ts). */
type HubCode = Pick<HubVersion, 'createWeriftMediaPlane' | 'startTestHub'>

/** `trace`: print the hub's estimate, probe and keyframe log lines (`--trace`); `workers` > 0: the plane in media worker threads. */
async function startRampHub(options: WeriftMediaPlaneOptions | 'ndc', bitrates: Record<string, number> | undefined, trace: boolean, code: HubCode = { createWeriftMediaPlane, startTestHub }, staticDir = WEB_DIST, workers = 0, nice?: number | null): Promise<RampHub> {
  const lastEstimate = new Map<string, { estimate: number; lossFraction: number; queueDelayMs: number }>()
  const videoPauses: RampHub['videoPauses'] = []
  // Both planes log the same lines (feedback.ts' estimate, video-pause.ts' pause and resume).
  const log: NonNullable<WeriftMediaPlaneOptions['log']> = (level, msg, fields) => {
    if (msg === 'bandwidth estimate' && fields && typeof fields.clientId === 'string') {
      if (trace) console.error(`[estimate] ${new Date().toISOString().slice(17, 23)} ${fields.clientId.slice(0, 6)} ${JSON.stringify({ ...fields, clientId: undefined })}`)
      lastEstimate.set(fields.clientId, { estimate: Number(fields.estimate), lossFraction: Number(fields.lossFraction), queueDelayMs: Number(fields.queueDelayMs) })
    } else if ((msg === 'video paused' || msg === 'video resumed') && typeof fields?.clientId === 'string') {
      videoPauses.push({ at: Date.now(), subscriber: fields.clientId, publisher: String(fields.publisher), paused: msg === 'video paused' })
      if (trace) console.error(`[pause] ${new Date().toISOString().slice(17, 23)} ${fields.clientId.slice(0, 6)} ${msg} ${JSON.stringify({ ...fields, clientId: undefined })}`)
    } else if (trace && msg === 'probe' && typeof fields?.clientId === 'string') {
      console.error(`[probe] ${new Date().toISOString().slice(17, 23)} ${fields.clientId.slice(0, 6)} ${JSON.stringify({ ...fields, clientId: undefined })}`)
    } else if (trace && (msg === 'keyframe requested' || msg === 'keyframe arrived') && typeof fields?.clientId === 'string') {
      console.error(`[keyframe] ${new Date().toISOString().slice(17, 23)} ${fields.clientId.slice(0, 6)} ${msg}${fields.rids ? ` ${JSON.stringify(fields.rids)}` : ''}${fields.afterRequestMs === undefined ? '' : ` ${String(fields.afterRequestMs)} ms after the request`}`)
    } else if (msg === 'path delay step') {
      // Always printed: a rebase on a bottleneck's link would hide a real queue (hub queue-baseline.ts).
      console.error(`[path delay step] ${new Date().toISOString().slice(17, 23)} ${JSON.stringify(fields ?? {})}`)
    } else if (trace && (msg.startsWith('simulcast') || msg === 'held keyframe forwarded')) {
      console.error(`[simulcast] ${new Date().toISOString().slice(17, 23)} ${msg} ${JSON.stringify(fields ?? {})}`)
    } else if (level === 'warn' || level === 'error') console.error(`[hub] ${msg}`, fields ?? '')
  }
  const mediaPlane = options === 'ndc' ? createNdcMediaPlane({ log }) : workers > 0 ? createWorkerMediaPlane({ workers, log, ...(nice === undefined ? {} : { nice }) }) : code.createWeriftMediaPlane({ ...options, log })
  const plane = 'stats' in mediaPlane ? mediaPlane : { stats: () => ({}) as ReturnType<WeriftMediaPlane['stats']> }
  // It serves Parley's app too (as the join bench's hubs do), for `--clients parley`.
  const hub = await code.startTestHub({ mediaPlane, staticDir })
  return { url: hub.url, bitrates, plane, lastEstimate, videoPauses, close: () => hub.close() }
}

/** What one run gives: its samples, and on a shaped link what the link did (undefined on `clean`). */
interface RampRun {
  samples: Sample[]
  linkLine: string | undefined
}

interface RampRunOptions {
  publisherKind: PublisherBrowser
  client: RampClient
  browser: Browser
  hub: RampHub
  pagesUrl: string
  /** Every origin a publisher page may come from (Firefox's permission file). */
  origins: string[]
  link: Link
  uplinkRate: string
  trace: boolean
  /** `--late-join S` (ramp-args.ts): a third, audio-only page joins S s after the publisher connected. */
  lateJoinS: number | null
}

async function run({ publisherKind, client, browser, hub, pagesUrl, origins, link, uplinkRate, trace, lateJoinS }: RampRunOptions): Promise<RampRun> {
  const kind = RAMP_CLIENT_KINDS[client]
  const roomId = await createRoom(hub, 'ramp', hub.bitrates ? { bitrates: hub.bitrates } : undefined)
  const open: OpenPage[] = []
  if (link === 'constrained') constrainLoopback()
  if (link === 'uplink') prepareUplink(uplinkRate)
  let uplink: UplinkWatch | undefined
  try {
    const publisher = await openPublisher(publisherKind, browser, origins, kind.initScripts)
    const subscriber = await newParticipantPage(browser, { viewport: { width: 800, height: 600 } })
    open.push(publisher, subscriber)
    await kind.open(publisher.page, { hub: hub.url, tutorial: pagesUrl }, roomId)
    await subscriber.page.goto(tutorialUrl(pagesUrl, hub.url, roomId))
    await watchSubscriberFrames(subscriber.page)
    // The watch starts before the click: Parley's app gathers on its pre-join (its warm-up), and a page busy
    // with the click's render answers getStats late (its ports were first shaped 239–487 ms after the click,
    // once after ICE had connected; ms before the click read negative).
    const clickedAt = Date.now()
    if (link === 'uplink') uplink = watchUplink(publisher.page, clickedAt)
    await publisher.page.click(kind.joinSelector)
    await pollUntil(async () => ((await kind.connected(publisher.page)) ? true : undefined), { timeoutMs: 30_000, intervalMs: 20, description: 'the publisher to connect' })
    const publisherId = await pollUntil(async () => (await kind.clientId(publisher.page)) ?? undefined, { timeoutMs: 5_000, intervalMs: 20, description: "the publisher's client id" })
    const start = Date.now()
    if (trace) console.error(`[ramp] ${new Date(start).toISOString().slice(17, 23)} publisher ${publisherId.slice(0, 6)} connected; the subscriber joins`)
    await subscriber.page.click(RAMP_CLIENT_KINDS.tutorial.joinSelector)
    const lateJoin =
      lateJoinS === null
        ? undefined
        : (async () => {
            const late = await newParticipantPage(browser, { viewport: { width: 320, height: 240 } })
            open.push(late)
            await late.context.addInitScript(audioOnlyCamera)
            await late.page.goto(tutorialUrl(pagesUrl, hub.url, roomId))
            const wait = start + lateJoinS * 1000 - Date.now()
            if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait)) // the join's moment itself
            if (trace) console.error(`[ramp] ${new Date().toISOString().slice(17, 23)} a third page joins`)
            await late.page.click(RAMP_CLIENT_KINDS.tutorial.joinSelector)
          })().catch((error: unknown) => console.error(`[ramp] the late join failed: ${String(error)}`))
    const samples: Sample[] = []
    const counters0 = hub.plane.stats()
    let previous = await publisherStats(publisher.page)
    // --trace: the publisher's own estimate (available outgoing bitrate) and what it sends, every 500 ms,
    // beside the hub's estimate ticks, to see which of the two binds.
    let tracing = trace
    const tracePublisher = async () => {
      let last = previous
      while (tracing) {
        await new Promise((resolve) => setTimeout(resolve, 500))
        if (!tracing) break
        const now = await publisherStats(publisher.page).catch(() => undefined)
        if (!now) break
        const seconds = (now.at - last.at) / 1000
        const sent = seconds > 0 ? Math.round(((now.bytesSent - last.bytesSent) * 8) / seconds / 1000) : null
        console.error(`[publisher] ${new Date().toISOString().slice(17, 23)} ${publisherId.slice(0, 6)} available ${now.available === null ? '-' : Math.round(now.available / 1000)} kbps, video sent ${sent} kbps, ${now.resolution}, ${now.limitation}${now.layers.length > 0 ? ` [${now.layers.sort().join('; ')}]` : ''}`)
        last = now
      }
    }
    const traced = tracePublisher()
    for (const atS of SAMPLE_AT_S) {
      const wait = start + atS * 1000 - Date.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait)) // the sampling schedule itself
      const now = await publisherStats(publisher.page)
      const subscriberNow = await subscriberStats(subscriber.page)
      const counters = hub.plane.stats()
      const estimate = hub.lastEstimate.get(publisherId)
      const seconds = (now.at - previous.at) / 1000
      samples.push({
        atS,
        availableKbps: now.available === null ? null : now.available / 1000,
        sentKbps: seconds > 0 ? ((now.bytesSent - previous.bytesSent) * 8) / seconds / 1000 : null,
        targetKbps: seconds > 0 && now.bytesTarget !== null ? ((now.bytesTarget - (previous.bytesTarget ?? 0)) * 8) / seconds / 1000 : null,
        resolution: now.resolution,
        remoteLossPercent: now.fractionLost === null ? null : now.fractionLost * 100,
        publisher: now,
        subscriber: subscriberNow,
        hub: {
          estimateKbps: estimate ? estimate.estimate / 1000 : null,
          hubLossPercent: estimate ? estimate.lossFraction * 100 : null,
          queueDelayMs: estimate ? estimate.queueDelayMs : null,
          keyframeRequests: counters.keyframeRequestsSent - counters0.keyframeRequestsSent,
          unanswerableNackKeyframes: counters.unanswerableNackKeyframeRequests - counters0.unanswerableNackKeyframeRequests,
        },
        load: loadavg()[0]!,
      })
      previous = now
    }
    tracing = false
    await traced
    let linkLine: string | undefined
    if (link !== 'clean') {
      await uplink?.stop()
      const connectedAfter = `connected ${start - clickedAt} ms after the join click`
      linkLine = `${describeLinkCounters(link, readQdiscCounters(), link === 'uplink' ? readUplinkDropped() : 0)}; ${connectedAfter}${uplink ? `; ${uplink.events.join('; ')}` : ''}`
      if (uplink?.unshapedSelected) console.error(`[uplink] ${publisherId.slice(0, 6)}: a selected pair's port was not shaped: ${uplink.events.join('; ')}`)
    }
    if (trace) {
      // What the hub's RTCP said over the run, both publishers together (a hub version without a counter: absent).
      const counters = hub.plane.stats() as unknown as Record<string, number>
      const start0 = counters0 as unknown as Record<string, number>
      const delta = Object.fromEntries(['transportCcReportedLost', 'transportCcReportedReceived', 'transportCcLateArrivals', 'nacksRelayed', 'nacksCoalesced', 'keyframeRequestsSent', 'unanswerableNackKeyframeRequests', 'subscriberKeyframeRequests'].filter((name) => typeof counters[name] === 'number').map((name) => [name, counters[name]! - start0[name]!]))
      console.error(`[counters] ${publisherId.slice(0, 6)} ${JSON.stringify(delta)}`)
      for (const [at, ms] of await subscriberGaps(subscriber.page)) console.error(`[gap] ${new Date(at).toISOString().slice(17, 23)} ${publisherId.slice(0, 6)} ${((at - start) / 1000).toFixed(2)} s after connected, ${Math.round(ms)} ms without a painted frame`)
    }
    // A subscriber that never painted a frame has no gap to measure: its longest gap reads 0 (stop 41 saw
    // whole runs like that on the constrained link), so it is said, always.
    await lateJoin
    const last = samples.at(-1)
    if (last && last.subscriber.framesDecoded === 0) console.error(`[ramp] ${publisherId.slice(0, 6)}: the subscriber decoded no frame of the publisher's video in ${last.atS} s (its longest gap reads 0)`)
    return { samples, linkLine }
  } finally {
    await uplink?.stop()
    for (const participant of open) await participant.close().catch(() => undefined)
    if (link !== 'clean') releaseLoopback()
  }
}

const args = parseRampArgs(process.argv.slice(2), Object.keys(RAMP_HUBS))
const { publishers, links, clients, rounds, uplinkRate } = args
/** --before-hub DIR[,DIR…]: other versions of the hub's `src` (hub-version.ts), run as hubs `before` (`before1`, `before2`… for more) beside the others. */
const beforeHubs = hubVersionLabels(args.beforeHub)
const hubNames = [...args.hubs, ...beforeHubs.map((version) => version.label), ...args.beforeDists.map((dist) => dist.label)]
/** The hubs serving another build of the app (`--before-dist`): only Parley's client runs there. */
const distHubs = new Set(args.beforeDists.map((dist) => dist.label))

assertLoopbackOnly()
releaseLoopback()
const hubs = new Map<string, RampHub>()
for (const name of hubNames) {
  const version = beforeHubs.find((candidate) => candidate.label === name)
  const dist = args.beforeDists.find((candidate) => candidate.label === name)
  if (dist) {
    if (!existsSync(join(dist.dir, 'index.html'))) throw new Error(`--before-dist: no ${dist.dir}/index.html (a web app's dist)`)
    console.error(`[ramp] hub ${name}: this checkout's hub serving ${dist.dir}`)
    hubs.set(name, await startRampHub({}, undefined, args.trace, undefined, dist.dir))
  } else if (version) {
    const code = await importHubVersion(version.path)
    console.error(`[ramp] hub ${name}: ${code.dir}`)
    hubs.set(name, await startRampHub({}, undefined, args.trace, code))
  } else hubs.set(name, await startRampHub(RAMP_HUBS[name]!.plane, RAMP_HUBS[name]!.bitrates, args.trace, undefined, undefined, RAMP_HUBS[name]!.workers, RAMP_HUBS[name]!.nice))
}
const pages = await startStaticServer(TUTORIAL_DIR)
/** Every origin a publisher page may come from (Firefox's permission file). */
const origins = [pages.url, ...[...hubs.values()].map((each) => each.url)]
const browser = await launchChromium()
try {
  const rows: string[] = []
  const details: string[] = []
  const linkRows: string[] = []
  const slowRows: string[] = []
  const slowSummaries: string[] = []
  const slowVideo: string[] = []
  for (let round = 1; round <= rounds; round++) {
    for (const publisher of publishers) {
      for (const link of links) {
        for (const client of roundOrder(clients, round)) for (const hubName of roundOrder(hubNames, round)) {
          if (client !== 'parley' && distHubs.has(hubName)) continue
          if (link === 'slow-subscriber') {
            for (const rate of roundOrder(args.slowRates, round)) {
              const label = `${hubName} r${round}`
              console.error(`[ramp] ${label}: ${publisher} ${client}, slow subscriber at ${rate}…`)
              const { samples, linkLine, pauses } = await runSlowSubscriber({ publisherKind: publisher, client, browser, hub: hubs.get(hubName)!, pagesUrl: pages.url, origins, rate, seconds: args.slowSeconds, until: args.slowUntil, goodSubscribers: args.goodSubscribers, trace: args.trace, simulcast: args.simulcast })
              for (const sample of samples) slowRows.push(slowRow(label, `${publisher} ${client}`, rate, sample))
              slowSummaries.push(summaryRow(label, `${publisher} ${client}`, rate, summarise(samples, SLOW_JOIN_S), loadavg()[0]!))
              slowVideo.push(videoRow(label, `${publisher} ${client}`, rate, summariseVideo(samples, pauses, SLOW_JOIN_S, args.slowUntil), SLOW_JOIN_S, args.slowUntil, loadavg()[0]!))
              linkRows.push(linkRow(label, publisher, client, `slow subscriber ${rate}`, linkLine))
            }
            continue
          }
          const linkName = linkLabel(link, uplinkRate)
          const label = hubNames.length > 1 || rounds > 1 ? `${hubName} r${round}` : hubName
          console.error(`[ramp] ${label}: ${publisher} ${client}, ${linkName}…`)
          const { samples, linkLine } = await run({ publisherKind: publisher, client, browser, hub: hubs.get(hubName)!, pagesUrl: pages.url, origins, link, uplinkRate, trace: args.trace, lateJoinS: args.lateJoinS })
          for (const sample of samples) {
            rows.push(rampRow(label, publisher, client, linkName, sample))
            details.push(detailRow(label, publisher, client, linkName, sample))
          }
          if (linkLine !== undefined) linkRows.push(linkRow(label, publisher, client, linkName, linkLine))
        }
      }
    }
  }
  if (slowRows.length > 0) {
    const more = args.goodSubscribers > 1 ? ` (--good-subscribers ${args.goodSubscribers}: ${args.goodSubscribers} good ones join together; the tables show the first, the video table each one's kbps)` : ''
    console.log(`\nThe slowest subscriber: one publisher, two subscribers${more} (the tutorial client in Chromium, 320x240, audio only); the good one joins as the publisher connects, the slow one ${SLOW_JOIN_S} s later behind its rate class; once a second after the publisher connected (subscriber kbps/fps/loss: over the last second; freezes and gaps: cumulative).\n`)
    for (const line of [...SLOW_TABLE_HEAD, ...slowRows]) console.log(line)
    console.log(`\nPer run (dragged: a second after the slow one's join in which the good one received under 60 % of its full rate before it).\n`)
    for (const line of [...SUMMARY_HEAD, ...slowSummaries]) console.log(line)
    console.log(`\nThe slow subscriber's video and what the others kept (the hub's 'video paused' / 'video resumed' log lines; a hub without the rule logs none)${args.slowUntil === null ? '' : `; its link unshaped ${args.slowUntil} s after the publisher connected`}.\n`)
    for (const line of [...VIDEO_HEAD, ...slowVideo]) console.log(line)
  }
  if (rows.length > 0) {
    console.log('\nPublisher through the hub (the publisher: the client named in its row, fake 640x480 camera; the subscriber: the tutorial client in Chromium); seconds after the publisher connected.')
    console.log('Firefox reports no available outgoing bitrate (its getStats has no availableOutgoingBitrate): "-"; its encoder target is the estimate\'s share for video.\n')
    for (const line of [...RAMP_TABLE_HEAD, ...rows]) console.log(line)
    console.log('\nWhy (cumulative since the publisher connected): publisher outbound-rtp video, subscriber inbound-rtp video, and the hub: its last REMB to the publisher, the loss and queue delay of its last estimation tick, its PLIs to the publisher (of which for a NACK it could not answer).\n')
    for (const line of [...DETAIL_TABLE_HEAD, ...details]) console.log(line)
  }
  if (linkRows.length > 0) {
    console.log('\nThe link per run (tc counters over the run: constrained, every packet on lo; uplink, the publisher\'s packets to the hub; slow subscriber, what was sent to it), and for uplink and slow subscriber when each port (the publisher\'s, the slow subscriber\'s) was shaped, in ms after its Join click.\n')
    for (const line of [...LINK_TABLE_HEAD, ...linkRows]) console.log(line)
  }
} finally {
  await browser.close()
  await pages.close()
  for (const hub of hubs.values()) await hub.close()
  releaseLoopback()
}
// With an ndc hub the process stayed alive after everything above had closed (as the join bench's, see
// join-bench.ts: something native of node-datachannel's), holding the shared lock. The tables are out: done.
process.exit(process.exitCode ?? 0)
