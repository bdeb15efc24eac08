// Floods of one client's requests, each measured by what another room sees meanwhile (a GET of that
// room at a steady pace: how long the hub made it wait), and by what the flooding client is answered.
import { MAX_SDP_LENGTH } from '@parley/protocol'
import { guardDtlsClients, loopbackWeriftConfig } from '@parley/testkit'
import { RTCPeerConnection } from 'werift'
import { call, createRoom, probeWhile, registerClient, type Answered } from './hub.js'

export interface FloodFigures {
  /** Requests answered, by status. */
  statuses: Record<number, number>
  /** One refusal's message (the limit it names). */
  refusal?: string
  /** The other room's GET while the flood ran: slowest and 99th percentile, ms (how many). */
  otherRoomMaxMs: number
  otherRoomP99Ms: number
  otherRoomP50Ms: number
  probes: number
}

function summarise(answers: Answered[], probes: number[], refused: (answered: Answered) => boolean): FloodFigures {
  const statuses: Record<number, number> = {}
  for (const answered of answers) statuses[answered.status] = (statuses[answered.status] ?? 0) + 1
  const sorted = [...probes].sort((a, b) => a - b)
  const refusal = answers.find(refused)?.body.message
  return {
    statuses,
    ...(refusal ? { refusal } : {}),
    otherRoomMaxMs: sorted.at(-1) ?? NaN,
    otherRoomP99Ms: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? NaN,
    otherRoomP50Ms: sorted[Math.floor(sorted.length * 0.5)] ?? NaN,
    probes: sorted.length,
  }
}

/** `requests` calls, `concurrency` at a time. */
async function flood(count: number, concurrency: number, request: (index: number) => Promise<Answered>): Promise<Answered[]> {
  const answers: Answered[] = []
  let next = 0
  const worker = async () => {
    while (next < count) answers.push(await request(next++))
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return answers
}

/** One client sends `count` ICE candidates before any offer (the hub caps them per client). */
export async function measureCandidateFlood(baseUrl: string, count = 20_000): Promise<FloodFigures> {
  const [flooded, other] = [await createRoom(baseUrl, 'faults-candidates'), await createRoom(baseUrl, 'faults-candidates-other')]
  const clientId = await registerClient(baseUrl, flooded, 'flooder')
  const { result, probes } = await probeWhile(baseUrl, other, () =>
    flood(count, 16, (index) =>
      call(baseUrl, 'POST', `/rooms/${flooded}/candidate/${clientId}`, {
        candidate: `candidate:${index} 1 udp 2122260223 127.0.0.1 ${10_000 + (index % 50_000)} typ host`,
        sdpMid: '0',
        sdpMLineIndex: 0,
      }),
    ),
  )
  return summarise(result, probes, (answered) => answered.status === 429)
}

/** One setmeta with `keys` keys into a room of `clients` registered clients, then the largest allowed ones. */
export async function measureMetaFlood(baseUrl: string, keys = 15_000, clients = 50): Promise<{ huge: FloodFigures; allowed: FloodFigures & { requestMs: number } }> {
  const [flooded, other] = [await createRoom(baseUrl, 'faults-meta'), await createRoom(baseUrl, 'faults-meta-other')]
  for (let index = 0; index < clients; index += 1) await registerClient(baseUrl, flooded, `member-${index}`)
  const record = (count: number, offset: number) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`k${offset + index}`, 1]))
  const huge = await probeWhile(baseUrl, other, () => flood(3, 1, () => call(baseUrl, 'POST', `/rooms/${flooded}/setmeta`, record(keys, 0))))
  // The most one request may carry (100 keys), each one meta_changed to every client: the fan-out bound.
  const allowed = await probeWhile(baseUrl, other, () => flood(5, 1, (index) => call(baseUrl, 'POST', `/rooms/${flooded}/setmeta`, record(100, index * 100))))
  return {
    huge: summarise(huge.result, huge.probes, (answered) => answered.status >= 400),
    allowed: { ...summarise(allowed.result, allowed.probes, (answered) => answered.status >= 400), requestMs: Math.max(...allowed.result.map((answered) => answered.ms)) },
  }
}

