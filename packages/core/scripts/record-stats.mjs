// Records real Chromium getStats reports for the stats tests (src/stats/fixtures/*.json): two peer
// connections in one page on 127.0.0.1, fake camera and microphone, one sending to the other.
// Scenarios: good (as is), lossy (the media goes through a UDP relay in this script that drops 15 %
// of the RTP/RTCP packets and delays the rest by 80 ms +- 30 ms; netem is not in every kernel),
// frozen (the sender's video replaced by nothing, so the receiver's framesDecoded stops).
// Run in a loopback-only namespace:
//   unshare -n sh -c 'ip link set lo up && node packages/core/scripts/record-stats.mjs'
import { createSocket } from 'node:dgram'
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(resolve(here, '../../testkit/package.json'))
const { chromium } = require('playwright-core')
const FIXTURES = resolve(here, '../src/stats/fixtures')

const PAGE = `<!doctype html><meta charset="utf-8"><body><script>
const wait = (ms) => new Promise((r) => setTimeout(r, ms))
const dump = async (pc) => [...(await pc.getStats()).values()]
window.setup = async (relay) => {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } })
  const sender = new RTCPeerConnection(), receiver = new RTCPeerConnection()
  // The receiver learns the sender from its checks (through the relay); the sender is given the relay.
  receiver.onicecandidate = async (e) => {
    if (!e.candidate || !/ udp /i.test(e.candidate.candidate)) return
    const parts = e.candidate.candidate.split(' ')
    const port = await relay(parts[4] + ':' + parts[5])
    parts[5] = String(port)
    sender.addIceCandidate({ candidate: parts.join(' '), sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex })
  }
  for (const track of stream.getTracks()) sender.addTrack(track, stream)
  receiver.ontrack = (e) => { const v = document.createElement(e.track.kind); v.autoplay = true; v.srcObject = e.streams[0]; document.body.append(v) }
  await sender.setLocalDescription(); await receiver.setRemoteDescription(sender.localDescription)
  await receiver.setLocalDescription(); await sender.setRemoteDescription(receiver.localDescription)
  window.pcs = { sender, receiver, stream }
  for (let i = 0; i < 100 && receiver.connectionState !== 'connected'; i++) await wait(100)
  return receiver.connectionState
}
window.record = async (count, everyMs) => {
  const samples = []
  const t0 = performance.now()
  for (let i = 0; i < count; i++) {
    samples.push({ atMs: Math.round(performance.now() - t0), receiver: await dump(pcs.receiver), sender: await dump(pcs.sender) })
    if (i < count - 1) await wait(everyMs)
  }
  return samples
}
window.freeze = async () => { const s = pcs.sender.getSenders().find((x) => x.track?.kind === 'video'); await s.replaceTrack(null) }
</script>`

const server = createServer((_, res) => res.end(PAGE)).listen(0, '127.0.0.1')
await new Promise((r) => server.once('listening', r))
const url = `http://127.0.0.1:${server.address().port}/`
/** A relay to `target`: what arrives from the sender goes on (RTP/RTCP maybe dropped or delayed), answers come back. */
const lossy = { on: false }
const relays = []
async function startRelay(target) {
  const [host, port] = target.split(':')
  const front = createSocket('udp4')
  const back = createSocket('udp4')
  let peer
  front.on('message', (message, from) => {
    peer = from
    // RTP/RTCP (SRTP) starts with 128..191; STUN and DTLS always pass.
    const media = message[0] >= 128 && message[0] <= 191
    if (!lossy.on || !media) return back.send(message, Number(port), host)
    if (Math.random() < 0.15) return
    setTimeout(() => back.send(message, Number(port), host), 50 + Math.random() * 60)
  })
  back.on('message', (message) => peer && front.send(message, peer.port, peer.address))
  await new Promise((r) => front.bind(0, '127.0.0.1', r))
  await new Promise((r) => back.bind(0, '127.0.0.1', r))
  relays.push(front, back)
  return front.address().port
}

const browser = await chromium.launch({
  executablePath: process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--allow-loopback-in-peer-connection', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required'],
  // Playwright adds --mute-audio: the levels below are measured before the output, so it does not matter.,
})
const save = (name, samples, note) => {
  writeFileSync(resolve(FIXTURES, `chromium-${name}.json`), JSON.stringify({ recordedWith: `Chromium ${browser.version()}, ${note}`, samples }, null, 1) + '\n')
  console.log(`recorded ${name}: ${samples.length} samples`)
}
try {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] })
  const page = await context.newPage()
  await page.exposeFunction('startRelay', startRelay)
  await page.goto(url)
  console.log('connection:', await page.evaluate(() => globalThis.setup(globalThis.startRelay)))
  await page.waitForTimeout(3000)
  save('good', await page.evaluate(() => globalThis.record(4, 1000)), 'fake devices, 640x480, direct loopback, 1 s apart')
  lossy.on = true
  await page.waitForTimeout(3000)
  save('lossy', await page.evaluate(() => globalThis.record(4, 1000)), 'fake devices, a relay dropping 15% of RTP/RTCP and delaying the rest 50-110 ms, 1 s apart')
  lossy.on = false
  await page.waitForTimeout(2000)
  await page.evaluate(() => globalThis.freeze())
  save('frozen', await page.evaluate(() => globalThis.record(4, 1000)), "the sender's video track replaced by null at the first sample, 1 s apart")
} finally {
  await browser.close()
  server.close()
  for (const socket of relays) socket.close()
}
