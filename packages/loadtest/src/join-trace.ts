// Where the Parley page's main thread goes during a join: a Chromium trace (and a CPU profile) of the
// newcomer's page from the click to the first frame, printed as the renderer main thread's tasks (ms
// after the click, length, its CPU time (since stop 43; the rest is the thread waiting for a core), what
// filled them: script, style, layout, paint…; for tasks of 15 ms or more the functions the profiler saw most), with the probe's marks (join-probe.ts) above them. `ROUNDS=N`
// joins (default 3), each in a fresh room with one participant already in. A diagnostic to read, not
// a benchmark: tracing costs the page time of its own.
//   flock /tmp/parley-e2e.lock unshare -n sh -c 'ip link set lo up && PARLEY_NETNS=lo \
//     npm run pnpm -- --filter @parley/loadtest exec node --conditions=parley-source --import ./scripts/ts-loader.mjs src/join-trace.ts [DIST]'
// `JOIN_TRACE_OUT=DIR` also writes each round as JSON (profile, tasks, trace events); `JOIN_TRACE_CATEGORIES`
// replaces the trace categories (add `v8,disabled-by-default-v8.compile` to see V8's lazy compiles).
import { mkdirSync, writeFileSync } from 'node:fs'
import { startTestHub } from '@parley/hub/testing'
import { assertLoopbackOnly, launchChromium, newParticipantPage, pollUntil } from '@parley/testkit'
import { createRoom } from './create-room.js'
import { kinds, WEB_DIST } from './join-clients.js'
import { addJoinProbe, readJoinMarks, sinceClick } from './join-probe.js'

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]
  startTime: number
  samples: number[]
  timeDeltas: number[]
}

/**
 * Runs in the page: what the join's main thread reacts to, in order — every SSE event (type), and each
 * change of the app's state (data-state) and of the number of tiles and remote <video>s drawn.
 */
function installTimeline(): void {
  const timeline: [string, number][] = []
  ;(globalThis as { __joinTimeline?: typeof timeline }).__joinTimeline = timeline
  const Original = globalThis.EventSource
  globalThis.EventSource = class extends Original {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(url, init)
      for (const type of ['open', 'offer', 'candidate', 'tracks_added', 'tracks_available', 'allowed_renegotation', 'meta_changed', 'left', 'parley_mute', 'parley_connection'])
        this.addEventListener(type, () => timeline.push([`sse:${type}`, performance.now()]))
    }
  }
  let last = ''
  const look = () => {
    const app = document.querySelector('[data-testid="app"]')
    const now = `${app?.getAttribute('data-state')}/${app?.getAttribute('data-screen')} tiles ${document.querySelectorAll('[data-testid="tile"]').length} videos ${document.querySelectorAll('[data-testid="tile-video"]').length}`
    if (now !== last) timeline.push([now, performance.now()])
    last = now
  }
  new MutationObserver(look).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state', 'data-screen'] })
}

interface TraceEvent {
  name: string
  cat: string
  ph: string
  ts: number
  dur?: number
  /** The thread's CPU time in the event (µs; Chromium's thread clock): against `dur`, the time it ran, not waited for a core. */
  tdur?: number
  pid: number
  tid: number
  args?: { data?: { url?: string; functionName?: string } }
}

