// The join benchmark's probe, installed in a page before any of its scripts run: what any client does
// on the join path, seen from the browser APIs every client uses (fetch, EventSource,
// RTCPeerConnection), so the three clients are measured alike with no hook in their code. Times are
// performance.now() in the page; the bench subtracts the Join click's.
import type { Page } from 'playwright-core'

/** The join steps the probe sees, in the order they usually happen. */
export const JOIN_STEPS = ['register', 'sseCreated', 'sseOpen', 'pcCreated', 'lockAnswered', 'offerSent', 'offerAnswered', 'hubOffer', 'answerSent', 'iceConnected', 'dtlsConnected', 'firstFrame'] as const
export type JoinStep = (typeof JOIN_STEPS)[number]
/** Marks printed only with JOIN_DUMP (the first frame's last step split): our answer's PUT answered, the first remote track event, the first remote <video> in the page and with a stream; and the hub's answer to our first offer applied (its setRemoteDescription called and resolved: with simulcast it sets up the camera's layers). */
export const DUMP_MARKS = ['answerAnswered', 'trackEvent', 'videoInDom', 'videoSrc', 'ourAnswerSrdCalled', 'ourAnswerSrdDone'] as const
/**
 * The hub's offer → our answer's PUT, split at the page's calls on the peer connection (the first remote
 * description of type offer after the click, and the answer made for it): the client's own work in the
 * offer's task until setRemoteDescription is called, and each of Chromium's steps, each resolved only when
 * the page's main thread gets to it. `offerHandled`: the offer's task got past the client's own listener;
 * `dataChannel`: the first data channel the hub opened reached the page.
 */
export const ANSWER_MARKS = ['dataChannel', 'offerHandled', 'srdCalled', 'srdDone', 'createAnswerCalled', 'createAnswerDone', 'sldCalled', 'sldDone'] as const
export type AnswerMark = (typeof ANSWER_MARKS)[number]
export const ANSWER_INTERVALS: readonly (readonly [JoinStep | AnswerMark, JoinStep | AnswerMark])[] = [
  ['hubOffer', 'offerHandled'],
  ['hubOffer', 'srdCalled'],
  ['srdCalled', 'srdDone'],
  ['srdDone', 'createAnswerCalled'],
  ['createAnswerCalled', 'createAnswerDone'],
  ['createAnswerDone', 'sldCalled'],
  ['sldCalled', 'sldDone'],
  ['sldDone', 'answerSent'],
  // The hub's data channels reach the page when its SCTP is up, around the hub's offer: the core's work for them may fall between the steps above.
  ['hubOffer', 'dataChannel'],
]
/** `allFrames`: every participant present before the click has a remote video decoded (with one present, the first frame). */
export type JoinMarks = Partial<Record<JoinStep | AnswerMark | (typeof DUMP_MARKS)[number] | 'clickedAt' | 'allFrames' | 'apiViaWorker' | 'busyToOffer' | 'busyToFrame' | 'timeOrigin' | 'inFlightAtOffer' | 'offerQueued', number>>

/** What each step means, for the table's legend. */
export const JOIN_STEP_MEANING: Record<JoinStep, string> = {
  register: 'POST register answered',
  sseCreated: 'events stream created (new EventSource)',
  sseOpen: 'events stream open',
  pcCreated: 'peer connection created',
  lockAnswered: 'first isallownegotiate answered',
  offerSent: 'PUT negotiate (our offer) sent',
  offerAnswered: 'PUT negotiate (our offer) answered',
  hubOffer: "the hub's first offer received (SSE `offer`)",
  answerSent: 'PUT negotiate (our answer) sent',
  iceConnected: 'ICE connected',
  dtlsConnected: 'peer connection connected (DTLS up)',
  firstFrame: 'first remote frame decoded',
}

/** The intervals the bench prints trial by trial: the critical path, and the stream beside it. */
export const JOIN_INTERVALS: readonly (readonly ['click' | JoinStep, JoinStep])[] = [
  ['click', 'register'],
  ['register', 'pcCreated'],
  ['register', 'sseCreated'],
  ['sseCreated', 'sseOpen'],
  ['register', 'lockAnswered'],
  ['lockAnswered', 'offerSent'],
  ['offerSent', 'offerAnswered'],
  ['offerAnswered', 'iceConnected'],
  ['iceConnected', 'dtlsConnected'],
  ['dtlsConnected', 'hubOffer'],
  ['hubOffer', 'answerSent'],
  ['answerSent', 'firstFrame'],
]

