import { describe, expect, it } from 'vitest'
import { receiveSlotCount, sendingTrackCount } from './sdpLimits.js'

const offer = (...sections: string[]) => ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', ...sections, ''].join('\r\n')

describe('what the hub reads of a client offer', () => {
  const sdp = offer(
    'm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendonly',
    'm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendrecv',
    'm=video 9 UDP/TLS/RTP/SAVPF 96',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=recvonly',
    'm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=recvonly',
    'm=video 0 UDP/TLS/RTP/SAVPF 96\r\na=recvonly',
    'm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=inactive',
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=recvonly',
  )

  it('counts the sending m-lines (sendonly, sendrecv, or no direction)', () => {
    expect(sendingTrackCount(sdp)).toBe(3)
  })

  it('counts the receive slots: audio and video m-lines that only receive, not rejected', () => {
    expect(receiveSlotCount(sdp)).toBe(2)
    expect(receiveSlotCount(offer('m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendonly'))).toBe(0)
  })
})
