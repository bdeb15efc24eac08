// Join benchmark (issue 10): the time from a Join click to the first decoded remote frame, for three
// clients on the same hub, trials alternating between them: the Parley web app (apps/web/dist, as the
// hub serves it), the official inLive SDK (@inlivedev/inlive-js-sdk 0.21.4, a dev dependency, in a
// minimal page: join-clients/sdk.html) and the seed tutorial's client (packages/hub/e2e/clients).
// Each trial: a fresh room, one participant of that client joins and connects, then a second one
// clicks Join; the figure is, in the newcomer's page, performance.now() at the click (capture phase)
// to the first remote <video> with videoWidth > 0 (checked every 5 ms and on `resize`, which fires
// with the first decoded frame), and where the time went (join-probe.ts: register, events stream,
// offer, the hub's offer and our answer, ICE, DTLS). `--before-dist [LABEL=]DIR` measures a second build of
// the web app alternating with apps/web/dist (before/after in one run), served by a second hub: with
// `--before-hub FILE` that hub is another version of the hub's source (FILE: its `testing.ts`, e.g. a
// copy of main's `packages/hub/src` placed inside packages/hub so that its imports resolve), so that a
// hub change is measured before/after in one run too (without `--before-dist`: every client on both hubs,
// the web app from the same dist); `--without-service-worker` adds the web app with
// its service worker blocked; `--compare-media-worker` runs every client also on a second hub whose werift
// plane runs in a media worker thread, as the shipped hub's does (the "before" rows; the bench's own hub keeps
// its plane in the main thread, as its history was measured); `--clients parley,sdk` picks the clients. `--present N` (1–3): N participants
// of the client join and connect first (each also seeing the others' videos), then the newcomer clicks;
// beside the first frame the bench then times click → every present participant's video decoded
// (`allFrames`: a remote video with videoWidth > 0 for each, by tile or stream). `--clients …,p2p` adds the
// floor: two Chromium pages in a call straight between them, no hub (join-clients/p2p.js, descriptions
// through src/p2p-relay.ts), timed alike, alternating with the others. Prints three tables (the
// third: each step on its own, trial by trial); asserts nothing about speed.
//
//   flock /tmp/parley-e2e.lock unshare -n sh -c 'ip link set lo up && PARLEY_NETNS=lo \
//     npm run pnpm -- --filter @parley/loadtest run join -- --trials 9 [--before-dist /tmp/web-before]'
import { rmSync } from 'node:fs'
import { loadavg } from 'node:os'
import type { Browser } from 'playwright-core'
import { startTestHub } from '@parley/hub/testing'
import { assertLoopbackOnly, launchChromium, newParticipantPage, pollUntil, startStaticServer, type ParticipantPage } from '@parley/testkit'
import { createRoom } from './create-room.js'
import { type Kind, type KindName, kinds, p2pKind, sdkPageDir, TUTORIAL_DIR, WEB_DIST } from './join-clients.js'
import { type P2pRelay, startP2pRelay } from './p2p-relay.js'
import { parseJoinArgs } from './join-args.js'
import { joinSummaryTable, participantsTitle } from './join-table.js'
import { addJoinProbe, decodedRemoteVideos, ANSWER_INTERVALS, ANSWER_MARKS, DUMP_MARKS, JOIN_INTERVALS, JOIN_STEP_MEANING, JOIN_STEPS, readJoinMarks, sinceClick, type JoinStep } from './join-probe.js'
import { median, paired, roundOrder } from './join-stats.js'
import { schedSince, type ThreadSched } from './thread-sched.js'
import { inProcessHub, type JoinHub, startJoinHubProcess } from './join-hub.js'
import { importHubVersion } from './hub-version.js'
import { assertWebDist } from './web-dist.js'
import { HUB_STEP_MEANING, HUB_STEPS, type HubEntry, type HubStep, type HubTrace, hubTrace, hubTraceLog } from './join-hub-trace.js'

