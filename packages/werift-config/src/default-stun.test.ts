// No STUN server of werift's own choosing: `gatherWithoutDefaultStun` (the hub calls it before each
// setLocalDescription) and `ParticipantPeerConnection` (a Node participant's peer, which does the same).
// Nothing here asks a STUN server: a plain werift peer's default is only read, never gathered from.
import { RTCPeerConnection } from 'werift'
import { describe, expect, it } from 'vitest'
import { gatherWithoutDefaultStun, ParticipantPeerConnection } from './default-stun.js'
import { loopbackWeriftConfig, resolveIceConfig, weriftPeerConfig } from './index.js'

const GOOGLE = ['stun.l.google.com', 19302]

/** The STUN server each ICE agent of the peer would ask for a server-reflexive candidate. */
const stunServers = (pc: RTCPeerConnection) => pc.iceTransports.map((transport) => (transport.connection as unknown as { stunServer?: unknown }).stunServer)
const candidates = (pc: RTCPeerConnection) => (pc.localDescription?.sdp ?? '').split('\r\n').filter((line) => line.startsWith('a=candidate'))

async function clientOffer() {
  const client = new RTCPeerConnection(loopbackWeriftConfig())
  client.addTransceiver('audio', { direction: 'recvonly' })
  const offer = await client.createOffer()
  await client.close()
  return offer
}

async function answeringPeer(iceServers: { urls: string }[] = []): Promise<RTCPeerConnection> {
  const pc = new RTCPeerConnection(weriftPeerConfig(resolveIceConfig({ iceServers })))
  await pc.setRemoteDescription(await clientOffer())
  return pc
}

async function closing<T extends { close(): Promise<void> }>(pc: T, run: (pc: T) => Promise<void>) {
  try {
    await run(pc)
  } finally {
    await pc.close()
  }
}

describe('gatherWithoutDefaultStun', () => {
  it("without it, werift asks its own default STUN server (Google's) when none is configured", async () => {
    await closing(await answeringPeer(), async (pc) => expect(stunServers(pc)).toEqual([GOOGLE]))
  })

  it('leaves no STUN server to ask when none is configured, and the answer has host candidates only', async () => {
    await closing(await answeringPeer(), async (pc) => {
      gatherWithoutDefaultStun(pc)
      expect(stunServers(pc)).toEqual([undefined])
      await pc.setLocalDescription(await pc.createAnswer())
      expect(candidates(pc).length).toBeGreaterThan(0)
      expect(candidates(pc).every((line) => line.includes(' typ host'))).toBe(true)
    })
  })

  it('keeps a configured STUN server', async () => {
    await closing(await answeringPeer([{ urls: 'stun:127.0.0.1:3478' }]), async (pc) => {
      gatherWithoutDefaultStun(pc)
      expect(stunServers(pc)).toEqual([['127.0.0.1', 3478]])
    })
  })
})

describe('ParticipantPeerConnection', () => {
  it("a plain werift peer's first offer would ask Google's server (what the participant's peer is for)", async () => {
    await closing(new RTCPeerConnection(loopbackWeriftConfig()), async (pc) => {
      pc.addTransceiver('video', { direction: 'sendrecv' })
      await pc.createOffer()
      expect(stunServers(pc)).toEqual([GOOGLE])
    })
  })

  it('a first offer, an ICE restart offer and an answer ask no STUN server, with host candidates only', async () => {
    await closing(new ParticipantPeerConnection(loopbackWeriftConfig()), async (pc) => {
      pc.addTransceiver('audio', { direction: 'sendrecv' })
      pc.addTransceiver('video', { direction: 'sendrecv' })
      await pc.setLocalDescription(await pc.createOffer())
      expect(stunServers(pc)).toEqual([undefined])
      await pc.setLocalDescription(await pc.createOffer({ iceRestart: true }))
      expect(stunServers(pc)).toEqual([undefined])
      expect(candidates(pc).length).toBeGreaterThan(0)
      expect(candidates(pc).every((line) => line.includes(' typ host'))).toBe(true)
    })
    await closing(new ParticipantPeerConnection(loopbackWeriftConfig()), async (pc) => {
      await pc.setRemoteDescription(await clientOffer())
      await pc.setLocalDescription(await pc.createAnswer())
      expect(stunServers(pc)).toEqual([undefined])
    })
  })

  // Nothing answers on that port: the gathering gives up after iceStunGatherTimeout (seconds).
  it('keeps a configured STUN server (a run that routes a participant through a relay configures its own)', async () => {
    await closing(new ParticipantPeerConnection({ ...loopbackWeriftConfig(), iceServers: [{ urls: 'stun:127.0.0.1:3478' }], iceStunGatherTimeout: 0.05 }), async (pc) => {
      pc.addTransceiver('audio', { direction: 'sendrecv' })
      const setting = pc.setLocalDescription(await pc.createOffer())
      expect(stunServers(pc)).toEqual([['127.0.0.1', 3478]])
      await setting
      expect(stunServers(pc)).toEqual([['127.0.0.1', 3478]])
    })
  })
})
