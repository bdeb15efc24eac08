import { randomBytes } from 'node:crypto'
import { ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80, RtpHeader, RtpPacket, type SrtpSession } from 'werift'
import { describe, expect, it } from 'vitest'
import { FastRtpSend, continueSequence, protectRtp } from './werift-fast-send.js'
import { PROFILES, connectedSender, sessions } from '../test-support/weriftSender.js'
import { NackRecovery, RelayedNacks, nackAgainstHistory } from './nack-recovery.js'

type Context = Parameters<typeof protectRtp>[0]
const contextOf = (session: SrtpSession) => (session as unknown as { localContext: Context }).localContext

describe('protectRtp', () => {
  for (const [name, profile, saltLength] of PROFILES) {
    it(`produces werift's own SRTP bytes (${name}), across a sequence-number rollover`, () => {
      const { werift, ours, receiver } = sessions(profile, saltLength)
      for (const [index, seq] of [65533, 65534, 65535, 0, 1, 2].entries()) {
        const header = new RtpHeader({ payloadType: 96, sequenceNumber: seq, timestamp: 1000 + index * 3000, ssrc: 0x11223344, marker: index % 2 === 1 })
        const payload = randomBytes(index === 0 ? 1 : 17 + index * 211)
        const expected = werift.encrypt(payload, header)
        const headerBytes = header.serialize(header.serializeSize)
        const out = Buffer.alloc(headerBytes.length + payload.length + 16)
        headerBytes.copy(out)
        const length = protectRtp(contextOf(ours), header.ssrc, seq, out, headerBytes.length, payload)
        expect(out.subarray(0, length).equals(expected)).toBe(true)
        expect(RtpPacket.deSerialize(receiver.decrypt(out.subarray(0, length))).payload.equals(payload)).toBe(true)
      }
    })
  }
})

function publisherPacket(seq: number, extensions = [{ id: 9, payload: Buffer.from('pub') }]): RtpPacket {
  const header = new RtpHeader({ payloadType: 111, sequenceNumber: seq, timestamp: 90_000, ssrc: 0x5555, marker: true, extensions })
  return new RtpPacket(header, randomBytes(300))
}