/** Runs in the page (serialised by Playwright): wraps the APIs and records the first time of each step. */
function installProbe(selectors: ProbeSelectors): void {
  const marks: Record<string, number> = {}
  ;(globalThis as { __joinProbe?: typeof marks }).__joinProbe = marks
  const mark = (step: string) => {
    if (marks.clickedAt !== undefined && marks[step] === undefined) marks[step] = performance.now()
  }
  document.addEventListener(
    'click',
    (event) => {
      if (marks.clickedAt === undefined && event.target instanceof Element && event.target.closest(selectors.joinSelector)) marks.clickedAt = performance.now()
    },
    { capture: true },
  )
  const originalFetch = globalThis.fetch.bind(globalThis)
  let inFlight = 0
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase()
    const body = typeof init?.body === 'string' ? init.body : ''
    const negotiate = method === 'PUT' && /\/negotiate\//.test(url)
    if (negotiate && /"type"\s*:\s*"answer"/.test(body)) mark('answerSent')
    if (negotiate && /"type"\s*:\s*"offer"/.test(body)) {
      // Other fetches still open then: with HTTP/1.1 the browser opens at most 6 connections to the hub, the events stream holding one.
      if (marks.clickedAt !== undefined && marks.inFlightAtOffer === undefined) marks.inFlightAtOffer = inFlight
      mark('offerSent')
    }
    // The p2p floor's relay (src/p2p-relay.ts): our offer left whole (ICE gathered), and the answer taken.
    const relayed = /\/rooms\/[^/]+\/(offer|answer)$/.exec(url.split('?')[0]!)?.[1]
    if (relayed === 'offer' && method === 'POST') mark('offerSent')
    inFlight++
    let response: Response
    try {
      response = await originalFetch(input, init)
    } finally {
      inFlight--
    }
    if (method === 'POST' && /\/register$/.test(url.split('?')[0]!)) mark('register')
    if (/\/isallownegotiate\//.test(url)) mark('lockAnswered')
    if (negotiate && /"type"\s*:\s*"offer"/.test(body)) mark('offerAnswered')
    if (negotiate && /"type"\s*:\s*"answer"/.test(body)) mark('answerAnswered')
    if (relayed === 'answer' && method === 'GET' && response.status === 200) mark('offerAnswered')
    return response
  }
  const OriginalEventSource = globalThis.EventSource
  globalThis.EventSource = class extends OriginalEventSource {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(url, init)
      mark('sseCreated')
      this.addEventListener('open', () => mark('sseOpen'))
      this.addEventListener('offer', () => mark('hubOffer'))
      // A listener added after the client's own (they add theirs right after constructing it): it runs once the client's listener returned.
      queueMicrotask(() => this.addEventListener('offer', () => mark('offerHandled')))
    }
  }
  /** The hub's offer is being answered: from the first SRD of an offer after the click to its answer's SLD. */
  let answering = false
  const timed = <T,>(promise: Promise<T>, done: string): Promise<T> => promise.then((value) => (mark(done), value))
  const OriginalPeerConnection = globalThis.RTCPeerConnection
  globalThis.RTCPeerConnection = class extends OriginalPeerConnection {
    constructor(config?: RTCConfiguration) {
      super(config)
      mark('pcCreated')
      const pc = this as RTCPeerConnection
      const srd = pc.setRemoteDescription.bind(pc)
      const create = pc.createAnswer.bind(pc) as () => Promise<RTCSessionDescriptionInit>
      const sld = pc.setLocalDescription.bind(pc)
      pc.setRemoteDescription = (description: RTCSessionDescriptionInit) => {
        if (description?.type === 'answer' && marks.ourAnswerSrdCalled === undefined && marks.clickedAt !== undefined) {
          mark('ourAnswerSrdCalled')
          return timed(srd(description), 'ourAnswerSrdDone')
        }
        if (description?.type !== 'offer' || marks.srdCalled !== undefined || marks.clickedAt === undefined) return srd(description)
        answering = true
        mark('srdCalled')
        return timed(srd(description), 'srdDone')
      }
      pc.createAnswer = ((...args: unknown[]) => {
        if (!answering) return (create as (...rest: unknown[]) => Promise<RTCSessionDescriptionInit>)(...args)
        mark('createAnswerCalled')
        return timed(create(), 'createAnswerDone')
      }) as RTCPeerConnection['createAnswer']
      pc.setLocalDescription = (description?: RTCLocalSessionDescriptionInit) => {
        if (!answering || (description !== undefined && description.type !== 'answer')) return sld(description)
        answering = false
        mark('sldCalled')
        return timed(sld(description), 'sldDone')
      }
      this.addEventListener('datachannel', () => mark('dataChannel'))
      this.addEventListener('track', (event) => {
        if (event.track.kind === 'video') mark('trackEvent')
      })
      this.addEventListener('iceconnectionstatechange', () => {
        if (this.iceConnectionState === 'connected' || this.iceConnectionState === 'completed') mark('iceConnected')
      })
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected') mark('dtlsConnected')
      })
    }
  }
  // The participants whose video was decoded, by tile (the web app's data-participant) or else by stream:
  // the SDK can hand one stream to two <video>s (a streamAvailable per track event).
  const decoded = new Set<unknown>()
  const check = () => {
    if (marks.allFrames !== undefined) return
    for (const video of document.querySelectorAll<HTMLVideoElement>(selectors.remoteVideoSelector)) {
      mark('videoInDom')
      if (video.srcObject) mark('videoSrc')
      if (video.videoWidth > 0) {
        mark('firstFrame')
        decoded.add(video.closest('[data-participant]')?.getAttribute('data-participant') ?? (video.srcObject as MediaStream | null)?.id ?? video)
      } else video.addEventListener('resize', check)
    }
    if (decoded.size >= (selectors.present ?? 1)) mark('allFrames')
  }
  setInterval(check, 5)
  // The page's main thread busy with tasks of 50 ms or more (Long Tasks API): what a request's answer waits behind.
  const longTasks: [number, number][] = []
  ;(globalThis as { __joinLongTasks?: typeof longTasks }).__joinLongTasks = longTasks
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longTasks.push([entry.startTime, entry.duration])
  }).observe({ type: 'longtask', buffered: true })
}

