import { describe, expect, it } from 'vitest'
import { withMinBitrate } from './werift-min-bitrate.js'

const sdp = [
  'v=0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=recvonly',
  'a=rtpmap:111 opus/48000/2',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=recvonly',
  'a=rtpmap:96 VP8/90000',
  'a=rtcp-fb:96 nack',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=sendonly',
  'a=rtpmap:96 VP8/90000',
  'm=video 9 UDP/TLS/RTP/SAVPF 98',
  'a=recvonly',
  'a=rtpmap:98 VP8/90000',
  'a=fmtp:98 max-fr=30',
  '',
].join('\r\n')

describe('withMinBitrate', () => {
  it("adds the minimum to the VP8 format of the publishers' (recvonly) video sections only", () => {
    const out = withMinBitrate(sdp, 165)
    expect(out.split('\r\n')).toEqual([
      'v=0',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
      'a=recvonly',
      'a=rtpmap:111 opus/48000/2',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=recvonly',
      'a=rtpmap:96 VP8/90000',
      'a=fmtp:96 x-google-min-bitrate=165',
      'a=rtcp-fb:96 nack',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=sendonly',
      'a=rtpmap:96 VP8/90000',
      'm=video 9 UDP/TLS/RTP/SAVPF 98',
      'a=recvonly',
      'a=rtpmap:98 VP8/90000',
      'a=fmtp:98 max-fr=30;x-google-min-bitrate=165',
      '',
    ])
    // Idempotent: a description already carrying it is left alone.
    expect(withMinBitrate(out, 165)).toBe(out)
  })
})
