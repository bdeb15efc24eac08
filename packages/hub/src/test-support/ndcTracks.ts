// node-datachannel test doubles for the ndc plane's forwarding tests: a track and RTP packets.
import type { Track } from 'node-datachannel'

/** A track that is open once `open()` is called and, like libdatachannel's, throws on a send once closed. */
export function fakeNdcTrack(initiallyOpen = true) {
  const sent: Buffer[] = []
  let state: 'new' | 'open' | 'closed' = initiallyOpen ? 'open' : 'new'
  const track = {
    isOpen: () => state === 'open',
    sendMessageBinary: (bytes: Buffer) => {
      if (state === 'closed') throw new Error('Track is closed')
      return sent.push(Buffer.from(bytes)) > 0
    },
    close: () => (state = 'closed'),
  }
  return { track: track as unknown as Track, sent, open: () => (state = 'open'), closed: () => (state = 'closed') }
}

/** A 112-byte RTP packet (PT 96, timestamp seq × 3000) whose payload starts with `payloadStart`. */
export function rtpPacket(seq: number, ssrc: number, payloadStart: number[]): Buffer {
  const packet = Buffer.alloc(112)
  packet[0] = 0x80
  packet[1] = 96
  packet.writeUInt16BE(seq, 2)
  packet.writeUInt32BE(seq * 3000, 4)
  packet.writeUInt32BE(ssrc, 8)
  payloadStart.forEach((byte, index) => (packet[12 + index] = byte))
  return packet
}