/** A row of the tables: a client, or a variant of the web app. */
type Row = KindName | 'p2p' | 'parleyBefore' | 'parleyNoWorker' | 'sdkBefore' | 'tutorialBefore'

interface TrialResult {
  /** Join click → first decoded remote frame. */
  ms: number
  /** Join click → every present participant's video decoded (= ms with one present). */
  allFrames: number
  steps: Partial<Record<JoinStep, number>>
  /** The hub's offer → our answer's PUT split (join-probe.ts ANSWER_MARKS), ms after the click. */
  answer: Partial<Record<(typeof ANSWER_MARKS)[number], number>>
  /** Hub API requests of the newcomer's page that went through a service worker. */
  apiViaWorker: number
  /** ms of the page's long tasks (≥ 50 ms) from the click to our offer's PUT, and to the first frame. */
  busyToOffer: number
  busyToFrame: number
  /** The page's other fetches still open when our offer's PUT was sent, and that PUT's wait for a connection (ms; undefined where Resource Timing hides it). */
  inFlightAtOffer: number | undefined
  offerQueued: number | undefined
  /** The hub's side (its debug log lines; empty for a hub that does not write them). */
  hub: HubTrace
}

/**
 * After a trial's pages closed, until its room on `testHub` has no client left (at most `maxMs`): the
 * hub's teardown of the last trial (every werift peer closing, in this process) must not overlap the next
 * trial's join, whichever client that is. Returns how long it took and the clients still there.
 */
async function settle(testHub: JoinHub, roomId: string, maxMs: number): Promise<{ ms: number; left: number }> {
  const started = performance.now()
  while ((await testHub.clientCount(roomId)) > 0 && performance.now() - started < maxMs) await new Promise((resolve) => setTimeout(resolve, 20))
  return { ms: performance.now() - started, left: await testHub.clientCount(roomId) }
}

async function trial(browser: Browser, kind: Kind, testHub: JoinHub, hubEntries: HubEntry[], present: number, serviceWorkers: 'allow' | 'block' = 'allow'): Promise<TrialResult> {
  const hubUrl = testHub.url
  const roomId = await createRoom(hubUrl, 'bench')
  const open: ParticipantPage[] = []
  try {
    const existing: ParticipantPage[] = []
    for (let index = 0; index < present; index++) {
      const participant = await newParticipantPage(browser, { viewport: { width: 800, height: 600 } })
      open.push(participant)
      existing.push(participant)
      await kind.open(participant.page, roomId, present === 1 ? 'Existing' : `Existing ${index + 1}`)
      await participant.page.click(kind.joinSelector)
      await pollUntil(async () => ((await kind.connected(participant.page)) ? true : undefined), { timeoutMs: 20_000, description: `existing participant ${index + 1} to connect` })
    }
    // The present ones' renegotiations with each other done before the click: each sees the others' video.
    if (present > 1) {
      for (const [index, participant] of existing.entries()) {
        await pollUntil(async () => ((await decodedRemoteVideos(participant.page, kind.remoteVideoSelector)) >= present - 1 ? true : undefined), { timeoutMs: 20_000, description: `existing participant ${index + 1} to see the others' video` })
      }
    }
    const newcomer = await newParticipantPage(browser, { viewport: { width: 800, height: 600 }, serviceWorkers })
    open.push(newcomer)
    await addJoinProbe(newcomer.page, { joinSelector: kind.joinSelector, remoteVideoSelector: kind.remoteVideoSelector, present })
    await kind.open(newcomer.page, roomId, 'Newcomer')
    hubEntries.length = 0
    await newcomer.page.click(kind.joinSelector)
    const marks = await pollUntil(
      async () => {
        const read = await readJoinMarks(newcomer.page)
        return read.clickedAt !== undefined && read.firstFrame !== undefined && read.allFrames !== undefined ? read : undefined
      },
      { timeoutMs: 30_000, intervalMs: 20, description: present === 1 ? "the newcomer's first remote frame" : `the newcomer's remote frames of all ${present} present` },
    )
    await testHub.flush()
    const epoch = marks.timeOrigin ?? 0
    const hub = hubTrace(hubEntries, epoch + marks.clickedAt!, epoch + marks.firstFrame!)
    if (process.env.JOIN_DUMP) console.error(`  [click] ${new Date(epoch + marks.clickedAt!).toISOString()} page: ${DUMP_MARKS.map((name) => `${name} ${marks[name] === undefined ? '-' : (marks[name] - marks.clickedAt!).toFixed(1)}`).join(', ')}`)
    if (process.env.JOIN_DUMP) for (const e of hubEntries) if (e.at >= epoch + marks.clickedAt!) console.error(`  [hub] +${(e.at - epoch - marks.clickedAt!).toFixed(1)} ${e.msg} ${JSON.stringify(e.fields)}`)
    const answer = Object.fromEntries(ANSWER_MARKS.flatMap((name) => (marks[name] === undefined ? [] : [[name, marks[name]! - marks.clickedAt!]])))
    return { ms: marks.firstFrame! - marks.clickedAt!, allFrames: marks.allFrames! - marks.clickedAt!, steps: sinceClick(marks), answer, apiViaWorker: marks.apiViaWorker ?? 0, busyToOffer: marks.busyToOffer ?? Number.NaN, busyToFrame: marks.busyToFrame ?? Number.NaN, inFlightAtOffer: marks.inFlightAtOffer, offerQueued: marks.offerQueued, hub }
  } finally {
    for (const participant of open) await participant.close().catch(() => undefined)
    lastSettle = await settle(testHub, roomId, settleMaxMs(present))
  }
}
let lastSettle = { ms: 0, left: 0 }
/**
 * The web app's room empties at once (its `leave` goes out on close); the SDK sends none, so the hub removes
 * its clients when their stream closed and 2 s passed without media (liveness.ts). With one present the
 * wait stays 2 s, as before `--present`, both hubs alike; with more, up to 5 s for all of them to go.
 */
