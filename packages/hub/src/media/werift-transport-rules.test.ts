// sendIceDatagramsAtOnce: a werift peer (the hub's own configuration) whose ICE sockets have gathered sends
// a datagram to an IP literal in the tick it is asked to, as its STUN responses and DTLS flights need.
import { resolveIceConfig, weriftPeerConfig } from '@parley/werift-config'
import { RTCPeerConnection } from 'werift'
import { describe, expect, it } from 'vitest'
import { sendIceDatagramsAtOnce } from './werift-transport-rules.js'

interface Handle {
  send: (...args: unknown[]) => unknown
}

/** The dgram sockets of the peer's ICE agent, each with a count of the datagrams its handle has sent. */
function iceSockets(pc: RTCPeerConnection): { socket: { send(data: Buffer, port: number, address: string): void }; sent: () => number }[] {
  return pc.iceTransports.flatMap((transport) =>
    (transport.connection as unknown as { protocols: { transport?: { socket?: object } }[] }).protocols.flatMap((protocol) => {
      const socket = protocol.transport?.socket as ({ send(data: Buffer, port: number, address: string): void } & Record<symbol, { handle?: Handle }>) | undefined
      const key = socket && Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === 'state symbol')
      const handle = key ? socket[key]?.handle : undefined
      if (!socket || !handle) return []
      let count = 0
      const send = handle.send.bind(handle)
      handle.send = (...args: unknown[]) => {
        count++
        return send(...args)
      }
      return [{ socket, sent: () => count }]
    }),
  )
}

async function gatheredPeer(): Promise<RTCPeerConnection> {
  const pc = new RTCPeerConnection(weriftPeerConfig(resolveIceConfig(undefined)))
  pc.addTransceiver('audio', { direction: 'recvonly' })
  await pc.setLocalDescription(await pc.createOffer())
  return pc
}

describe('sendIceDatagramsAtOnce', () => {
  it.each([
    ['without it, a werift ICE socket sends to an IP literal only on a later tick', false, 0],
    ['makes every ICE socket of the peer send to an IP literal in the same tick', true, 1],
  ])('%s', async (_name, withRule, sentInTheTick) => {
    const pc = await gatheredPeer()
    try {
      if (withRule) sendIceDatagramsAtOnce(pc)
      const sockets = iceSockets(pc)
      expect(sockets.length).toBeGreaterThan(0)
      for (const { socket, sent } of sockets) {
        socket.send(Buffer.from([0]), 9, '127.0.0.1')
        expect(sent()).toBe(sentInTheTick)
      }
    } finally {
      await pc.close()
    }
  })
})
