// Benchmark (figures printed, not asserted beyond "frames were decoded"):
// 1. Join to first remote frame, 2 participants: the newcomer's time from its Join click to the first
//    requestVideoFrameCallback of the existing participant's video, measured in the page; median of RUNS.
// 2. Hub CPU (% of one core, process.cpuUsage delta) and RSS over a WINDOW_MS window with 4 participants
//    at the fake camera's 640x480, once all 12 remote videos decode.
// The hub runs in its own `node` process (hub-process.mjs) so Playwright's work in this process is not
// counted. Chromium shares the 2 cores with it: the hub figures are upper bounds under contention.
// Uses the current-generation test client (clients/current.js). See vitest.config.ts for how to run.
import { fork, type ChildProcess } from 'node:child_process'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  assertLoopbackOnly,
  launchChromium,
  newParticipantPage,
  pollUntil,
  sampleVideo,
  startStaticServer,
  waitForDecodedVideo,
  type ParticipantPage,
  type RunningServer,
} from '@parley/testkit'
import { CLIENTS_DIR, clickJoin, clickLeave, openClient, snapshot } from '../e2e/browser-clients.js'

const RUNS = Number(process.env.PARLEY_BENCH_RUNS ?? 5)
const WINDOW_MS = Number(process.env.PARLEY_BENCH_WINDOW_MS ?? 10_000)

interface Usage { cpu: NodeJS.CpuUsage; rss: number; at: number }

class HubProcess {
  private nextId = 1
  private constructor(private readonly child: ChildProcess, readonly url: string, readonly baselineRss: number) {}

