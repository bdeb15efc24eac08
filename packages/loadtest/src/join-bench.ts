// Join benchmark (issue 10): the time from a Join click to the first decoded remote frame, for three
// clients on the same hub, trials alternating between them: the Parley web app (apps/web/dist, as the
// hub serves it), the official inLive SDK (@inlivedev/inlive-js-sdk 0.21.4, a dev dependency, in a
// minimal page: join-clients/sdk.html) and the seed tutorial's client (packages/hub/e2e/clients).
// Each trial: a fresh room, one participant of that client joins and connects, then a second one
// clicks Join; the figure is, in the newcomer's page, performance.now() at the click (capture phase)
// to the first remote <video> with videoWidth > 0 (checked every 5 ms and on `resize`, which fires
// with the first decoded frame). Prints one table; asserts nothing about speed.
//
//   flock /tmp/parley-e2e.lock unshare -n sh -c 'ip link set lo up && PARLEY_NETNS=lo \
//     npm run pnpm -- --filter @parley/loadtest run join -- --trials 9'
import { rmSync } from 'node:fs'
import { loadavg } from 'node:os'
import type { Browser, Page } from 'playwright-core'
import { startTestHub, type TestHub } from '@parley/hub/testing'
import { assertLoopbackOnly, launchChromium, newParticipantPage, pollUntil, startStaticServer, type ParticipantPage } from '@parley/testkit'
import { type Kind, type KindName, kinds, sdkPageDir, TUTORIAL_DIR, WEB_DIST } from './join-clients.js'
import { median } from './join-stats.js'

/** In the page: the Join click's time and the first decoded remote frame's. */
async function armProbe(page: Page, joinSelector: string, remoteVideoSelector: string): Promise<void> {
  await page.evaluate(
    ({ joinSelector, remoteVideoSelector }) => {
      const probe: { clickedAt?: number; frameAt?: number } = {}
      ;(globalThis as { __joinProbe?: typeof probe }).__joinProbe = probe
      document.addEventListener(
        'click',
        (event) => {
          if (probe.clickedAt === undefined && event.target instanceof Element && event.target.closest(joinSelector)) probe.clickedAt = performance.now()
        },
        { capture: true },
      )
      const check = () => {
        if (probe.frameAt !== undefined) return
        for (const video of document.querySelectorAll<HTMLVideoElement>(remoteVideoSelector)) {
          if (video.videoWidth > 0) {
            probe.frameAt = performance.now()
            clearInterval(timer)
            return
          }
          video.addEventListener('resize', check)
        }
      }
      const timer = setInterval(check, 5)
    },
    { joinSelector, remoteVideoSelector },
  )
}

async function readProbe(page: Page): Promise<{ clickedAt?: number; frameAt?: number }> {
  return page.evaluate(() => ({ ...(globalThis as { __joinProbe?: { clickedAt?: number; frameAt?: number } }).__joinProbe }))
}

async function createRoom(hubUrl: string): Promise<string> {
  const response = await fetch(`${hubUrl}/v1/rooms/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"bench"}' })
  const body = (await response.json()) as { data: { id: string } }
  return body.data.id
}

async function trial(browser: Browser, kind: Kind, hubUrl: string): Promise<number> {
  const roomId = await createRoom(hubUrl)
  const open: ParticipantPage[] = []
  try {
    const existing = await newParticipantPage(browser, { viewport: { width: 800, height: 600 } })
    open.push(existing)
    await kind.open(existing.page, roomId, 'Existing')
    await existing.page.click(kind.joinSelector)
    await pollUntil(async () => ((await kind.connected(existing.page)) ? true : undefined), { timeoutMs: 20_000, description: 'the existing participant to connect' })
    const newcomer = await newParticipantPage(browser, { viewport: { width: 800, height: 600 } })
    open.push(newcomer)
    await kind.open(newcomer.page, roomId, 'Newcomer')
    await armProbe(newcomer.page, kind.joinSelector, kind.remoteVideoSelector)
    await newcomer.page.click(kind.joinSelector)
    const probe = await pollUntil(
      async () => {
        const read = await readProbe(newcomer.page)
        return read.clickedAt !== undefined && read.frameAt !== undefined ? read : undefined
      },
      { timeoutMs: 30_000, intervalMs: 20, description: "the newcomer's first remote frame" },
    )
    return probe.frameAt! - probe.clickedAt!
  } finally {
    for (const participant of open) await participant.close().catch(() => undefined)
  }
}

function parseArgs(argv: string[]): { trials: number; warmup: number } {
  const options = { trials: 9, warmup: 1 }
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index]
    const value = Number(argv[index + 1])
    if (flag === '--trials' && Number.isInteger(value) && value > 0) options.trials = value
    else if (flag === '--warmup' && Number.isInteger(value) && value >= 0) options.warmup = value
    else if (flag === '--') continue
    else throw new Error(`unknown or bad option ${flag} (use --trials N --warmup N)`)
    index++
  }
  return options
}

const options = parseArgs(process.argv.slice(2))
assertLoopbackOnly()
const sdkDir = sdkPageDir()
let hub: TestHub | undefined
const servers: { close(): Promise<void> }[] = []
let browser: Browser | undefined
try {
  hub = await startTestHub({ staticDir: WEB_DIST })
  const sdkServer = await startStaticServer(sdkDir)
  const tutorialServer = await startStaticServer(TUTORIAL_DIR)
  servers.push(sdkServer, tutorialServer)
  browser = await launchChromium()
  const all = kinds(hub.url, sdkServer.url, tutorialServer.url)
  const order: KindName[] = ['parley', 'sdk', 'tutorial']
  const results: Record<KindName, number[]> = { parley: [], sdk: [], tutorial: [] }
  const loads: number[] = []
  for (let round = 0; round < options.warmup + options.trials; round++) {
    for (const name of order) {
      const ms = await trial(browser, all[name], hub.url)
      const counted = round >= options.warmup
      if (counted) results[name].push(ms)
      console.error(`[join] round ${round + 1}${counted ? '' : ' (warm-up)'} ${name}: ${ms.toFixed(0)} ms, load ${loadavg()[0]!.toFixed(2)}`)
    }
    loads.push(loadavg()[0]!)
  }
  const sdkMedian = median(results.sdk)
  console.log(`\nJoin click → first decoded remote frame, 2 participants, same hub, ${options.trials} trials each (alternating), load avg ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}\n`)
  console.log('| client | median ms | min | max | ÷ official SDK median |')
  console.log('|---|---|---|---|---|')
  for (const name of order) {
    const values = results[name]
    const row = [all[name].label, median(values).toFixed(0), Math.min(...values).toFixed(0), Math.max(...values).toFixed(0), (median(values) / sdkMedian).toFixed(2)]
    console.log(`| ${row.join(' | ')} |`)
  }
  console.log(`\nall figures ms: ${order.map((name) => `${name} ${results[name].map((value) => value.toFixed(0)).join(',')}`).join('; ')}`)
} finally {
  await browser?.close()
  for (const server of servers) await server.close()
  await hub?.close()
  rmSync(sdkDir, { recursive: true, force: true })
}
