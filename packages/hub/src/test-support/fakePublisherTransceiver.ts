// The parts of a publisher's werift transceiver the forwarder touches (its receiver's RTP subscription,
// its header extensions, its DTLS transport for RTCP), for the forwarder's unit tests; `deliver` plays
// in a packet as werift's receive path would hand it over.
import type { RTCRtpTransceiver } from 'werift'

export interface FakeDtlsTransport {
  state: string
  sendRtcp(packets: unknown[]): Promise<void>
}

/**
 * `rids`: a simulcast m-line, one werift track per rid in `receiver.tracks` (as werift registers them);
 * `deliverRid` plays a packet in on one of them.
 */
export function fakePublisherTransceiver(options: { ssrc?: number; dtlsTransport: FakeDtlsTransport | object; headerExtensions?: { id: number; uri: string }[]; rids?: string[] }) {
  let onRtp: ((packet: unknown) => void) | undefined
  const byRid = new Map<string, (packet: unknown) => void>()
  const tracks = (options.rids ?? []).map((rid) => ({
    rid,
    onReceiveRtp: {
      subscribe: (callback: (packet: unknown) => void) => {
        byRid.set(rid, callback)
        return { unSubscribe: () => byRid.delete(rid) }
      },
    },
  }))
  const receiver = {
    tracks,
    track: {
      ssrc: options.ssrc ?? 1234,
      onReceiveRtp: {
        subscribe: (callback: (packet: unknown) => void) => {
          onRtp = callback
          return { unSubscribe: () => undefined }
        },
      },
    },
  }
  const transceiver = {
    receiver,
    sender: { ssrc: 1 },
    headerExtensions: options.headerExtensions ?? [],
    dtlsTransport: options.dtlsTransport,
  } as unknown as RTCRtpTransceiver
  return { transceiver, receiver, deliver: (packet: unknown) => onRtp?.(packet), deliverRid: (rid: string, packet: unknown) => byRid.get(rid)?.(packet) }
}