describe('FastRtpSend', () => {
  for (const [name, profile, saltLength] of PROFILES) {
    it(`sends the subscriber's header (its SSRC, PT, offsets, MID) over the pair and keeps werift's sender state (${name})`, () => {
      const { sender, receiver, datagrams, pair, dtlsTransport } = connectedSender(profile, saltLength)
      const fast = new FastRtpSend()
      const packet = publisherPacket(65000)
      expect(fast.send(sender, packet)).toBe(true)

      expect(datagrams).toHaveLength(1)
      expect(datagrams[0]).toMatchObject({ port: 5000, address: '127.0.0.1' })
      const received = RtpPacket.deSerialize(receiver.decrypt(datagrams[0]!.data))
      expect(received.header).toMatchObject({ ssrc: 0xa1b2c3d4, payloadType: 96, sequenceNumber: (65000 + 1000) & 0xffff, timestamp: 90_005, marker: true })
      expect(received.header.extensions).toEqual([{ id: 4, payload: Buffer.from('3') }])
      expect(received.payload.equals(packet.payload)).toBe(true)

      expect(sender).toMatchObject({ sequenceNumber: 464, timestamp: 90_005, rtpTimestamp: 90_005, packetCount: 1, octetCount: 300 })
      expect(sender['ntpTimestamp']).not.toBe(0n)
      const history = (sender['rtpCache'] as { header: RtpHeader; payload: Buffer }[])[464 % 128]!
      expect(history.header).toMatchObject({ sequenceNumber: 464, ssrc: 0xa1b2c3d4, payloadType: 96 })
      expect(history.payload).toBe(packet.payload)
      expect(pair.packetsSent).toBe(1)
      expect(dtlsTransport.packetsSent).toBe(1)
      expect(pair.bytesSent).toBe(datagrams[0]!.data.length)
    })
  }

  it("leaves to werift's sendRtp what it does not handle", () => {
    const cases: [string, (s: Record<string, unknown>) => void][] = [
      ['a pending continuity rewrite (replaceRTP)', (s) => (s['rtpContinuityPending'] = true)],
      ['RED', (s) => (s['redRedundantPayloadType'] = 63)],
      ['an extension other than sdes:mid and abs-send-time', (s) => (s['headerExtensions'] = [{ id: 2, uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01' }])],
      ['a pair that is not UDP', (s) => ((s['dtlsTransport'] as { iceTransport: { connection: { nominated: { protocol: unknown } } } }).iceTransport.connection.nominated.protocol = { transport: { type: 'tcp' } })],
      ['DTLS not connected', (s) => ((s['dtlsTransport'] as { state: string }).state = 'connecting')],
    ]
    for (const [, change] of cases) {
      const { sender, datagrams } = connectedSender(ProtectionProfileAeadAes128Gcm, 12)
      change(sender)
      expect(new FastRtpSend().send(sender, publisherPacket(1))).toBe(false)
      expect(datagrams).toHaveLength(0)
      expect(sender['packetCount']).toBe(0)
    }
    const { sender } = connectedSender(ProtectionProfileAeadAes128Gcm, 12)
    // A padding bit without a padding count (werift read none): not a packet to rebuild.
    const padded = publisherPacket(1)
    padded.header.padding = true
    expect(new FastRtpSend().send(sender, padded)).toBe(false)
  })

  it('writes no abs-send-time when it is negotiated: the MID only, the publisher\'s extensions dropped', () => {
    const { sender, receiver, datagrams } = connectedSender(ProtectionProfileAes128CmHmacSha1_80, 14)
    sender['headerExtensions'] = [
      { id: 4, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' },
      { id: 3, uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time' },
    ]
    const packet = publisherPacket(7, [{ id: 3, payload: Buffer.from([1, 2, 3]) }, { id: 9, payload: Buffer.from('pub') }])
    expect(new FastRtpSend().send(sender, packet)).toBe(true)
    const received = RtpPacket.deSerialize(receiver.decrypt(datagrams[0]!.data))
    expect(received.header.extensions).toEqual([{ id: 4, payload: Buffer.from('3') }])
    expect(received.payload.equals(packet.payload)).toBe(true)
  })

  for (const [name, profile, saltLength] of PROFILES) {
    it(`forwards a padding-only probe packet with its padding, and remembers it for a resend (${name})`, () => {
      const { sender, receiver, datagrams } = connectedSender(profile, saltLength)
      const header = new RtpHeader({ payloadType: 96, sequenceNumber: 20, timestamp: 90_000, ssrc: 0x5555, padding: true, paddingSize: 224 })
      const probe = new RtpPacket(header, Buffer.alloc(0))
      expect(new FastRtpSend().send(sender, probe)).toBe(true)
      const bytes = receiver.decrypt(datagrams[0]!.data)
      const received = RtpPacket.deSerialize(bytes)
      expect(received.header).toMatchObject({ padding: true, paddingSize: 224, sequenceNumber: 1020, ssrc: 0xa1b2c3d4 })
      expect(received.payload.length).toBe(0)
      const history = (sender['rtpCache'] as { header: RtpHeader; payload: Buffer }[])[1020 % 128]!
      expect(history.header).toMatchObject({ padding: true, paddingSize: 224 })
      // What werift resends on a NACK (dtlsTransport.sendRtp: the header and the payload kept, encrypted as they are) is the same padding packet.
      const resent = RtpPacket.deSerialize(receiver.decrypt((sender['dtlsTransport'] as { srtp: SrtpSession }).srtp.encrypt(history.payload, history.header)))
      expect(resent.header).toMatchObject({ padding: true, paddingSize: 224, sequenceNumber: 1020 })
      expect(resent.payload.length).toBe(0)
      // The next media packet's history entry (same slot object reused later) has no padding.
      expect(new FastRtpSend().send(sender, publisherPacket(21))).toBe(true)
      expect((sender['rtpCache'] as { header: RtpHeader }[])[1021 % 128]!.header.padding).toBe(false)
    })
  }

  it('numbers a forwarding resumed after a pause right after its last packet, its timestamps keeping the time passed, and maps its NACKs back', () => {
    const { sender, receiver, datagrams } = connectedSender(ProtectionProfileAeadAes128Gcm, 12)
    const fast = new FastRtpSend()
    const sent = () => RtpPacket.deSerialize(receiver.decrypt(datagrams.at(-1)!.data)).header
    const at = (seq: number, timestamp: number) => {
      const packet = publisherPacket(seq)
      packet.header.timestamp = timestamp
      return packet
    }
    expect(fast.send(sender, at(65530, 90_000))).toBe(true)
    expect(sent()).toMatchObject({ sequenceNumber: (65530 + 1000) & 0xffff, timestamp: 90_005 })
    // Paused for 300 of the publisher's packets (across its wrap) and 10 s: resumed from its packet 294.
    continueSequence(sender, 294)
    expect(fast.send(sender, at(294, 990_000))).toBe(true)
    expect(sent()).toMatchObject({ sequenceNumber: ((65530 + 1000) & 0xffff) + 1, timestamp: 990_005 })
    expect(fast.send(sender, at(295, 990_000))).toBe(true)
    expect(sent().sequenceNumber).toBe(((65530 + 1000) & 0xffff) + 2)
    // A NACK for a packet sent after the resume that the history no longer holds is relayed in the publisher's numbering.
    const { relayed } = nackAgainstHistory(new NackRecovery(), new RelayedNacks(), sender, [((65530 + 1000) & 0xffff) + 3], 0, true)
    expect(relayed).toEqual([296])
  })

  for (const [name, profile, saltLength] of PROFILES) {
    it(`keeps every datagram it sent intact and decryptable, across the subscriber's sequence-number rollover (${name})`, () => {
      const { sender, receiver, pair } = connectedSender(profile, saltLength)
      // The buffers as handed to the socket, not copies: each is cut from a shared slab and must not be written again.
      const raw: Buffer[] = []
      pair.protocol.transport.socket.send = (data: Buffer) => raw.push(data)
      const fast = new FastRtpSend()
      const packets: RtpPacket[] = []
      // seqOffset 1000: publisher 64400–64599 are the subscriber's 65400–65535 and 0–63 (its ROC goes to 1).
      for (let seq = 64_400; seq < 64_600; seq++) {
        const packet = new RtpPacket(new RtpHeader({ payloadType: 111, sequenceNumber: seq, timestamp: seq * 10, ssrc: 0x5555 }), randomBytes(seq % 3 === 0 ? 1100 : 80))
        packets.push(packet)
        expect(fast.send(sender, packet)).toBe(true)
      }
      expect(raw).toHaveLength(200)
      for (const [index, data] of raw.entries()) {
        const received = RtpPacket.deSerialize(receiver.decrypt(data))
        expect(received.header.sequenceNumber).toBe((64_400 + index + 1000) & 0xffff)
        expect(received.payload.equals(packets[index]!.payload)).toBe(true)
      }
    })
  }

  it('leaves a sender that has sent nothing yet as it is', () => {
    const { sender } = connectedSender(ProtectionProfileAeadAes128Gcm, 12)
    continueSequence(sender, 42)
    expect(sender['seqOffset']).toBe(1000)
  })
})
