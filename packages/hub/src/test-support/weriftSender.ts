// A werift RTCRtpSender on a real SRTP session and a UDP pair that records its datagrams, for the fast
// send's tests and the simulcast switch's (werift-fast-send.test.ts, werift-simulcast.test.ts); its
// dtlsTransport.sendRtp records what werift's own sendRtp sends (after a replaceRTP, the fast send declines).
import { randomBytes } from 'node:crypto'
import { ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80, RTCRtpSender, type RtpHeader, SrtpSession } from 'werift'

export const PROFILES = [
  ['AEAD_AES_128_GCM', ProtectionProfileAeadAes128Gcm, 12],
  ['AES_CM_128_HMAC_SHA1_80', ProtectionProfileAes128CmHmacSha1_80, 14],
] as const

export function sessions(profile: number, saltLength: number) {
  const keys = { localMasterKey: randomBytes(16), localMasterSalt: randomBytes(saltLength), remoteMasterKey: randomBytes(16), remoteMasterSalt: randomBytes(saltLength) }
  const swapped = { localMasterKey: keys.remoteMasterKey, localMasterSalt: keys.remoteMasterSalt, remoteMasterKey: keys.localMasterKey, remoteMasterSalt: keys.localMasterSalt }
  return {
    /** werift's own sending session. */
    werift: new SrtpSession({ keys, profile }),
    /** A second sending session with the same keys, for protectRtp (each keeps its own rollover state). */
    ours: new SrtpSession({ keys, profile }),
    /** The receiving end. */
    receiver: new SrtpSession({ keys: swapped, profile }),
  }
}

/** An RTCRtpSender whose transport is a real SRTP session and a UDP pair that records datagrams. */
export function connectedSender(profile: number, saltLength: number) {
  const { ours, receiver } = sessions(profile, saltLength)
  const datagrams: { data: Buffer; port: number; address: string }[] = []
  const pair = {
    remoteCandidate: { host: '127.0.0.1', port: 5000 },
    packetsSent: 0,
    bytesSent: 0,
    protocol: { transport: { type: 'udp', closed: false, socket: { send: (data: Buffer, port: number, address: string) => datagrams.push({ data: Buffer.from(data), port, address }) } } },
  }
  /** What werift's own sendRtp handed to the transport (header after its rewrite). */
  const weriftSent: { sequenceNumber: number; timestamp: number; payload: Buffer }[] = []
  const dtlsTransport = {
    sendRtp: async (payload: Buffer, header: RtpHeader) => {
      weriftSent.push({ sequenceNumber: header.sequenceNumber, timestamp: header.timestamp, payload })
      return payload.length
    },
    state: 'connected',
    bytesSent: 0,
    packetsSent: 0,
    srtp: ours,
    iceTransport: { connection: { nominated: pair, canSendApplicationData: () => true } },
  }
  const sender = Object.assign(Object.create(RTCRtpSender.prototype) as RTCRtpSender, {
    stopped: false,
    pendingRtpEnabled: false,
    rtpContinuityPending: false,
    redRedundantPayloadType: undefined,
    codec: { payloadType: 96 },
    ssrc: 0xa1b2c3d4,
    mid: '3',
    headerExtensions: [{ id: 4, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' }],
    seqOffset: 1000,
    timestampOffset: 5,
    sequenceNumber: undefined,
    timestamp: undefined,
    ntpTimestamp: 0n,
    rtpTimestamp: 0,
    octetCount: 0,
    headerBytesSent: 0,
    packetCount: 0,
    rtpCache: [],
    rtcpRunning: true,
    runRtcp: async () => undefined,
    senderBWE: { rtpPacketSent: () => undefined },
    dtlsTransport,
  })
  return { sender: sender as RTCRtpSender & Record<string, unknown>, receiver, datagrams, pair, dtlsTransport, weriftSent }
}