/** The newcomer's Join button, the remote videos it sees, and how many participants were there before it (its `allFrames` waits for that many). */
export interface ProbeSelectors {
  joinSelector: string
  remoteVideoSelector: string
  /** Default 1. */
  present?: number
}

/** Installs the probe for every document the page loads from now on (call before it navigates). */
export async function addJoinProbe(page: Page, selectors: ProbeSelectors): Promise<void> {
  await page.addInitScript(installProbe, selectors)
}

/** How many other participants' videos the page has decoded (as the probe counts them: by tile, else by stream), for a page without the probe. */
export async function decodedRemoteVideos(page: Page, remoteVideoSelector: string): Promise<number> {
  return page.evaluate((selector) => {
    const decoded = new Set<unknown>()
    for (const video of document.querySelectorAll<HTMLVideoElement>(selector)) {
      if (video.videoWidth > 0) decoded.add(video.closest('[data-participant]')?.getAttribute('data-participant') ?? (video.srcObject as MediaStream | null)?.id ?? video)
    }
    return decoded.size
  }, remoteVideoSelector)
}

export async function readJoinMarks(page: Page): Promise<JoinMarks> {
  return page.evaluate(() => {
    const marks = (globalThis as { __joinProbe?: Record<string, number> }).__joinProbe ?? {}
    const longTasks = (globalThis as { __joinLongTasks?: [number, number][] }).__joinLongTasks ?? []
    /** ms of long tasks between the click and `until` (the parts inside it). */
    const busy = (until: number | undefined) =>
      marks.clickedAt === undefined || until === undefined ? undefined : longTasks.reduce((sum, [start, duration]) => sum + Math.max(0, Math.min(start + duration, until) - Math.max(start, marks.clickedAt!)), 0)
    return {
      ...marks,
      // The page's clock as epoch ms (the hub's trace lines are stamped the same way).
      timeOrigin: performance.timeOrigin,
      busyToOffer: busy(marks.offerSent),
      busyToFrame: busy(marks.firstFrame),
      // Our offer's PUT from fetch() to its request leaving on a connection (Resource Timing; 0 cross-origin, without Timing-Allow-Origin: left out).
      offerQueued: (() => {
        const put = performance
          .getEntriesByType('resource')
          .find((entry) => /\/negotiate\//.test(entry.name) && marks.offerSent !== undefined && Math.abs(entry.startTime - marks.offerSent) < 5) as PerformanceResourceTiming | undefined
        return put && put.requestStart > 0 ? put.requestStart - put.startTime : undefined
      })(),
      // Hub API requests that went through a service worker's fetch handler (Resource Timing: workerStart > 0,
      // and no static route sent them to the network; Chromium sets workerStart for routed ones too).
      apiViaWorker: performance
        .getEntriesByType('resource')
        .filter((entry) => entry.name.includes('/v1/') && (entry as PerformanceResourceTiming).workerStart > 0 && (entry as { workerMatchedSourceType?: string }).workerMatchedSourceType !== 'network').length,
    }
  })
}

/** The marks as ms after the click (steps not seen are left out). */
export function sinceClick(marks: JoinMarks): Partial<Record<JoinStep, number>> {
  const clickedAt = marks.clickedAt
  if (clickedAt === undefined) return {}
  return Object.fromEntries(JOIN_STEPS.flatMap((step) => (marks[step] === undefined ? [] : [[step, marks[step]! - clickedAt]])))
}
