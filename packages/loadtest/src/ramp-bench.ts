// Bitrate-ramp benchmark (issue 10): how fast a publisher's send bitrate grows through the hub on a clean
// loopback, and where it settles on a constrained one, for a Chromium and for a Firefox ESR publisher.
// Two pages running the seed tutorial's client (each publishes its fake 640x480 camera and receives the
// other; the subscriber is always Chromium, the Firefox publisher runs in its own process); the publisher's
// getStats() is read 1, 2, 5, 10 and 15 s after its connection came up: available outgoing bitrate (its
// bandwidth estimate), what it actually sends, its video resolution, the loss its receiver reports (the
// hub's), and on the other page the freezes of that video. Prints one table; asserts nothing.
//
// The constrained link: `tc netem` is not available in this kernel (no sch_netem module), so it is built
// from what is: an htb class of RATE on `lo` (every packet in the namespace crosses it once, so both
// directions and both participants share it) with a PFIFO_LIMIT-packet queue, and ≈ 2.1 % random loss of
// UDP packets (two u32 filters on bit patterns of the first bytes of the SRTP payload, which are
// uniformly random, 1/64 + 1/128, sent to a class whose queue holds nothing).
//
//   flock /tmp/parley-e2e.lock unshare -n sh -c 'ip link set lo up && PARLEY_NETNS=lo \
//     npm run pnpm -- --filter @parley/loadtest run ramp'
import { execFileSync } from 'node:child_process'
import { loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { startTestHub } from '@parley/hub/testing'
import {
  assertLoopbackOnly,
  launchChromium,
  launchFirefox,
  newFirefoxParticipantPage,
  newParticipantPage,
  pollUntil,
  startStaticServer,
} from '@parley/testkit'

type PublisherBrowser = 'chromium' | 'firefox'

/** What this benchmark does with a page, in Playwright (Chromium) and puppeteer (Firefox) alike. */
interface BenchPage {
  goto(url: string): Promise<unknown>
  click(selector: string): Promise<void>
  evaluate<T>(fn: () => T | Promise<T>): Promise<T>
}

interface OpenPage {
  page: BenchPage
  close(): Promise<void>
}

/** A publisher page: a Chromium page, or one Firefox process of its own (its permission file names the pages' origin). */
async function openPublisher(kind: PublisherBrowser, chromium: Browser, pagesUrl: string): Promise<OpenPage> {
  if (kind === 'chromium') return newParticipantPage(chromium, { viewport: { width: 800, height: 600 } })
  const firefox = await launchFirefox({ origins: [pagesUrl] })
  const participant = await newFirefoxParticipantPage(firefox, { viewport: { width: 800, height: 600 } })
  return { page: participant.page, close: () => firefox.close() }
}

const here = dirname(fileURLToPath(import.meta.url))
const TUTORIAL_DIR = join(here, '../../hub/e2e/clients')
const SAMPLE_AT_S = [1, 2, 5, 10, 15]
const RATE = '800kbit'
const PFIFO_LIMIT = 100

interface Sample {
  atS: number
  availableKbps: number | null
  sentKbps: number | null
  /** What the encoder was asked for since the last row (outbound-rtp totalEncodedBytesTarget): the share of the estimate given to video. */
  targetKbps: number | null
  resolution: string
  remoteLossPercent: number | null
  freezes: number
  freezeMs: number
  load: number
}

function tc(args: string): void {
  execFileSync('tc', args.split(' '), { stdio: ['ignore', 'ignore', 'pipe'] })
}

function constrainLoopback(): void {
  tc('qdisc add dev lo root handle 1: htb default 10')
  tc(`class add dev lo parent 1: classid 1:10 htb rate ${RATE} ceil ${RATE}`)
  tc(`qdisc add dev lo parent 1:10 handle 10: pfifo limit ${PFIFO_LIMIT}`)
  tc(`class add dev lo parent 1: classid 1:20 htb rate ${RATE}`)
  tc('qdisc add dev lo parent 1:20 handle 20: pfifo limit 0')
  tc('filter add dev lo parent 1: protocol ip prio 1 u32 match ip protocol 17 0xff match u8 0x00 0x3f at 40 flowid 1:20')
  tc('filter add dev lo parent 1: protocol ip prio 2 u32 match ip protocol 17 0xff match u8 0x40 0x7f at 41 flowid 1:20')
}

function releaseLoopback(): void {
  try {
    tc('qdisc del dev lo root')
  } catch {
    // nothing was set
  }
}

/** The publisher's figures now, and the bytes it has sent so far (for the rate between two samples). */
async function publisherStats(
  page: BenchPage,
): Promise<{ available: number | null; bytesSent: number; bytesTarget: number | null; at: number; resolution: string; fractionLost: number | null }> {
  return page.evaluate(async () => {
    const pc = (globalThis as unknown as { __pcs: RTCPeerConnection[] }).__pcs.at(-1)!
    const report = await pc.getStats()
    let available: number | null = null
    let bytesSent = 0
    let bytesTarget: number | null = null
    let resolution = '-'
    let fractionLost: number | null = null
    report.forEach((stat: Record<string, unknown>) => {
      if (stat.type === 'candidate-pair' && stat.nominated && typeof stat.availableOutgoingBitrate === 'number') available = stat.availableOutgoingBitrate
      if (stat.type === 'outbound-rtp' && stat.kind === 'video') {
        bytesSent += Number(stat.bytesSent ?? 0)
        // Chromium's VP8 encoder leaves it at 0: read as "not reported".
        if (typeof stat.totalEncodedBytesTarget === 'number' && stat.totalEncodedBytesTarget > 0) bytesTarget = (bytesTarget ?? 0) + stat.totalEncodedBytesTarget
        if (stat.frameWidth) resolution = `${String(stat.frameWidth)}x${String(stat.frameHeight)}`
      }
      if (stat.type === 'remote-inbound-rtp' && stat.kind === 'video' && typeof stat.fractionLost === 'number') fractionLost = stat.fractionLost
    })
    return { available, bytesSent, bytesTarget, at: performance.now(), resolution, fractionLost }
  })
}

async function subscriberFreezes(page: BenchPage): Promise<{ freezes: number; freezeMs: number }> {
  return page.evaluate(async () => {
    const pc = (globalThis as unknown as { __pcs: RTCPeerConnection[] }).__pcs.at(-1)
    if (!pc) return { freezes: 0, freezeMs: 0 }
    const report = await pc.getStats()
    let freezes = 0
    let freezeMs = 0
    report.forEach((stat: Record<string, unknown>) => {
      if (stat.type === 'inbound-rtp' && stat.kind === 'video') {
        freezes += Number(stat.freezeCount ?? 0)
        freezeMs += Number(stat.totalFreezesDuration ?? 0) * 1000
      }
    })
    return { freezes, freezeMs }
  })
}

async function run(publisherKind: PublisherBrowser, browser: Browser, hubUrl: string, pagesUrl: string, constrained: boolean): Promise<Sample[]> {
  const roomResponse = await fetch(`${hubUrl}/v1/rooms/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"ramp"}' })
  const roomId = ((await roomResponse.json()) as { data: { id: string } }).data.id
  const open: OpenPage[] = []
  const url = `${pagesUrl}/room.html?client=seed&hub=${encodeURIComponent(hubUrl)}&roomId=${encodeURIComponent(roomId)}`
  if (constrained) constrainLoopback()
  try {
    const publisher = await openPublisher(publisherKind, browser, pagesUrl)
    const subscriber = await newParticipantPage(browser, { viewport: { width: 800, height: 600 } })
    open.push(publisher, subscriber)
    await publisher.page.goto(url)
    await subscriber.page.goto(url)
    await publisher.page.click('#togglejoin')
    const connected = (page: BenchPage) => page.evaluate(() => (globalThis as unknown as { __seed: { connectionState: string | null } }).__seed.connectionState === 'connected')
    await pollUntil(async () => ((await connected(publisher.page)) ? true : undefined), { timeoutMs: 30_000, intervalMs: 20, description: 'the publisher to connect' })
    const start = Date.now()
    await subscriber.page.click('#togglejoin')
    const samples: Sample[] = []
    let previous = await publisherStats(publisher.page)
    for (const atS of SAMPLE_AT_S) {
      const wait = start + atS * 1000 - Date.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait)) // the sampling schedule itself
      const now = await publisherStats(publisher.page)
      const freezes = await subscriberFreezes(subscriber.page)
      const seconds = (now.at - previous.at) / 1000
      samples.push({
        atS,
        availableKbps: now.available === null ? null : now.available / 1000,
        sentKbps: seconds > 0 ? ((now.bytesSent - previous.bytesSent) * 8) / seconds / 1000 : null,
        targetKbps: seconds > 0 && now.bytesTarget !== null ? ((now.bytesTarget - (previous.bytesTarget ?? 0)) * 8) / seconds / 1000 : null,
        resolution: now.resolution,
        remoteLossPercent: now.fractionLost === null ? null : now.fractionLost * 100,
        ...freezes,
        load: loadavg()[0]!,
      })
      previous = now
    }
    return samples
  } finally {
    for (const participant of open) await participant.close().catch(() => undefined)
    if (constrained) releaseLoopback()
  }
}

const format = (value: number | null, digits = 0) => (value === null ? '-' : value.toFixed(digits))

assertLoopbackOnly()
releaseLoopback()
const hub = await startTestHub()
const pages = await startStaticServer(TUTORIAL_DIR)
const browser = await launchChromium()
try {
  const rows: string[] = []
  for (const publisher of ['chromium', 'firefox'] as const) {
    for (const constrained of [false, true]) {
      const link = constrained ? `${RATE}, ≈2.1 % loss` : 'clean'
      console.error(`[ramp] ${publisher}, ${link}…`)
      for (const sample of await run(publisher, browser, hub.url, pages.url, constrained)) {
        rows.push(
          `| ${publisher} | ${link} | ${sample.atS} | ${format(sample.availableKbps)} | ${format(sample.targetKbps)} | ${format(sample.sentKbps)} | ${sample.resolution} | ${format(sample.remoteLossPercent, 1)} | ${sample.freezes} / ${sample.freezeMs.toFixed(0)} | ${sample.load.toFixed(2)} |`,
        )
      }
    }
  }
  console.log('\nPublisher through the hub (2 tutorial clients, fake 640x480 camera, Chromium subscriber); seconds after the publisher connected.')
  console.log('Firefox reports no available outgoing bitrate (its getStats has no availableOutgoingBitrate): "-"; its encoder target is the estimate\'s share for video.\n')
  console.log('| publisher | link | s | available outgoing kbps | encoder target kbps (since last row) | video sent kbps (since last row) | resolution | loss reported by the hub % | subscriber freezes / ms | load avg |')
  console.log('|---|---|---|---|---|---|---|---|---|---|')
  for (const row of rows) console.log(row)
} finally {
  await browser.close()
  await pages.close()
  await hub.close()
  releaseLoopback()
}
