import { describe, expect, it } from 'vitest'
import { holdEarlyInit, type SctpAssociation } from './sctp-init-guard.js'

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
