// The parts of a publisher's werift transceiver the forwarder touches (its receiver's RTP subscription,
// its header extensions, its DTLS transport for RTCP), for the forwarder's unit tests; `deliver` plays
// in a packet as werift's receive path would hand it over.
import type { RTCRtpTransceiver } from 'werift'

export interface FakeDtlsTransport {
  state: string
  sendRtcp(packets: unknown[]): Promise<void>
}

export function fakePublisherTransceiver(options: { ssrc?: number; dtlsTransport: FakeDtlsTransport | object; headerExtensions?: { id: number; uri: string }[] }) {
  let onRtp: ((packet: unknown) => void) | undefined
  const receiver = {
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
  return { transceiver, receiver, deliver: (packet: unknown) => onRtp?.(packet) }
}
