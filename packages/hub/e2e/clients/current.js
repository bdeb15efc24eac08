/* global window, document, location, EventSource, RTCPeerConnection, CSS */
// A minimal current-generation Hub API client, the flow the inLive SDK uses (hub-api-v1.md §4):
// register {uid, name} → SSE opened at once → getUserMedia → addTrack → negotiationneeded →
// isallownegotiate (or wait for `allowed_renegotation`) → offer → PUT negotiate → answer; server
// candidates are queued until a remote description exists; `tracks_added` → PUT settracksources
// (source "media"); `tracks_available` → POST subscribetracks and remember client_name/source per
// stream; server `offer` → answer. Query: ?hub=<origin>&roomId=<id>&name=<display name>.
// `window.__pcs` and `window.__current` are for the specs and the benchmark.
'use strict'

const params = new URL(location.href).searchParams
const api = `${params.get('hub')}/v1`
const displayName = params.get('name') || ''

const state = {
  roomId: params.get('roomId'),
  clientId: null,
  joined: false,
  /** stream_id → { clientId, name, source, trackIds } from tracks_available */
  announced: new Map(),
  /** stream_id → remote MediaStream from `track` events */
  remote: new Map(),
  /** local track_id values the hub announced back in tracks_added, with the source we set */
  ownSources: new Map(),
  log: [],
  joinClickedAt: null,
  firstRemoteFrameMs: null,
  /** Wall-clock (Date.now) twins, to compare two pages' timelines. */
  joinClickedEpochMs: null,
  firstRemoteFrameEpochMs: null,
}
let peer = null
let sse = null
let localStream = null
let pendingNegotiation = false
let pendingCandidates = []

window.__pcs = []
window.__current = {
  state,
  get connectionState() { return peer ? peer.connectionState : null },
  remoteStreamIds() { return [...state.remote.keys()] },
  remoteTileCount() { return document.querySelectorAll('video.remote').length },
  /** stream_id → { name, source } for the streams announced by tracks_available */
  announcedStreams() {
    return Object.fromEntries([...state.announced].map(([id, info]) => [id, { name: info.name, source: info.source, clientId: info.clientId, trackIds: [...info.trackIds] }]))
  },
  tileLabels() { return [...document.querySelectorAll('figure.remote figcaption')].map((el) => el.textContent) },
}

function note(what, detail) {
  state.log.push({ at: Math.round(performance.now()), what, detail })
}

async function call(method, path, body) {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = await response.json()
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${json.message}`)
  return json.data
}

document.querySelector('button#togglejoin').addEventListener('click', () => {
  if (state.joined) leave()
  else {
    state.joinClickedAt = performance.now()
    state.joinClickedEpochMs = Date.now()
    join().catch((error) => console.error('join failed', error))
  }
})

async function join() {
  if (!state.roomId) state.roomId = (await call('POST', '/rooms/create', { name: 'Current room' })).id
  const registered = await call('POST', `/rooms/${state.roomId}/register`, {
    uid: `client${Math.floor(Math.random() * 1e9)}`,
    name: displayName,
  })
  state.clientId = registered.client_id
  note('registered', state.clientId)

  peer = new RTCPeerConnection({ iceServers: [] })
  window.__pcs.push(peer)
  listen()

  peer.addEventListener('negotiationneeded', () => negotiate())
  peer.addEventListener('icecandidate', (event) => {
    if (event.candidate) call('POST', `/rooms/${state.roomId}/candidate/${state.clientId}`, event.candidate.toJSON()).catch(report)
  })
  peer.addEventListener('connectionstatechange', () => note('connection', peer && peer.connectionState))
  peer.addEventListener('track', onTrack)

  localStream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true })
  document.querySelector('video#local').srcObject = localStream
  for (const track of localStream.getTracks()) peer.addTrack(track, localStream)

  state.joined = true
  document.querySelector('button#togglejoin').textContent = 'Leave'
  document.querySelector('#info').textContent = `room ${state.roomId}`
}

function report(error) {
  if (peer) console.error(error)
}

async function negotiate() {
  if (!peer) return
  const allowed = await fetch(`${api}/rooms/${state.roomId}/isallownegotiate/${state.clientId}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
  })
  note('isallownegotiate', allowed.status)
  if (!allowed.ok) {
    pendingNegotiation = true
    return
  }
  pendingNegotiation = false
  const offer = await peer.createOffer()
  await peer.setLocalDescription(offer)
  const data = await call('PUT', `/rooms/${state.roomId}/negotiate/${state.clientId}`, peer.localDescription.toJSON())
  await peer.setRemoteDescription(data.answer)
  await flushCandidates()
  note('answered')
}

