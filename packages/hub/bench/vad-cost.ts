// Micro-benchmark (figures printed, nothing asserted): what voice detection adds per audio packet on the
// werift plane's forwarding path. Three costs, each against a loop that only reads the packet:
//  1. the hub's read and detector (werift-voice.ts: audio-level.ts's loop over the parsed extension
//     elements, vad.ts's onPacket), for a track a subscriber with enable_vad receives, packets loud 1 in 5;
//  2. a track nobody asked about: the one property check (`source.voice`) every packet pays;
//  3. werift's own router, which once the extension is negotiated decodes it into an object per packet
//     (rtpHeaderExtensionsParser: BitStream), against the same packet without it.
// Pure CPU, no socket, no hub: `node --import ./bench/register-ts.mjs bench/vad-cost.ts` in packages/hub.
import { loadavg } from 'node:os'
import { rtpHeaderExtensionsParser } from 'werift'
import { systemClock } from '../src/clock.js'
import { AUDIO_LEVEL_URI, audioLevelIn } from '../src/media/audio-level.js'
import { VoiceDetector } from '../src/media/vad.js'

const PACKETS = 2_000_000
const ROUNDS = 5
const MID_ID = 4
const LEVEL_ID = 1
const TWCC_ID = 3

/** A Chromium-like audio packet's parsed extensions: mid, the audio level (V bit, level), transport-cc. */
function packets(withLevel: boolean) {
  return Array.from({ length: 1024 }, (_, i) => {
    const level = i % 5 === 0 ? 20 : 90
    const extensions = [{ id: MID_ID, payload: Buffer.from('0') }, { id: TWCC_ID, payload: Buffer.from([i >> 8, i & 0xff]) }]
    if (withLevel) extensions.splice(0, 0, { id: LEVEL_ID, payload: Buffer.from([0x80 | level]) })
    return { header: { sequenceNumber: i, timestamp: i * 960, extensions } }
  })
}

type Packet = ReturnType<typeof packets>[number]

function nsPerPacket(list: Packet[], run: (packet: Packet) => void): number {
  const start = process.hrtime.bigint()
  for (let i = 0; i < PACKETS; i++) run(list[i & 1023]!)
  return Number(process.hrtime.bigint() - start) / PACKETS
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

let sink = 0
const withLevel = packets(true)
const withoutLevel = packets(false)
// The detector's timers must not fire mid-loop (that would count the reports, 10 a second, not a packet's cost).
const detector = new VoiceDetector({ ...systemClock, setTimeout: () => undefined, clearTimeout: () => undefined }, () => undefined)
const source: { voice: { detector: VoiceDetector; extensionId: number } | undefined } = { voice: { detector, extensionId: LEVEL_ID } }
const idle: { voice: undefined | typeof source.voice } = { voice: undefined }
const negotiated = { [MID_ID]: 'urn:ietf:params:rtp-hdrext:sdes:mid', [TWCC_ID]: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', [LEVEL_ID]: AUDIO_LEVEL_URI }
const beforeNegotiated = { [MID_ID]: negotiated[MID_ID], [TWCC_ID]: negotiated[TWCC_ID] }

const cases: [string, Packet[], (packet: Packet) => void][] = [
  ['baseline (read the sequence number)', withLevel, (packet) => void (sink += packet.header.sequenceNumber)],
  ['no detector: the source.voice check', withLevel, (packet) => {
    sink += packet.header.sequenceNumber
    if (idle.voice) sink++
  }],
  ['detector: audio-level read + onPacket', withLevel, (packet) => {
    sink += packet.header.sequenceNumber
    const voice = source.voice
    if (voice) {
      const byte = audioLevelIn(packet.header.extensions, voice.extensionId)
      if (byte >= 0) voice.detector.onPacket(packet.header.sequenceNumber, packet.header.timestamp, byte)
    }
  }],
  ["werift's router parse, before (mid, tcc)", withoutLevel, (packet) => void (sink += Object.keys(rtpHeaderExtensionsParser(packet.header.extensions, beforeNegotiated)).length)],
  ["werift's router parse, with the audio level", withLevel, (packet) => void (sink += Object.keys(rtpHeaderExtensionsParser(packet.header.extensions, negotiated)).length)],
]

const results = new Map<string, number[]>(cases.map(([name]) => [name, []]))
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, list, run] of cases) results.get(name)!.push(nsPerPacket(list, run))
}
console.log(`vad-cost: ${PACKETS} packets x ${ROUNDS} rounds, median ns per packet; load ${loadavg().map((value) => value.toFixed(2)).join(' ')}`)
for (const [name, values] of results) console.log(`  ${name.padEnd(46)} ${median(values).toFixed(1)} ns  (rounds ${values.map((value) => value.toFixed(1)).join(', ')})`)
if (sink === -1) console.log(sink)