const settleMaxMs = (present: number) => (present === 1 ? 2000 : 5000)

/** Page and hub steps interleaved: our first offer's round trip split, then the path after ICE; median over the trials of (later − earlier), ms. */
const HUB_INTERVALS: readonly (readonly [JoinStep | HubStep, JoinStep | HubStep])[] = [
  ['offerSent', 'hubOfferIn'],
  ['hubOfferIn', 'hubAnswerOut'],
  ['hubAnswerOut', 'offerAnswered'],
  ['iceConnected', 'hubIceConnected'],
  ['iceConnected', 'hubDtlsRecordIn'],
  ['hubDtlsRecordIn', 'hubDtlsConnecting'],
  ['hubIceConnected', 'hubDtlsConnecting'],
  ['hubDtlsConnecting', 'hubDtlsConnected'],
  ['hubDtlsConnected', 'dtlsConnected'],
  ['hubDtlsConnected', 'hubOffer'],
  ['answerSent', 'hubPli'],
  ['hubPli', 'hubKeyframeIn'],
  ['answerSent', 'hubAnswerIn'],
  ['hubAnswerIn', 'hubAnswerApplied'],
  ['hubAnswerApplied', 'hubFirstVideoOut'],
  ['hubKeyframeIn', 'hubFirstVideoOut'],
  ['hubFirstVideoOut', 'firstFrame'],
]

