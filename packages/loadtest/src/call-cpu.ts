// What a call costs the machine it runs on: each client's page in a call of N (Parley's web app, the
// official inLive SDK's page, the tutorial's client), all on one hub, measured once every page sees
// everyone's video. Per page, over a window: its renderer process's CPU (main thread, encoders,
// decoders, WebRTC's threads: Chromium's `ProcessTime`), its main thread's CPU (`ThreadTime`) and what
// that thread ran (script, style, layout), from CDP `Performance.getMetrics`. One table; not a test.
//   flock /tmp/parley-e2e.lock unshare -n sh -c 'ip link set lo up && \
//     npm run pnpm -- --filter @parley/loadtest run call-cpu -- [--clients parley,sdk,tutorial] [--size 3] [--seconds 15] [--rounds 2]'
import { loadavg } from 'node:os'
import { startTestHub } from '@parley/hub/testing'
import { assertLoopbackOnly, launchChromium, newParticipantPage, pollUntil, startStaticServer, type ParticipantPage } from '@parley/testkit'
import type { Browser, CDPSession } from 'playwright-core'
import { callCpuTable, pageCost, parseCallCpuArgs, type Metrics, type PageCost } from './call-cpu-table.js'
import { createRoom } from './create-room.js'
import { kinds, sdkPageDir, TUTORIAL_DIR, WEB_DIST, type Kind, type KindName } from './join-clients.js'
import { decodedRemoteVideos } from './join-probe.js'

const options = parseCallCpuArgs(process.argv.slice(2))
assertLoopbackOnly()

async function metrics(cdp: CDPSession): Promise<Metrics> {
  const { metrics: list } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }
  return Object.fromEntries(list.map(({ name, value }) => [name, value]))
}

/** One call of `size` pages of one client: joined, everyone's video decoded, settled, then measured. */
async function measureCall(browser: Browser, kind: Kind, hubUrl: string): Promise<PageCost[]> {
  const roomId = await createRoom(hubUrl, 'call-cpu')
  const pages: ParticipantPage[] = []
  try {
    for (let index = 0; index < options.size; index++) {
      const participant = await newParticipantPage(browser, { viewport: { width: 800, height: 600 } })
      pages.push(participant)
      await kind.open(participant.page, roomId, `Participant ${index + 1}`)
      await participant.page.click(kind.joinSelector)
      await pollUntil(async () => ((await kind.connected(participant.page)) ? true : undefined), { timeoutMs: 30_000, description: `participant ${index + 1} to connect` })
    }
    for (const [index, participant] of pages.entries()) {
      await pollUntil(async () => ((await decodedRemoteVideos(participant.page, kind.remoteVideoSelector)) >= options.size - 1 ? true : undefined), { timeoutMs: 30_000, description: `participant ${index + 1} to see everyone's video` })
    }
    // The publishers' bitrate ramp and the pages' first renders are the join's, not the call's.
    await new Promise((resolve) => setTimeout(resolve, options.settleSeconds * 1000))
    const sessions = await Promise.all(pages.map(async ({ context, page }) => {
      const cdp = await context.newCDPSession(page)
      await cdp.send('Performance.enable', { timeDomain: 'threadTicks' })
      return cdp
    }))
    const before = await Promise.all(sessions.map(metrics))
    await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000))
    const after = await Promise.all(sessions.map(metrics))
    const seeing = await Promise.all(pages.map(({ page }) => decodedRemoteVideos(page, kind.remoteVideoSelector)))
    return before.map((start, index) => pageCost(start, after[index]!, seeing[index]!))
  } finally {
    for (const participant of pages) await participant.close().catch(() => undefined)
  }
}

const sdkServer = await startStaticServer(sdkPageDir())
const tutorialServer = await startStaticServer(TUTORIAL_DIR)
const hub = await startTestHub({ staticDir: WEB_DIST })
const browser = await launchChromium()
try {
  const all = kinds(hub.url, sdkServer.url, tutorialServer.url)
  const results = new Map<KindName, { costs: PageCost[]; load: number }[]>(options.clients.map((name) => [name, []]))
  for (let round = 0; round < options.rounds; round++) {
    // Alternating, so that the box's other work falls on every client alike.
    const order = round % 2 === 0 ? options.clients : [...options.clients].reverse()
    for (const name of order) {
      const costs = await measureCall(browser, all[name], hub.url)
      const load = loadavg()[0]!
      results.get(name)!.push({ costs, load })
      console.log(`[call-cpu] round ${round + 1} ${name}: ${costs.map((cost) => `renderer ${cost.processPercent.toFixed(1)} %, main ${cost.mainPercent.toFixed(1)} % (script ${cost.scriptPercent.toFixed(1)}, style+layout ${cost.styleLayoutPercent.toFixed(1)}), sees ${cost.videosSeen}`).join(' | ')}; load ${load.toFixed(2)}`)
    }
  }
  console.log(callCpuTable(options, options.clients.map((name) => ({ label: all[name].label, runs: results.get(name)! }))))
} finally {
  await browser.close()
  await hub.close()
  await sdkServer.close()
  await tutorialServer.close()
}
