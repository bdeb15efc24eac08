/* global window, document, location, EventSource, RTCPeerConnection, RTCSessionDescription, RTCIceCandidate */
// The seed tutorial's client (conference-app-with-hub-api.md), step by step, with three changes for
// tests: the hub origin comes from `?hub=`, there are no ICE servers (loopback only), and leaving also
// closes the EventSource. `window.__pcs` lists the RTCPeerConnections (for getStats) and
// `window.__seed` exposes state and a log of what happened, for the specs and the benchmark.
'use strict'

const room = { id: null, name: '' }
const client = { id: null }

const apiOrigin = new URL(location.href).searchParams.get('hub')
const apiVersion = 'v1'

const streams = new Map()
let joinUrl = ''
let peer = null
let sse = null
let joined = false

// Test instrumentation: no behaviour depends on it.
const seed = {
  room,
  client,
  log: [],
  joinClickedAt: null,
  firstRemoteFrameMs: null,
  get joined() { return joined },
  get iceConnectionState() { return peer ? peer.iceConnectionState : null },
  get connectionState() { return peer ? peer.connectionState : null },
  remoteStreamIds() { return [...streams.keys()] },
  remoteTileCount() { return document.querySelectorAll('video.remote').length },
}
window.__seed = seed
window.__pcs = []
function note(what, detail) {
  seed.log.push({ at: Math.round(performance.now()), what, detail })
}

document.querySelector('button#togglejoin').addEventListener('click', toggleJoin)

async function createRoom(roomName = '') {
    const response = await fetch(`${apiOrigin}/${apiVersion}/rooms/create`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: roomName })
    })
    const newRoom = await response.json()
    return newRoom.data
}

function toggleJoin() {
    if (!joined) {
        seed.joinClickedAt = performance.now()
        join()
    } else {
        leave()
    }
}

async function join() {
    room.id = new URL(location.href).searchParams.get('roomId')
    room.name = new URL(location.href).searchParams.get('roomName')

    if (!room.id) {
        const newRoom = await createRoom('My room')
        room.id = newRoom.id
        room.name = newRoom.name
    }
    note('room', room.id)

    joinUrl = encodeURI(location.origin + location.pathname + `?hub=${apiOrigin}&roomId=${room.id}&roomName=${room.name}`)
    document.querySelector('#info').textContent = `Join URL : ${joinUrl}`

    client.id = await registerClient(room.id)
    note('registered', client.id)

    const mediaStream = await getUserMediaStream({ video: true, audio: true })
    establishPeerConnection(room.id, client.id, mediaStream)
    displayUserMediaStream(mediaStream)
    toggleJoinButton()
}

