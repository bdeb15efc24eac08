// Micro-benchmark (figures printed, nothing asserted): the werift plane's per-packet send (werift-fast-send.ts)
// over real UDP sockets, per forwarded packet: CPU (user + system of this process, the sendmsg and its
// loopback delivery included) and the JS heap it allocates (v8.GCProfiler: what each GC freed plus the
// heap's growth). SUBSCRIBERS senders, each with its own SRTP session (AEAD_AES_128_GCM, what the hub
// negotiates with browsers and werift) and its own socket, as subscribers' peers have; the datagrams go to
// a sink in another process that drains them. Packets are sent in bursts of SUBSCRIBERS (one publisher
// packet fanned out), BURSTS_PER_TICK bursts every TICK_MS, about the load bench's rate at N = 16.
// PARLEY_BENCH_SOURCES=32: that many publishers' tracks, each with its own SUBSCRIBERS senders, taking turns
// (a room of 16 has 32 tracks and 480 senders, whose state is mostly out of the CPU's caches at each send).
// `node --import ./bench/register-ts.mjs bench/fast-send-cost.ts` in packages/hub (under the e2e lock when
// other work runs: it is CPU time on a shared box).
import { spawn } from 'node:child_process'
import { createSocket, type Socket } from 'node:dgram'
import { loadavg } from 'node:os'
import { GCProfiler, getHeapStatistics } from 'node:v8'
import { RtpHeader, RtpPacket } from 'werift'
import { FastRtpSend } from '../src/media/werift-fast-send.js'
import { PROFILES, connectedSender } from '../src/test-support/weriftSender.js'

const SUBSCRIBERS = 15
const BURSTS_PER_TICK = 7
const TICK_MS = 5
const WINDOW_MS = Number(process.env.PARLEY_BENCH_WINDOW_MS ?? 4000)
const ROUNDS = Number(process.env.PARLEY_BENCH_ROUNDS ?? 5)
const SOURCES = Number(process.env.PARLEY_BENCH_SOURCES ?? 1)

const SINK = `const s = require('node:dgram').createSocket('udp4'); s.on('message', () => {}); s.bind(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'))`
const sink = spawn(process.execPath, ['-e', SINK], { stdio: ['ignore', 'pipe', 'inherit'] })
const sinkPort = await new Promise<number>((resolve) => sink.stdout.once('data', (data: Buffer) => resolve(Number(String(data).trim()))))

const [, gcm, saltLength] = PROFILES[0]
const sockets: Socket[] = []
const senderGroups = await Promise.all(
  Array.from({ length: SOURCES }, () => Promise.all(Array.from({ length: SUBSCRIBERS }, async (_, index) => {
    const { sender, pair } = connectedSender(gcm, saltLength)
    Object.assign(sender, { ssrc: 0x1000 + index })
    const socket = createSocket('udp4')
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
    sockets.push(socket)
    pair.remoteCandidate = { host: '127.0.0.1', port: sinkPort }
    Object.assign(pair.protocol.transport, { socket })
    return sender
  }))),
)

// A publisher's stream as the load bench's: opus 80 B every 20 ms beside VP8 packets of ≤ 1100 B.
const packets = Array.from({ length: 256 }, (_, i) => {
  const audio = i % 2 === 0
  const header = new RtpHeader({ payloadType: audio ? 111 : 96, sequenceNumber: i, timestamp: i * 960, ssrc: audio ? 0x5555 : 0x6666, marker: !audio })
  return new RtpPacket(header, Buffer.alloc(audio ? 80 : 1100, i))
})

const fast = new FastRtpSend()
let sequence = 0
let declined = 0

function burst(): void {
  const packet = packets[sequence & 255]!
  packet.header.sequenceNumber = sequence & 0xffff
  sequence++
  for (const sender of senderGroups[sequence % SOURCES]!) if (!fast.send(sender, packet)) declined++
}

async function window(): Promise<{ cpuNsPerPacket: number; bytesPerPacket: number; sent: number }> {
  const sentBefore = sequence
  const profiler = new GCProfiler()
  const heapAtStart = getHeapStatistics().used_heap_size
  profiler.start()
  const cpu = process.cpuUsage()
  const until = performance.now() + WINDOW_MS
  while (performance.now() < until) {
    for (let i = 0; i < BURSTS_PER_TICK; i++) burst()
    await new Promise((resolve) => setTimeout(resolve, TICK_MS))
  }
  const used = process.cpuUsage(cpu)
  const result = profiler.stop()
  let freed = 0
  for (const entry of result?.statistics ?? []) freed += Math.max(0, entry.beforeGC.heapStatistics.usedHeapSize - entry.afterGC.heapStatistics.usedHeapSize)
  const allocated = freed + getHeapStatistics().used_heap_size - heapAtStart
  const sent = (sequence - sentBefore) * SUBSCRIBERS
  return { cpuNsPerPacket: ((used.user + used.system) * 1000) / sent, bytesPerPacket: allocated / sent, sent }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

await window() // warm-up: JIT, the senders' templates and histories
const cpu: number[] = []
const bytes: number[] = []
for (let round = 0; round < ROUNDS; round++) {
  const { cpuNsPerPacket, bytesPerPacket } = await window()
  cpu.push(cpuNsPerPacket / 1000)
  bytes.push(bytesPerPacket)
}
console.log(`fast-send-cost: ${SOURCES} × ${SUBSCRIBERS} senders (GCM), ${Math.round((BURSTS_PER_TICK * SUBSCRIBERS * 1000) / TICK_MS)} sends/s nominal, ${ROUNDS} windows of ${WINDOW_MS} ms; load ${loadavg().map((value) => value.toFixed(2)).join(' ')}`)
console.log(`  CPU µs per packet     median ${median(cpu).toFixed(2)}  (windows ${cpu.map((value) => value.toFixed(2)).join(', ')})`)
console.log(`  JS heap B per packet  median ${median(bytes).toFixed(0)}  (windows ${bytes.map((value) => value.toFixed(0)).join(', ')})`)
if (declined > 0) console.log(`  declined by the fast send: ${declined}`)
for (const socket of sockets) socket.close()
sink.kill()