const options = parseJoinArgs(process.argv.slice(2))
// Both builds complete before any page opens (web-dist.ts: else a blank page times out much later).
if (options.clients.some((name) => name.startsWith('parley'))) assertWebDist(WEB_DIST, 'apps/web/dist (PARLEY_WEB_DIST)')
if (options.beforeDist) assertWebDist(options.beforeDist.dir, '--before-dist')
assertLoopbackOnly()
const sdkDir = sdkPageDir()
let hub: JoinHub | undefined
const servers: { close(): Promise<void> }[] = []
let browser: Browser | undefined
let beforeHub: JoinHub | undefined
let relay: P2pRelay | undefined
/** The hub's join-path trace lines of the current trial (the trials run one at a time). */
const hubEntries: HubEntry[] = []
const beforeHubEntries: HubEntry[] = []
try {
  // The plane in-process (startTestHub's default is a media worker): the join trace's hub lines are timed as
  // they are logged, and the bench's figures stay comparable with its history and with --before-hub.
  hub =
    options.compareHubNice === undefined
      ? inProcessHub(await startTestHub({ staticDir: WEB_DIST, log: hubTraceLog(hubEntries), mediaWorkers: 0 }))
      : await startJoinHubProcess({ staticDir: WEB_DIST, entries: hubEntries })
  const sdkServer = await startStaticServer(sdkDir)
  const tutorialServer = await startStaticServer(TUTORIAL_DIR)
  servers.push(sdkServer, tutorialServer)
  browser = await launchChromium()
  const all: Partial<Record<Row, Kind>> = kinds(hub.url, sdkServer.url, tutorialServer.url)
  const order: Row[] = [...options.clients]
  if (order.includes('p2p')) {
    relay = await startP2pRelay()
    all.p2p = p2pKind(sdkServer.url, relay.url)
  }
  if (options.withoutServiceWorker && order.includes('parley')) {
    all.parleyNoWorker = { ...all.parley!, label: 'Parley web app, service worker blocked' }
    order.splice(order.indexOf('parley') + 1, 0, 'parleyNoWorker')
  }
  if (options.compareMediaWorker) {
    // The shipped hub's layout: the werift plane in a media worker thread, the API and SSE in the main one.
    beforeHub = inProcessHub(await startTestHub({ staticDir: WEB_DIST, log: hubTraceLog(beforeHubEntries), mediaWorkers: 1 }))
    const worker = kinds(beforeHub.url, sdkServer.url, tutorialServer.url)
    for (const name of ['parley', 'sdk', 'tutorial'] as const) {
      if (!order.includes(name)) continue
      all[`${name}Before`] = { ...worker[name], label: `${worker[name].label}, hub's plane in a media worker` }
      order.splice(order.indexOf(name) + 1, 0, `${name}Before`)
    }
  }
  if (options.compareHubNice !== undefined) {
    // Two hubs as `parley-hub` runs, each in its own process with its plane in a media worker: the second's
    // main thread (API, event streams, room logic) at the asked nice, as `parley-hub --nice` does, the first's
    // at the bench's own.
    beforeHub = await startJoinHubProcess({ staticDir: WEB_DIST, entries: beforeHubEntries, nice: options.compareHubNice })
    const niced = kinds(beforeHub.url, sdkServer.url, tutorialServer.url)
    for (const name of ['parley', 'sdk', 'tutorial'] as const) {
      if (!order.includes(name)) continue
      all[name] = { ...all[name]!, label: `${all[name]!.label}, hub's plane in a media worker` }
      all[`${name}Before`] = { ...niced[name], label: `${niced[name].label}, hub's plane in a media worker, its main thread at nice ${options.compareHubNice}` }
      order.splice(order.indexOf(name) + 1, 0, `${name}Before`)
    }
  }
  if (options.beforeHub && !options.beforeDist) {
    // A hub change for every client (the web app: the same dist on both): each measured on both hubs, alternating.
    const { startTestHub: startBeforeHub } = await importHubVersion(options.beforeHub)
    beforeHub = inProcessHub(await startBeforeHub({ staticDir: WEB_DIST, log: hubTraceLog(beforeHubEntries), mediaWorkers: 0 }))
    const before = kinds(beforeHub.url, sdkServer.url, tutorialServer.url)
    for (const name of ['parley', 'sdk', 'tutorial'] as const) {
      if (!order.includes(name)) continue
      all[`${name}Before`] = { ...before[name], label: `${before[name].label}, hub before (${options.beforeHub})` }
      order.splice(order.indexOf(name) + 1, 0, `${name}Before`)
    }
  }
  if (options.beforeDist) {
    // The same app code path on a hub of its own (same process, same Node): only the build differs, and
    // the hub's code too when --before-hub names another version of it.
    const startBeforeHub = options.beforeHub ? (await importHubVersion(options.beforeHub)).startTestHub : startTestHub
    beforeHub = inProcessHub(await startBeforeHub({ staticDir: options.beforeDist.dir, log: hubTraceLog(beforeHubEntries), mediaWorkers: 0 }))
    const label = `Parley web app, ${options.beforeDist.label} (${options.beforeDist.dir}${options.beforeHub ? `, hub ${options.beforeHub}` : ''})`
    all.parleyBefore = { ...kinds(beforeHub.url, sdkServer.url, tutorialServer.url).parley, label }
    order.splice(order.indexOf('parley') + 1, 0, 'parleyBefore')
  }
  const results = new Map(order.map((name) => [name, [] as TrialResult[]]))
  const scheds = new Map(order.map((name) => [name, [] as ThreadSched[]]))
  const loads: number[] = []
  for (let round = 0; round < options.warmup + options.trials; round++) {
    for (const name of roundOrder(order, round - options.warmup)) {
      const kind = all[name]!
      const before = name === 'parleyBefore' || name === 'sdkBefore' || name === 'tutorialBefore'
      const trialHub = before ? beforeHub! : hub
      const schedStart = await trialHub.sched()
      const result = await trial(browser, kind, trialHub, before ? beforeHubEntries : hubEntries, options.present, name === 'parleyNoWorker' ? 'block' : 'allow')
      const sched = schedSince(schedStart, await trialHub.sched())
      const counted = round >= options.warmup
      if (counted) results.get(name)!.push(result)
      if (counted && sched) scheds.get(name)!.push(sched)
      const steps = JOIN_STEPS.map((step) => `${step} ${result.steps[step]?.toFixed(0) ?? '-'}`).join(', ')
      const hubSteps = HUB_STEPS.map((step) => `${step} ${result.hub.steps[step]?.toFixed(0) ?? '-'}`).join(', ')
      console.error(`[join] round ${round + 1}${counted ? '' : ' (warm-up)'} ${name}: ${result.ms.toFixed(0)} ms${options.present > 1 ? `, all ${options.present} present ${result.allFrames.toFixed(0)} ms` : ''} (${steps}; hub: ${hubSteps}, PLIs ${result.hub.plis}, ClientHellos ${result.hub.clientHellos} (${result.hub.recordsBeforeDtls} records before DTLS started), first video packet a keyframe: ${result.hub.firstVideoKeyframe}; answer: ${ANSWER_MARKS.map((mark) => `${mark} ${result.answer[mark]?.toFixed(0) ?? '-'}`).join(', ')}; API requests via a service worker: ${result.apiViaWorker}; fetches open at the offer ${result.inFlightAtOffer ?? '-'}, offer PUT queued ${result.offerQueued?.toFixed(1) ?? '-'} ms; long tasks to the offer ${result.busyToOffer.toFixed(0)} ms, to the frame ${result.busyToFrame.toFixed(0)} ms; its room ${lastSettle.left ? `still had ${lastSettle.left} clients` : 'empty'} ${lastSettle.ms.toFixed(0)} ms after its pages closed), load ${loadavg()[0]!.toFixed(2)}`)
    }
    loads.push(loadavg()[0]!)
  }
  const msOf = (name: Row) => results.get(name)!.map((result) => result.ms)
  const allOf = (name: Row) => results.get(name)!.map((result) => result.allFrames)
  const rowOf = (name: Row) => ({ label: all[name]!.label, first: msOf(name), all: allOf(name) })
  const many = options.present > 1
  /** The other tables' titles name the present participants when there are more than one. */
  const presentNote = many ? `, ${options.present} present` : ''
  console.log(`\nJoin click → first decoded remote frame${many ? ' and → every present participant\'s video decoded (all frames)' : ''}, ${participantsTitle(options.present)}, ${options.trials} trials each (alternating), load avg ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}\n`)
  for (const line of joinSummaryTable(order.map(rowOf), order.includes('sdk') ? rowOf('sdk') : undefined, options.present)) console.log(line)
  for (const name of order) {
    const after = name.endsWith('Before') ? undefined : (`${name}Before` as Row)
    if (!after || !results.has(after)) continue
    const pair = paired(msOf(name), msOf(after))
    console.log(`\nPaired by round, ${name} − ${after}: median ${pair.medianDifference.toFixed(0)} ms, ${name} faster in ${pair.faster} of ${pair.rounds}`)
    if (!many) continue
    const pairAll = paired(allOf(name), allOf(after))
    console.log(`Paired by round, all frames, ${name} − ${after}: median ${pairAll.medianDifference.toFixed(0)} ms, ${name} faster in ${pairAll.faster} of ${pairAll.rounds}`)
  }
  console.log(`\nWhere the time goes${presentNote}: median ms after the click (${JOIN_STEPS.map((step) => `${step}: ${JOIN_STEP_MEANING[step]}`).join('; ')})\n`)
  console.log(`| client | ${JOIN_STEPS.join(' | ')} |`)
  console.log(`|---|${JOIN_STEPS.map(() => '---').join('|')}|`)
  for (const name of order) {
    const cells = JOIN_STEPS.map((step) => {
      const seen = results.get(name)!.flatMap((result) => (result.steps[step] === undefined ? [] : [result.steps[step]!]))
      return seen.length ? median(seen).toFixed(0) : '-'
    })
    console.log(`| ${all[name]!.label} | ${cells.join(' | ')} |`)
  }
  // Each step's own share, trial by trial: on a loaded box the sums after the click drift with whatever came before.
  console.log(`\nEach step on its own${presentNote}: median over the trials of (later mark − earlier mark), ms\n`)
  console.log(`| from → to | ${order.map((name) => name).join(' | ')} |`)
  console.log(`|---|${order.map(() => '---').join('|')}|`)
  for (const [from, to] of JOIN_INTERVALS) {
    const cells = order.map((name) => {
      const seen = results.get(name)!.flatMap(({ steps }) => (steps[to] === undefined || (from !== 'click' && steps[from] === undefined) ? [] : [steps[to]! - (from === 'click' ? 0 : steps[from]!)]))
      return seen.length ? median(seen).toFixed(0) : '-'
    })
    console.log(`| ${from} → ${to} | ${cells.join(' | ')} |`)
  }
  for (const [from, to] of ANSWER_INTERVALS) {
    const cells = order.map((name) => {
      const seen = results.get(name)!.flatMap(({ steps, answer }) => {
        const at = (mark: string) => (answer as Record<string, number | undefined>)[mark] ?? (steps as Record<string, number | undefined>)[mark]
        const later = at(to)
        const earlier = at(from)
        return later === undefined || earlier === undefined ? [] : [later - earlier]
      })
      return seen.length ? median(seen).toFixed(0) : '-'
    })
    console.log(`| ${from} → ${to} | ${cells.join(' | ')} |`)
  }
  console.log(`| long tasks (≥ 50 ms) click → offerSent, ms | ${order.map((name) => median(results.get(name)!.map((result) => result.busyToOffer)).toFixed(0)).join(' | ')} |`)
  console.log(`| long tasks click → firstFrame, ms | ${order.map((name) => median(results.get(name)!.map((result) => result.busyToFrame)).toFixed(0)).join(' | ')} |`)
  for (const [label, pick] of [
    ['other fetches open when our offer was sent', (result: TrialResult) => result.inFlightAtOffer],
    ["our offer's PUT waiting for a connection (Resource Timing), ms", (result: TrialResult) => result.offerQueued],
  ] as const) {
    console.log(`| ${label} | ${order.map((name) => { const seen = results.get(name)!.flatMap((result) => { const value = pick(result); return value === undefined ? [] : [value] }); return seen.length ? median(seen).toFixed(1) : '-' }).join(' | ')} |`)
  }
  printHubTable(order, results, presentNote)
  if (order.some((name) => scheds.get(name)!.length > 0)) {
    const cell = (name: Row, pick: (sched: ThreadSched) => number) => (scheds.get(name)!.length ? median(scheds.get(name)!.map(pick)).toFixed(0) : '-')
    console.log(`\nThe hub's main thread (its API, event streams and room logic; for a hub in this process, the bench's own driving too), per trial (/proc/thread-self/schedstat), median ms\n`)
    console.log(`| | ${order.join(' | ')} |`)
    console.log(`|---|${order.map(() => '---').join('|')}|`)
    console.log(`| on a core | ${order.map((name) => cell(name, (sched) => sched.runMs)).join(' | ')} |`)
    console.log(`| waiting for a core | ${order.map((name) => cell(name, (sched) => sched.waitMs)).join(' | ')} |`)
  }
  console.log(`\nall figures ms: ${order.map((name) => `${name} ${msOf(name).map((value) => value.toFixed(0)).join(',')}`).join('; ')}`)
  if (many) console.log(`all frames ms: ${order.map((name) => `${name} ${allOf(name).map((value) => value.toFixed(0)).join(',')}`).join('; ')}`)
} finally {
  await browser?.close()
  for (const server of servers) await server.close()
  await hub?.close()
  await beforeHub?.close()
  await relay?.close()
  rmSync(sdkDir, { recursive: true, force: true })
}
// On the ndc plane (PARLEY_MEDIA_PLANE=ndc) the process stayed alive after everything above had closed:
// no JavaScript handle left (getActiveResourcesInfo() empty), so something native of node-datachannel's
// (calling its cleanup() when the plane closed did not end it either). The tables are out: done.
process.exit(process.exitCode ?? 0)