// The tutorial's uid is a random number; a wider range keeps 4 test participants from colliding.
async function registerClient(roomId, uid = Math.floor(Math.random() * 1000000)) {
    const response = await fetch(`${apiOrigin}/${apiVersion}/rooms/${roomId}/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ uid: uid })
    })
    const responseJSON = await response.json()
    return responseJSON.data.client_id
}

async function getUserMediaStream(constraints) {
    try {
        const mediaStream = await navigator.mediaDevices.getUserMedia(constraints)
        return mediaStream
    } catch (error) {
        console.error(error)
    }
}

function establishPeerConnection(roomId, clientId, mediaStream) {
    peer = new RTCPeerConnection({ iceServers: [] })
    window.__pcs.push(peer)

    peer.addEventListener('iceconnectionstatechange', () => {
        console.log('ice connection state change to ', peer && peer.iceConnectionState)
        if (peer) note('ice', peer.iceConnectionState)
    })

    peer.addEventListener('negotiationneeded', async () => {
        const allowNegotiateResponse = await fetch(`${apiOrigin}/${apiVersion}/rooms/${roomId}/isallownegotiate/${clientId}`, {
            method: 'POST',
        })
        note('isallownegotiate', allowNegotiateResponse.status)

        if (allowNegotiateResponse.ok) {
            if (!peer) return

            const offer = await peer.createOffer()
            await peer.setLocalDescription(offer)

            const negotiateResponse = await fetch(`${apiOrigin}/${apiVersion}/rooms/${roomId}/negotiate/${clientId}`, {
                method: 'PUT',
                headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify(peer.localDescription.toJSON())
            })

            const negotiateJSON = await negotiateResponse.json()
            const answer = negotiateJSON.data.answer
            const sdpAnswer = new RTCSessionDescription(answer)
            await peer.setRemoteDescription(sdpAnswer)
            note('answered', negotiateResponse.status)
        }
    })

    peer.addEventListener('icecandidate', async (event) => {
        const candidate = event.candidate
        if (candidate) {
            await fetch(`${apiOrigin}/${apiVersion}/rooms/${roomId}/candidate/${clientId}`, {
                method: 'POST',
                headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify(candidate.toJSON())
            })
        }
    })

    sse = new EventSource(`${apiOrigin}/${apiVersion}/rooms/${roomId}/events/${clientId}`)

    sse.addEventListener('candidate', async (event) => {
        if (!peer || !peer.remoteDescription) {
            note('candidate-dropped')
            return
        }
        const candidate = new RTCIceCandidate(JSON.parse(event.data))
        await peer.addIceCandidate(candidate)
        note('candidate')
    })

    sse.addEventListener('offer', async (event) => {
        if (!peer) return
        note('offer')
        const offer = JSON.parse(event.data)
        await peer.setRemoteDescription(offer)
        const answer = await peer.createAnswer()
        await peer.setLocalDescription(answer)

        fetch(`${apiOrigin}/${apiVersion}/rooms/${roomId}/negotiate/${clientId}`, {
            method: 'PUT',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(peer.localDescription.toJSON())
        })
    })

    peer.addEventListener('track', (event) => {
        const mediaStream = event.streams.find((stream) => stream.active === true)
        const track = event.track
        note('track', { kind: track.kind, stream: mediaStream && mediaStream.id })

        if (streams.has(mediaStream.id)) return

        streams.set(mediaStream.id, mediaStream)

        const video = document.createElement('video')
        video.classList.add('remote')
        video.dataset.streamId = mediaStream.id
        video.playsInline = true
        video.muted = false
        video.srcObject = mediaStream
        video.play()
        if (seed.firstRemoteFrameMs === null && typeof video.requestVideoFrameCallback === 'function') {
            video.requestVideoFrameCallback(() => {
                if (seed.firstRemoteFrameMs === null) seed.firstRemoteFrameMs = performance.now() - seed.joinClickedAt
            })
        }

        document.querySelector('main').appendChild(video)

        mediaStream.addEventListener('removetrack', (event) => {
            const target = event.target
            note('removetrack', { stream: target.id, remaining: target.getTracks().length })

            if (streams.has(target.id) && target.getTracks().length === 0) {
                video.remove()
                streams.delete(target.id)
            }
        })

        track.addEventListener('ended', () => {
            note('ended', { kind: track.kind, stream: mediaStream.id })
            video.remove()
        })
    })

    mediaStream.getTracks().forEach((track) => {
        peer.addTrack(track, mediaStream)
    })
}

function displayUserMediaStream(mediaStream) {
    const localVideo = document.querySelector('video#local')
    localVideo.srcObject = mediaStream
}

function toggleJoinButton() {
    const button = document.querySelector('button#togglejoin')
    if (joined) {
        button.textContent = 'Join'
        joined = false
    } else {
        button.textContent = 'Leave'
        joined = true
    }
}

async function leave() {
    await leaveRoom(room.id, client.id)
    toggleJoinButton()
}

async function leaveRoom(roomId, clientId) {
    const leaveResponse = await fetch(`${apiOrigin}/${apiVersion}/rooms/${roomId}/leave/${clientId}`, {
        method: 'DELETE',
    })
    note('left', leaveResponse.status)

    peer.getSenders().forEach((sender) => {
        if (sender.track) {
            sender.track.enabled = false
            sender.track.stop()
        }
    })

    const localVideo = document.querySelector('video#local')
    localVideo.srcObject = null

    // when local peer is closed, the ended event will be triggered
    peer.close()
    peer = null
    sse.close()
    sse = null

    joinUrl = ''
    document.querySelector('#info').innerHTML = ''
}
