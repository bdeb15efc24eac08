import { RTCPeerConnection } from 'werift'
import { afterEach, describe, expect, it } from 'vitest'
import { guardSctpTransport, holdEarlyInit, type SctpAssociation } from './sctp-init-guard.js'

/** An SCTP packet: common header (source port, destination port, tag, checksum), then one chunk of `type`. */
function packet(type: number, sourcePort = 5000): Buffer {
  const data = Buffer.alloc(32)
  data.writeUInt16BE(sourcePort, 0)
  data.writeUInt16BE(5000, 2)
  data[12] = type
  return data
}

/** werift's association as far as the guard sees it: an INIT is answered only with a remote port. */
function association() {
  const answered: number[] = []
  const received: number[] = []
  const sctp: SctpAssociation = {
    remotePort: undefined,
    setRemotePort(port) {
      this.remotePort = port
    },
    handleData(data) {
      received.push(data[12]!)
      if (data[12] === 1 && this.remotePort !== undefined) answered.push(this.remotePort)
      return Promise.resolve()
    },
  }
  return { sctp, answered, received }
}

describe('holdEarlyInit', () => {
  it('answers an INIT that came before the port as soon as the port is set', async () => {
    const { sctp, answered } = association()
    holdEarlyInit(sctp)
    await sctp.handleData(packet(1))
    expect(answered).toEqual([])
    sctp.setRemotePort(5000)
    expect(answered).toEqual([5000])
    sctp.setRemotePort(5000)
    expect(answered).toEqual([5000])
  })

  it('passes everything else, and an INIT once the port is known, straight through', async () => {
    const { sctp, answered, received } = association()
    holdEarlyInit(sctp)
    holdEarlyInit(sctp)
    await sctp.handleData(packet(0))
    sctp.setRemotePort(5000)
    await sctp.handleData(packet(1))
    expect(received).toEqual([0, 1])
    expect(answered).toEqual([5000])
  })
})

/** werift's DCEP (RFC 8832): its payload protocol id and the ACK message type. */
const WEBRTC_DCEP = 50
const DATA_CHANNEL_ACK = 2

describe('guardSctpTransport on a real werift transport', () => {
  const unhandled: unknown[] = []
  const record = (reason: unknown) => unhandled.push(reason)
  const pcs: RTCPeerConnection[] = []
  afterEach(async () => {
    process.off('unhandledRejection', record)
    unhandled.length = 0
    for (const pc of pcs.splice(0)) await pc.close()
  })

  /** A peer connection with one data channel and its local description, so werift has made its SCTP transport. */
  async function withTransport() {
    const pc = new RTCPeerConnection()
    pcs.push(pc)
    pc.createDataChannel('internal')
    await pc.setLocalDescription(await pc.createOffer())
    return pc.sctpTransport!
  }
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20))

  it('drops a DCEP ACK for a stream with no channel, telling onDropped, instead of an unhandled rejection', async () => {
    process.on('unhandledRejection', record)
    const transport = await withTransport()
    const dropped: unknown[] = []
    guardSctpTransport(transport, (error) => dropped.push(error))
    guardSctpTransport(transport, (error) => dropped.push(error))
    // What werift's association does with a received DATA chunk's message (its `receive`, private in its types).
    ;(transport.sctp as unknown as { receive(streamId: number, ppId: number, data: Buffer): void }).receive(999, WEBRTC_DCEP, Buffer.from([DATA_CHANNEL_ACK]))
    await settle()
    expect(unhandled).toEqual([])
    expect(dropped.map((error) => (error as Error).message)).toEqual(['channel not found'])
  })
})