assertLoopbackOnly()
const dist = process.argv[2] ?? WEB_DIST
// In-process, as the join bench's hub (join-bench.ts).
const hub = await startTestHub({ staticDir: dist, mediaWorkers: 0 })
const browser = await launchChromium()
try {
  const parley = kinds(hub.url, '', '').parley
  for (let round = 0; round < Number(process.env.ROUNDS ?? 3); round++) {
    const roomId = await createRoom(hub, 'bench')
    const existing = await newParticipantPage(browser, { viewport: { width: 800, height: 600 } })
    await parley.open(existing.page, roomId, 'Existing')
    await existing.page.click(parley.joinSelector)
    await pollUntil(async () => ((await parley.connected(existing.page)) ? true : undefined), { timeoutMs: 20_000 })
    const newcomer = await newParticipantPage(browser, { viewport: { width: 800, height: 600 } })
    await addJoinProbe(newcomer.page, parley)
    await newcomer.page.addInitScript(installTimeline)
    await parley.open(newcomer.page, roomId, 'Newcomer')
    const cdp = await newcomer.context.newCDPSession(newcomer.page)
    const events: TraceEvent[] = []
    cdp.on('Tracing.dataCollected', ({ value }) => events.push(...(value as unknown as TraceEvent[])))
    const done = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()))
    await cdp.send('Profiler.enable')
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 })
    await cdp.send('Profiler.start')
    await cdp.send('Tracing.start', { categories: process.env.JOIN_TRACE_CATEGORIES ?? 'devtools.timeline,disabled-by-default-devtools.timeline,v8.execute', transferMode: 'ReportEvents' })
    await newcomer.page.click(parley.joinSelector)
    const marks = await pollUntil(async () => {
      const read = await readJoinMarks(newcomer.page)
      return read.firstFrame !== undefined ? read : undefined
    }, { timeoutMs: 30_000, intervalMs: 20 })
    await cdp.send('Tracing.end')
    await done
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile }
    const nodeById = new Map(profile.nodes.map((node) => [node.id, node]))
    const samples: [number, string][] = []
    let at = profile.startTime
    profile.samples.forEach((id, index) => {
      at += profile.timeDeltas[index]!
      const frame = nodeById.get(id)!.callFrame
      samples.push([at, `${frame.functionName || '(anon)'}@${frame.url.split('/').pop()}:${frame.lineNumber}`])
    })
    // Trace timestamps are µs on their own clock: the click's EventDispatch in the trace is the zero.
    const click = events.find((event) => event.name === 'EventDispatch' && (event.args?.data as { type?: string } | undefined)?.type === 'click')
    const mainTid = click?.tid
    const pid = click?.pid
    if (!click || mainTid === undefined) {
      console.log('no click in the trace')
      continue
    }
    const zero = click.ts
    const tasks = events.filter((event) => event.pid === pid && event.tid === mainTid && event.name === 'RunTask' && event.ph === 'X' && event.ts >= zero - 30_000 && (event.dur ?? 0) >= (event.ts - zero < 400_000 ? 1000 : 3000))
    const steps = sinceClick(marks)
    const timeline = await newcomer.page.evaluate(() => (globalThis as { __joinTimeline?: [string, number][] }).__joinTimeline ?? [])
    const clickedAt = (marks as { clickedAt?: number }).clickedAt ?? 0
    // JOIN_TRACE_OUT=DIR: the round's CPU profile, main-thread tasks and trace events as JSON, to read offline
    // (e.g. the profile's samples mapped to source files through the dist's source maps).
    if (process.env.JOIN_TRACE_OUT) {
      mkdirSync(process.env.JOIN_TRACE_OUT, { recursive: true })
      const phases = events.filter((event) => event.pid === pid && event.tid === mainTid && event.ph === 'X' && event.ts >= zero - 30_000 && event.ts < zero + 2_000_000)
      writeFileSync(`${process.env.JOIN_TRACE_OUT}/round-${round + 1}.json`, JSON.stringify({ zero, profile, tasks: tasks.map(({ ts, dur, tdur }) => ({ ts, dur, tdur })), phases: phases.map(({ name, ts, dur }) => ({ name, ts, dur })), timeline: timeline.map(([what, at]) => [what, at - clickedAt]), steps }))
    }
    // When each hub request left the page (the renderer's ResourceSendRequest), to see which of them waited for a task.
    const sent = events.filter((event) => event.pid === pid && event.name === 'ResourceSendRequest' && event.ts >= zero && event.ts < zero + 2_000_000)
    console.log(`  requests sent: ${sent.map((event) => { const data = event.args?.data as { url?: string; requestMethod?: string } | undefined; return `${data?.requestMethod ?? ''} ${(data?.url ?? '').split('?')[0]!.split('/').slice(-1)[0]} ${((event.ts - zero) / 1000).toFixed(0)}` }).join(', ')}`)
    // When each response reached the page's main thread (ResourceReceiveResponse), and when its headers had reached the
    // network stack (its timing's receiveHeadersEnd): a gap between the two is the main thread busy, not the hub.
    const urlOf = new Map(sent.map((event) => { const data = event.args?.data as { requestId?: string; url?: string; requestMethod?: string } | undefined; return [data?.requestId, `${data?.requestMethod ?? ''} ${(data?.url ?? '').split('?')[0]!.split('/').slice(-1)[0]}`] as const }))
    const received = events.filter((event) => event.pid === pid && event.name === 'ResourceReceiveResponse' && event.ts >= zero && event.ts < zero + 2_000_000)
    console.log(`  responses: ${received.map((event) => { const data = event.args?.data as { requestId?: string; timing?: { requestTime: number; receiveHeadersEnd: number; sendStart: number } } | undefined; const timing = data?.timing; const headers = timing ? ((timing.requestTime * 1e6 + timing.receiveHeadersEnd * 1000 - zero) / 1000).toFixed(0) : '-'; const sentAt = timing ? ((timing.requestTime * 1e6 + timing.sendStart * 1000 - zero) / 1000).toFixed(0) : '-'; return `${urlOf.get(data?.requestId) ?? '?'} sent ${sentAt} headers ${headers} page ${((event.ts - zero) / 1000).toFixed(0)}` }).join(', ')}`)
    console.log(`  timeline: ${timeline.filter(([, at]) => at >= clickedAt).map(([what, at]) => `${what} ${(at - clickedAt).toFixed(0)}`).join(', ')}`)
    console.log(`\nround ${round + 1}: first frame ${steps.firstFrame?.toFixed(0)} ms; marks: ${Object.entries(steps).map(([step, ms]) => `${step} ${ms.toFixed(0)}`).join(', ')}`)
    for (const task of tasks) {
      const inside = events.filter((event) => event.pid === pid && event.tid === mainTid && event.ph === 'X' && event.ts >= task.ts && event.ts < task.ts + task.dur! && event.name !== 'RunTask')
      const byName = new Map<string, number>()
      for (const event of inside) {
        if (['FunctionCall', 'EventDispatch', 'ResourceReceiveResponse', 'ResourceFinish', 'XHRReadyStateChange', 'TimerFire', 'FireAnimationFrame', 'v8.callFunction', 'v8.run'].includes(event.name)) {
          const what = event.name === 'EventDispatch' ? `Event:${(event.args?.data as { type?: string } | undefined)?.type}` : event.name
          byName.set(what, (byName.get(what) ?? 0) + (event.dur ?? 0))
        }
        if (['UpdateLayoutTree', 'Layout', 'Paint', 'PrePaint', 'Layerize', 'Commit', 'ParseAuthorStyleSheet', 'HitTest', 'RunMicrotasks', 'v8.compile', 'v8.compileModule', 'EvaluateScript', 'v8.evaluateModule', 'UpdateLayer', 'ScheduleStyleRecalculation'].includes(event.name)) {
          byName.set(event.name, (byName.get(event.name) ?? 0) + (event.dur ?? 0))
        }
      }
      const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([name, us]) => `${name} ${(us / 1000).toFixed(1)}`).join(', ')
      console.log(`  +${((task.ts - zero) / 1000).toFixed(0).padStart(5)} ms  ${(task.dur! / 1000).toFixed(1).padStart(6)} ms (cpu ${task.tdur !== undefined ? (task.tdur / 1000).toFixed(1) : '-'})  ${top}`)
      if (task.dur! >= 15_000) {
        const counts = new Map<string, number>()
        for (const [time, name] of samples) if (time >= task.ts && time < task.ts + task.dur!) counts.set(name, (counts.get(name) ?? 0) + 1)
        const hot = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([name, count]) => `${name} ${((count * 200) / 1000).toFixed(1)}`).join(' | ')
        console.log(`          ${hot}`)
      }
    }
    await newcomer.close()
    await existing.close()
  }
} finally {
  await browser.close()
  await hub.close()
}