/** An offer from werift with `tracks` sendonly audio m-lines (not applied locally: it never connects). */
export async function offerWithTracks(tracks: number, kinds: ('audio' | 'video')[] = ['audio']): Promise<string> {
  const pc = new RTCPeerConnection(loopbackWeriftConfig())
  guardDtlsClients(pc)
  try {
    for (let index = 0; index < tracks; index += 1) pc.addTransceiver(kinds[index % kinds.length]!, { direction: 'sendonly' })
    return (await pc.createOffer()).sdp
  } finally {
    await pc.close()
  }
}

export interface TrackFloodFigures {
  /** The offer of `mLines` m-lines: status and message. */
  status: number
  message: string
  /** Its size, and the protocol's SDP limit it stays under (so the track cap is what answers). */
  size: number
  limit: number
}

/**
 * werift's one-track offer with its m-section repeated `mLines` times, cut to the lines a media plane
 * needs (so 300 m-lines stay under the protocol's SDP limit and the track cap is what answers).
 */
export async function offerWithMLines(mLines: number): Promise<string> {
  const sdp = await offerWithTracks(1)
  const [head = '', section = ''] = sdp.split(/\r\n(?=m=)/)
  const essential = /^(m=|c=|a=(mid|sendonly|rtpmap:111 |ssrc:\d+ cname|ice-ufrag|ice-pwd|fingerprint|setup|rtcp-mux))/
  const kept = section.split('\r\n').filter((line) => essential.test(line))
  const sections = Array.from({ length: mLines }, (_, index) =>
    kept.map((line) => line.replace(/^a=mid:.*/, `a=mid:${index}`).replace(/^a=ssrc:\d+/, `a=ssrc:${1000 + index}`)).join('\r\n'),
  )
  const header = head.replace(/^a=group:BUNDLE.*$/m, `a=group:BUNDLE ${Array.from({ length: mLines }, (_, index) => index).join(' ')}`)
  return `${[header, ...sections].join('\r\n')}\r\n`
}

/** One client's offer with `mLines` sending m-lines. */
export async function measureTrackFlood(baseUrl: string, mLines = 300): Promise<TrackFloodFigures> {
  const roomId = await createRoom(baseUrl, 'faults-tracks')
  const flooder = await registerClient(baseUrl, roomId, 'flooder')
  const offer = await offerWithMLines(mLines)
  if (offer.length > MAX_SDP_LENGTH) throw new Error(`the ${mLines}-m-line offer is ${offer.length} characters, over the protocol's limit`)
  const answered = await call(baseUrl, 'PUT', `/rooms/${roomId}/negotiate/${flooder}`, { type: 'offer', sdp: offer })
  return { status: answered.status, message: answered.body.message, size: offer.length, limit: MAX_SDP_LENGTH }
}

export interface MalformedFigures {
  /** By variant: status and message. */
  answers: Record<string, { status: number; message: string }>
}

/** Offers werift would take but never connect with: each answered with a 400 that says why. */
export async function measureMalformedSdps(baseUrl: string): Promise<MalformedFigures> {
  const roomId = await createRoom(baseUrl, 'faults-sdp')
  const sdp = await offerWithTracks(2, ['audio', 'video'])
  const variants: Record<string, string> = {
    'garbage fingerprint': sdp.replace(/a=fingerprint:[^\r\n]*/g, 'a=fingerprint:sha-256 not:a:fingerprint'),
    'a=setup:bogus': sdp.replace(/a=setup:[^\r\n]*/g, 'a=setup:bogus'),
    'SSRC over 32 bits': sdp.replace(/a=ssrc:(\d+)/, 'a=ssrc:4294967296'),
  }
  const answers: MalformedFigures['answers'] = {}
  for (const [variant, text] of Object.entries(variants)) {
    if (text === sdp) throw new Error(`the ${variant} variant changed nothing in werift's offer`)
    const clientId = await registerClient(baseUrl, roomId, `malformed-${Object.keys(answers).length}`)
    const answered = await call(baseUrl, 'PUT', `/rooms/${roomId}/negotiate/${clientId}`, { type: 'offer', sdp: text })
    answers[variant] = { status: answered.status, message: answered.body.message }
  }
  return { answers }
}