async function flushCandidates() {
  const queued = pendingCandidates
  pendingCandidates = []
  for (const candidate of queued) await peer.addIceCandidate(candidate)
}

function listen() {
  sse = new EventSource(`${api}/rooms/${state.roomId}/events/${state.clientId}`)
  const on = (name, handler) =>
    sse.addEventListener(name, (event) => {
      note(name)
      Promise.resolve(handler(JSON.parse(event.data))).catch(report)
    })

  on('candidate', async (candidate) => {
    if (!peer) return
    if (!peer.remoteDescription) pendingCandidates.push(candidate)
    else await peer.addIceCandidate(candidate)
  })

  on('offer', async (offer) => {
    if (!peer) return
    await peer.setRemoteDescription(offer)
    await flushCandidates()
    await peer.setLocalDescription(await peer.createAnswer())
    await call('PUT', `/rooms/${state.roomId}/negotiate/${state.clientId}`, peer.localDescription.toJSON())
  })

  on('allowed_renegotation', () => {
    if (pendingNegotiation) return negotiate()
  })

  on('tracks_added', async ({ tracks }) => {
    const sources = Object.keys(tracks).map((trackId) => ({ track_id: trackId, source: 'media' }))
    for (const { track_id } of sources) state.ownSources.set(track_id, 'media')
    await call('PUT', `/rooms/${state.roomId}/settracksources/${state.clientId}`, sources)
  })

  on('tracks_available', async ({ tracks }) => {
    const subscriptions = []
    for (const [trackId, info] of Object.entries(tracks)) {
      const entry = state.announced.get(info.stream_id) ?? { clientId: info.client_id, name: info.client_name, source: info.source, trackIds: new Set() }
      entry.trackIds.add(trackId)
      state.announced.set(info.stream_id, entry)
      subscriptions.push({ client_id: info.client_id, stream_id: info.stream_id, track_id: trackId })
      labelTile(info.stream_id)
    }
    await call('POST', `/rooms/${state.roomId}/subscribetracks/${state.clientId}`, subscriptions)
  })
}

function labelTile(streamId) {
  const figure = document.querySelector(`figure.remote[data-stream-id="${CSS.escape(streamId)}"]`)
  const info = state.announced.get(streamId)
  if (figure && info) figure.querySelector('figcaption').textContent = `${info.name} (${info.source})`
}

function onTrack(event) {
  const stream = event.streams[0]
  const track = event.track
  note('track', { kind: track.kind, stream: stream && stream.id })
  if (!stream || state.remote.has(stream.id)) return
  state.remote.set(stream.id, stream)

  const figure = document.createElement('figure')
  figure.classList.add('remote')
  figure.dataset.streamId = stream.id
  const video = document.createElement('video')
  video.classList.add('remote')
  video.dataset.streamId = stream.id
  video.playsInline = true
  video.autoplay = true
  video.srcObject = stream
  figure.append(video, document.createElement('figcaption'))
  document.querySelector('main').appendChild(figure)
  labelTile(stream.id)
  if (state.firstRemoteFrameMs === null && typeof video.requestVideoFrameCallback === 'function') {
    video.requestVideoFrameCallback(() => {
      if (state.firstRemoteFrameMs !== null) return
      state.firstRemoteFrameMs = performance.now() - state.joinClickedAt
      state.firstRemoteFrameEpochMs = Date.now()
    })
  }

  const removeTile = (why) => {
    if (!state.remote.has(stream.id)) return
    note('tile-removed', { stream: stream.id, why })
    state.remote.delete(stream.id)
    figure.remove()
  }
  stream.addEventListener('removetrack', () => {
    note('removetrack', { stream: stream.id, remaining: stream.getTracks().length })
    if (stream.getTracks().length === 0) removeTile('removetrack')
  })
  track.addEventListener('ended', () => {
    note('ended', { kind: track.kind, stream: stream.id })
    if (stream.getTracks().every((t) => t.readyState === 'ended')) removeTile('ended')
  })
}

async function leave() {
  const roomId = state.roomId
  const clientId = state.clientId
  state.joined = false
  sse.close()
  sse = null
  const pc = peer
  peer = null
  for (const track of localStream.getTracks()) track.stop()
  document.querySelector('video#local').srcObject = null
  pc.close()
  for (const figure of document.querySelectorAll('figure.remote')) figure.remove()
  state.remote.clear()
  await fetch(`${api}/rooms/${roomId}/leave/${clientId}`, { method: 'DELETE', headers: { 'Content-Type': 'application/json' } })
  note('left')
  document.querySelector('button#togglejoin').textContent = 'Join'
}
