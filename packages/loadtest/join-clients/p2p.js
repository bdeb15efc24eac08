/* global window, document, location, RTCPeerConnection */
// The join bench's floor: a call straight between two Chromium pages on the same box, no hub. The camera
// and microphone are open before the click, as Parley's pre-join has them. The page named "Existing…"
// answers any offer for the room; the other ("Newcomer") makes the peer connection at its Join click,
// offers with both tracks and shows the other's video as `video.remote`. Descriptions go with their
// first UDP candidate (below) through the bench's relay
// (src/p2p-relay.ts), one HTTP request each way on loopback: the part a hub's signalling would take.
const params = new URL(location.href).searchParams
const relay = params.get('relay')
const roomId = encodeURIComponent(params.get('roomId'))
const answers = (params.get('name') || '').startsWith('Existing')
const state = { connectionState: null, error: null }
window.__p2p = state

const mailbox = (kind) => `${relay}/rooms/${roomId}/${kind}`
async function take(kind) {
  for (;;) {
    const response = await fetch(mailbox(kind))
    if (response.status === 200) return JSON.parse(await response.text())
    if (response.status !== 204) throw new Error(`relay ${kind}: ${response.status}`)
  }
}
async function leave(kind, description) {
  const response = await fetch(mailbox(kind), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(description) })
  if (response.status !== 204) throw new Error(`relay ${kind}: ${response.status}`)
}
/**
 * The description is sent once it holds a UDP candidate (or gathering ended): waiting for gathering to end
 * cost 150–200 ms a side on this box, and the one loopback UDP candidate is all the call uses. As fast as a
 * trickling client, with one message each way.
 */
const udpCandidate = (pc) =>
  pc.iceGatheringState === 'complete' || / udp /i.test(pc.localDescription?.sdp ?? '')
    ? Promise.resolve()
    : new Promise((resolve) => {
        const check = () => (pc.iceGatheringState === 'complete' || / udp /i.test(pc.localDescription?.sdp ?? '')) && resolve()
        pc.addEventListener('icecandidate', check)
        pc.addEventListener('icegatheringstatechange', check)
      })

function peerWith(media) {
  const pc = new RTCPeerConnection({ iceServers: [] })
  for (const track of media.getTracks()) pc.addTrack(track, media)
  pc.addEventListener('connectionstatechange', () => { state.connectionState = pc.connectionState })
  pc.addEventListener('track', ({ streams: [stream] }) => {
    if (!stream || document.querySelector(`video.remote[data-stream="${stream.id}"]`)) return
    const video = document.createElement('video')
    video.className = 'remote'
    video.dataset.stream = stream.id
    video.autoplay = true
    video.playsInline = true
    video.muted = true
    video.srcObject = stream
    document.querySelector('#videos').append(video)
  })
  return pc
}

async function answerEveryOffer(media) {
  state.connectionState = 'connected' // in the "room": the bench waits for this before the newcomer clicks
  for (;;) {
    const offer = await take('offer')
    const pc = peerWith(media)
    await pc.setRemoteDescription(offer)
    await pc.setLocalDescription(await pc.createAnswer())
    await udpCandidate(pc)
    await leave('answer', pc.localDescription)
  }
}

async function offer(media) {
  const pc = peerWith(media)
  await pc.setLocalDescription(await pc.createOffer())
  await udpCandidate(pc)
  await leave('offer', pc.localDescription)
  await pc.setRemoteDescription(await take('answer'))
}

const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true })
document.querySelector('#local').srcObject = media
const join = document.querySelector('#join')
join.disabled = false
join.addEventListener('click', () => {
  join.disabled = true
  ;(answers ? answerEveryOffer(media) : offer(media)).catch((error) => { state.error = String((error && error.stack) || error) })
}, { once: true })