  static async start(): Promise<HubProcess> {
    const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))
    const child = fork(here('./hub-process.mjs'), [], {
      cwd: here('..'),
      execArgv: ['--conditions=parley-source', '--import', here('./register-ts.mjs')],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    const ready = await new Promise<{ url: string; baselineRss: number }>((resolve, reject) => {
      child.once('error', reject)
      child.once('exit', (code) => reject(new Error(`hub process exited early (${code})`)))
      child.on('message', (message: { type: string; url?: string; baselineRss?: number }) => {
        if (message.type === 'ready' && message.url) resolve({ url: message.url.replace(/\/+$/, ''), baselineRss: message.baselineRss ?? 0 })
      })
    })
    return new HubProcess(child, ready.url, ready.baselineRss)
  }

  usage(): Promise<Usage> {
    const id = this.nextId++
    return new Promise((resolve) => {
      const onMessage = (message: { type: string; id?: number } & Usage) => {
        if (message.type !== 'usage' || message.id !== id) return
        this.child.off('message', onMessage)
        resolve({ cpu: message.cpu, rss: message.rss, at: message.at })
      }
      this.child.on('message', onMessage)
      this.child.send({ type: 'usage', id })
    })
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return
    const exited = new Promise((resolve) => this.child.once('exit', resolve))
    this.child.send({ type: 'close' })
    const timer = setTimeout(() => this.child.kill('SIGTERM'), 5_000)
    await exited
    clearTimeout(timer)
  }
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

async function joinParticipant(browser: Browser, pagesUrl: string, hubUrl: string, roomId: string | undefined, name: string) {
  const participant = await newParticipantPage(browser, { viewport: { width: 800, height: 600 } })
  await openClient(participant, 'current', { pagesUrl, hubUrl, roomId, name })
  const state = await clickJoin(participant.page, 'current')
  return { participant, state }
}

/** Waits until the page decodes `count` remote videos; returns their frame counters. */
async function waitForRemoteVideos(page: Page, count: number, timeoutMs: number) {
  const handles = await pollUntil(async () => {
    const found = await page.$$('video.remote')
    return found.length >= count ? found : undefined
  }, { timeoutMs, description: `${count} remote videos` })
  return Promise.all(handles.map((handle) => waitForDecodedVideo(page, handle, { minFramesGrowth: 10, timeoutMs })))
}

async function epochs(page: Page): Promise<{ joinClickedEpochMs: number | null; firstRemoteFrameEpochMs: number | null }> {
  return page.evaluate(() => {
    const { state } = (globalThis as unknown as { __current: { state: { joinClickedEpochMs: number | null; firstRemoteFrameEpochMs: number | null } } }).__current
    return { joinClickedEpochMs: state.joinClickedEpochMs, firstRemoteFrameEpochMs: state.firstRemoteFrameEpochMs }
  })
}

async function framesOf(page: Page): Promise<number[]> {
  const handles = await page.$$('video.remote')
  const samples = await Promise.all(handles.map((handle) => sampleVideo(page, handle)))
  return samples.map((sample) => sample?.frames ?? 0)
}

describe('hub benchmark: join time and CPU', () => {
  let hub: HubProcess | undefined
  let pages: RunningServer | undefined
  let browser: Browser | undefined
  const open: ParticipantPage[] = []

  beforeAll(async () => {
    assertLoopbackOnly()
    hub = await HubProcess.start()
    pages = await startStaticServer(CLIENTS_DIR)
    browser = await launchChromium()
  })

  afterAll(async () => {
    for (const participant of open) await participant.close().catch(() => undefined)
    await browser?.close()
    await pages?.close()
    await hub?.close()
  })

  it(`join to first remote frame, 2 participants, median of ${RUNS}`, async () => {
    const newcomerMs: number[] = []
    const existingMs: number[] = []
    for (let run = 0; run < RUNS; run++) {
      const first = await joinParticipant(browser!, pages!.url, hub!.url, undefined, 'Existing')
      open.push(first.participant)
      // The existing participant is connected and publishing before the newcomer clicks Join.
      await pollUntil(async () => (await snapshot(first.participant.page, 'current')).connectionState === 'connected', {
        timeoutMs: 20_000,
        description: 'the first participant to connect',
      })
      const second = await joinParticipant(browser!, pages!.url, hub!.url, first.state.roomId!, 'Newcomer')
      open.push(second.participant)
      const measured = await pollUntil(async () => (await snapshot(second.participant.page, 'current')).firstRemoteFrameMs ?? undefined, {
        timeoutMs: 30_000,
        description: "the newcomer's first remote frame",
      })
      const newcomerClick = await epochs(second.participant.page)
      const existingFrame = await pollUntil(async () => (await epochs(first.participant.page)).firstRemoteFrameEpochMs ?? undefined, {
        timeoutMs: 30_000,
        description: "the existing participant's first frame of the newcomer",
      })
      existingMs.push(existingFrame - newcomerClick.joinClickedEpochMs!)
      newcomerMs.push(Math.round(measured))
      const decoded = await waitForDecodedVideo(second.participant.page, 'video.remote', { minFramesGrowth: 5, timeoutMs: 20_000 })
      expect(decoded.videoWidth).toBeGreaterThan(0)
      await clickLeave(second.participant.page, 'current')
      await clickLeave(first.participant.page, 'current')
      await second.participant.close()
      await first.participant.close()
      open.splice(0)
    }
    console.log(
      `[bench] join → first remote frame (newcomer, in-page rVFC), ${RUNS} runs: ${newcomerMs.join(', ')} ms; ` +
        `median ${median(newcomerMs)} ms, min ${Math.min(...newcomerMs)}, max ${Math.max(...newcomerMs)}`,
    )
    console.log(`[bench] existing participant's first frame of the newcomer, from the newcomer's click (Date.now in both pages): median ${median(existingMs)} ms (${existingMs.join(', ')})`)
  })

  it(`hub CPU and RSS over ${WINDOW_MS / 1000} s with 4 participants at 640x480`, async () => {
    const idle = await hub!.usage()
    const joined = [await joinParticipant(browser!, pages!.url, hub!.url, undefined, 'P1')]
    open.push(joined[0]!.participant)
    for (const name of ['P2', 'P3', 'P4']) {
      const next = await joinParticipant(browser!, pages!.url, hub!.url, joined[0]!.state.roomId!, name)
      joined.push(next)
      open.push(next.participant)
    }
    const setup = await Promise.all(joined.map(({ participant }) => waitForRemoteVideos(participant.page, 3, 60_000)))
    expect(setup.flat()).toHaveLength(12)
    expect(setup.flat().every((figures) => figures.videoWidth === 640)).toBe(true)

    const framesBefore = await Promise.all(joined.map(({ participant }) => framesOf(participant.page)))
    const before = await hub!.usage()
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS)) // the measurement window itself, not a wait for a condition
    const after = await hub!.usage()
    const framesAfter = await Promise.all(joined.map(({ participant }) => framesOf(participant.page)))

    const elapsedMs = after.at - before.at
    const cpuMs = (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000
    const fps = framesAfter.flatMap((frames, page) => frames.map((count, video) => ((count - (framesBefore[page]![video] ?? 0)) * 1000) / elapsedMs))
    expect(fps).toHaveLength(12)
    expect(fps.every((value) => value > 0)).toBe(true)
    console.log(
      `[bench] 4 participants, 640x480, ${Math.round(elapsedMs)} ms window: hub CPU ${((cpuMs / elapsedMs) * 100).toFixed(1)} % of one core ` +
        `(user+system ${cpuMs.toFixed(0)} ms), hub RSS ${(after.rss / 2 ** 20).toFixed(0)} MB (idle hub before joins ${(idle.rss / 2 ** 20).toFixed(0)} MB; ` +
        `node + TS loader before importing the hub ${(hub!.baselineRss / 2 ** 20).toFixed(0)} MB), ` +
        `load avg ${loadavg().map((value) => value.toFixed(1)).join(' ')}`,
    )
    console.log(
      `[bench] remote video fps over the window (12 streams): min ${Math.min(...fps).toFixed(1)}, median ${median(fps).toFixed(1)}, max ${Math.max(...fps).toFixed(1)}`,
    )
    for (const { participant } of joined) expect(participant.errors).toEqual([])
  })
})
