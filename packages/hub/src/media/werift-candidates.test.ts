// The client's candidates into a werift peer (werift-candidates.ts): what is filtered, and none once ICE nominated a pair.
import type { RTCPeerConnection } from 'werift'
import { describe, expect, it } from 'vitest'
import { iceNominated, RemoteCandidates } from './werift-candidates.js'

/** A peer connection as RemoteCandidates sees it: its remote description, its ICE transports' nomination, the candidates it was given. */
function fakePeer() {
  const added: string[] = []
  const connection: { nominated: object | undefined } = { nominated: undefined }
  const pc = {
    remoteDescription: { type: 'offer', sdp: '' },
    iceTransports: [{ connection }],
    addIceCandidate: async (init: { candidate: string }) => void added.push(init.candidate),
  }
  return { pc: pc as unknown as RTCPeerConnection, connection, added }
}

const udp = (port: number) => `candidate:1 1 udp 2122260223 127.0.0.1 ${port} typ host`

describe('RemoteCandidates', () => {
  it('adds UDP candidates until ICE has nominated a pair, and none after', async () => {
    const { pc, connection, added } = fakePeer()
    const logged: string[] = []
    const candidates = new RemoteCandidates(pc, new Set(['127.0.0.1']), (_level, msg) => void logged.push(msg))
    await candidates.add({ candidate: udp(5000) })
    await candidates.add({ candidate: 'candidate:2 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active' })
    connection.nominated = {}
    await candidates.add({ candidate: udp(5001) })
    expect(added).toEqual([udp(5000)])
    expect(logged).toContain('ignoring a candidate after ICE nominated a pair')
  })

  it('takes candidates again once a restart cleared the nomination', async () => {
    const { pc, connection, added } = fakePeer()
    const candidates = new RemoteCandidates(pc, new Set(), () => undefined)
    connection.nominated = {}
    await candidates.add({ candidate: udp(5000) })
    connection.nominated = undefined
    await candidates.add({ candidate: udp(5001) })
    expect(added).toEqual([udp(5001)])
  })
})

describe('iceNominated', () => {
  it('is true when any ICE transport has a nominated pair', () => {
    const { pc, connection } = fakePeer()
    expect(iceNominated(pc)).toBe(false)
    connection.nominated = {}
    expect(iceNominated(pc)).toBe(true)
  })
})
