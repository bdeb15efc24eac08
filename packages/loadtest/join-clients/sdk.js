/* global window, document, location */
// The SDK's documented flow: register (createClient), createPeer (opens the peer connection and the
// event stream), addStream of the camera; remote streams arrive as `streamAvailable`. The SDK asks
// for an access token it gets from inLive's auth service; our hub needs none, so a token pointing at
// our hub is set instead (setAuth takes the API origin and version from its url).
// Optional: `simulcast=1` turns on the SDK's own webcam simulcast (`media.webcam.simulcast`), `svc=0` its
// SVC (on by default in the SDK: with simulcast it adds `scalabilityMode` to every layer), `video=0`
// joins with the microphone only (a subscriber that costs no encoder), `observe=WxH` shows each remote
// video at W×H CSS pixels and hands it to the SDK's `peer.observeVideo` (its `internal` channel then
// reports the size to the hub; the page's own preview is hidden); the peer is `window.__sdkPeer`.
// `vad=1` registers with the SDK's `enableVAD` (the hub then sends vad_started / vad_ended on `internal`).
// Every `voiceactivity` the SDK dispatches on a remote stream is kept in `window.__sdkStreamVoice`
// ({ streamId, audioLevel }); the SDK's peer-level event is on an object its API does not hand out, so the
// frames it is made from are read off the `internal` channel beside the SDK: `window.__sdkVoice`.
import { Room } from './room.js'

const params = new URL(location.href).searchParams
const hub = params.get('hub')
const roomId = params.get('roomId')
const name = params.get('name') || 'sdk'
const state = { connectionState: null, joined: false, error: null }
window.__sdk = state
window.__sdkVoice = []
window.__sdkStreamVoice = []

const webcam = {}
if (params.get('simulcast') === '1') webcam.simulcast = true
if (params.get('svc') === '0') webcam.svc = false
const withVideo = params.get('video') !== '0'
const observe = /^(\d+)x(\d+)$/.exec(params.get('observe') || '')
let peer = null
const room = Room({ api: { baseUrl: hub, version: 'v1' }, webrtc: { iceServers: [] }, media: { webcam } })
room.setAuth({ url: `${hub}/v1/auth`, data: { accessToken: 'parley', refreshToken: 'parley', expirySeconds: 86_400 } })

room.on('streamAvailable', ({ stream }) => {
  if (stream.origin !== 'remote') return
  stream.addEventListener('voiceactivity', (event) => { window.__sdkStreamVoice.push({ streamId: stream.id, audioLevel: event.detail.audioLevel }) })
  const video = document.createElement('video')
  video.className = 'remote'
  video.autoplay = true
  video.playsInline = true
  video.muted = true
  video.srcObject = stream.mediaStream
  if (observe) {
    video.style.width = `${observe[1]}px`
    video.style.height = `${observe[2]}px`
  }
  document.querySelector('#videos').append(video)
  if (observe && peer) peer.observeVideo(video)
})

async function join() {
  // The SDK sends enable_vad only with a client id or name (hub-api-v1.md §3): the name is always set here.
  const client = await room.createClient(roomId, { clientName: name, ...(params.get('vad') === '1' ? { enableVAD: true } : {}) })
  const clientId = client.data.clientId
  peer = await room.createPeer(roomId, clientId)
  window.__sdkPeer = peer
  if (observe) document.querySelector('#local').style.display = 'none'
  const pc = peer.getPeerConnection()
  pc.addEventListener('connectionstatechange', () => { state.connectionState = pc.connectionState })
  // The hub opens `internal` with a later offer of its own, after createPeer resolved.
  pc.addEventListener('datachannel', ({ channel }) => {
    if (channel.label !== 'internal') return
    channel.addEventListener('message', ({ data }) => {
      const frame = JSON.parse(data)
      if (frame.type === 'vad_started' || frame.type === 'vad_ended') window.__sdkVoice.push(frame)
    })
  })
  const mediaStream = await navigator.mediaDevices.getUserMedia({ video: withVideo, audio: true })
  document.querySelector('#local').srcObject = mediaStream
  peer.addStream(mediaStream.id, { clientId, name, origin: 'local', source: 'media', mediaStream })
  state.joined = true
}

document.querySelector('#join').addEventListener('click', () => {
  join().catch((error) => { state.error = String(error && error.stack || error) })
})