function printHubTable(order: Row[], results: Map<Row, TrialResult[]>, presentNote: string): void {
  const at = (result: TrialResult, step: JoinStep | HubStep) => ((HUB_STEPS as readonly string[]).includes(step) ? result.hub.steps[step as HubStep] : result.steps[step as JoinStep])
  console.log(`\nThe hub's side${presentNote} (its debug log, stamped in the page's clock; ${HUB_STEPS.map((step) => `${step}: ${HUB_STEP_MEANING[step]}`).join('; ')}): median over the trials of (later − earlier), ms\n`)
  console.log(`| from → to | ${order.join(' | ')} |`)
  console.log(`|---|${order.map(() => '---').join('|')}|`)
  for (const [from, to] of HUB_INTERVALS) {
    const cells = order.map((name) => {
      const seen = results.get(name)!.flatMap((result) => {
        const later = at(result, to)
        const earlier = at(result, from)
        return later === undefined || earlier === undefined ? [] : [later - earlier]
      })
      return seen.length ? median(seen).toFixed(0) : '-'
    })
    console.log(`| ${from} → ${to} | ${cells.join(' | ')} |`)
  }
  console.log(`| PLIs to the publisher, click → first frame | ${order.map((name) => median(results.get(name)!.map((result) => result.hub.plis)).toFixed(0)).join(' | ')} |`)
  for (const [label, pick] of [
    ["the hub answering the newcomer's first offer (werift), ms", (result: TrialResult) => result.hub.answerMs],
    ["the hub creating its first offer to it (werift), ms", (result: TrialResult) => result.hub.offerMs],
    ['ClientHellos at the hub (2 with the cookie; more are resends)', (result: TrialResult) => result.hub.clientHellos],
    ["the newcomer's DTLS records before werift's DTLS started (dropped)", (result: TrialResult) => result.hub.recordsBeforeDtls],
  ] as const) {
    console.log(`| ${label} | ${order.map((name) => { const seen = results.get(name)!.flatMap((result) => { const value = pick(result); return value === undefined ? [] : [value] }); return seen.length ? median(seen).toFixed(0) : '-' }).join(' | ')} |`)
  }
  console.log(`| first video packet to the newcomer starts a keyframe | ${order.map((name) => `${results.get(name)!.filter((result) => result.hub.firstVideoKeyframe).length}/${results.get(name)!.length}`).join(' | ')} |`)
}
