// A client offer's codecs the hub never negotiates are dropped before werift reads it
// (werift-offer-codecs.ts): the answer stays the same. The offer is Chromium 156's, as Parley's core makes
// it (audio, a video with three rids, a receive slot of each kind, the bootstrap data channel).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { RTCPeerConnection } from 'werift'
import { weriftPeerConfig, resolveIceConfig } from '@parley/werift-config'
import { codecNamesOf, withoutForeignCodecs } from './werift-offer-codecs.js'
import { withSimulcast } from './werift-simulcast.js'

const CHROMIUM_OFFER = readFileSync(new URL('../test-support/chromium-156-offer.sdp', import.meta.url), 'utf8')
  .split('\r\n')
  .filter((line) => !line.startsWith('a=candidate:'))
  .join('\r\n')
const hubConfig = () => withSimulcast(weriftPeerConfig(resolveIceConfig({ hostAddresses: ['127.0.0.1'] })))
const HUB_CODECS = codecNamesOf(hubConfig().codecs)

const sections = (sdp: string) => sdp.split(/\r\n(?=m=)/)
const codecs = (section: string) => [...section.matchAll(/^a=rtpmap:\d+ ([^/]+)\//gm)].map((match) => match[1])

describe('a client offer without the codecs the hub never negotiates', () => {
  it('keeps opus and VP8 with their payload types and lines, and everything that is not a codec', () => {
    expect([...HUB_CODECS].sort()).toEqual(['opus', 'vp8'])
    const kept = withoutForeignCodecs(CHROMIUM_OFFER, HUB_CODECS)
    expect(kept.length).toBeLessThan(CHROMIUM_OFFER.length / 2)
    const [session, audio, video, audioSlot, videoSlot, application] = sections(kept)
    expect(session).toBe(sections(CHROMIUM_OFFER)[0])
    for (const section of [audio, audioSlot]) expect(codecs(section!)).toEqual(['opus'])
    for (const section of [video, videoSlot]) expect(codecs(section!)).toEqual(['VP8'])
    // The m-line lists exactly the kept payload types; their fmtp and rtcp-fb lines stay, the others' go.
    const vp8 = /^a=rtpmap:(\d+) VP8\//m.exec(video!)![1]
    expect(video!.split('\r\n')[0]).toBe(`m=video 9 UDP/TLS/RTP/SAVPF ${vp8}`)
    expect(video).toMatch(new RegExp(`^a=rtcp-fb:${vp8} nack pli$`, 'm'))
    expect([...video!.matchAll(/^a=(?:rtpmap|fmtp|rtcp-fb):(\d+) /gm)].every((match) => match[1] === vp8)).toBe(true)
    // Everything else is the offer's, line for line.
    const notCodec = (section: string) => section.split('\r\n').slice(1).filter((line) => !/^a=(rtpmap|fmtp|rtcp-fb):\d+ /.test(line))
    sections(CHROMIUM_OFFER).forEach((section, index) => expect(notCodec(sections(kept)[index]!)).toEqual(notCodec(section)))
    expect(application).toBe(sections(CHROMIUM_OFFER)[5])
  })

  it('leaves an m-line with none of them whole (werift refuses it, as before)', () => {
    const h264Only = withoutForeignCodecs(CHROMIUM_OFFER, new Set(['h264']))
    expect(codecs(sections(h264Only)[1]!)).toEqual(codecs(sections(CHROMIUM_OFFER)[1]!))
    expect(codecs(sections(h264Only)[2]!)).toEqual(Array(codecs(sections(CHROMIUM_OFFER)[2]!).filter((name) => name === 'H264').length).fill('H264'))
  })

  it("gets werift's very answer to the whole offer", async () => {
    const answerTo = async (offer: string) => {
      const pc = new RTCPeerConnection(hubConfig())
      try {
        await pc.setRemoteDescription({ type: 'offer', sdp: offer })
        const { sdp } = await pc.createAnswer()
        // Each m-line's codecs and what the client reads of them, without the session's own credentials.
        return sections(sdp).map((section) => section.split('\r\n').filter((line) => /^(m=|a=(rtpmap|fmtp|rtcp-fb|extmap|simulcast|rid|sendonly|recvonly|inactive|mid))/.test(line)))
      } finally {
        await pc.close()
      }
    }
    expect(await answerTo(withoutForeignCodecs(CHROMIUM_OFFER, HUB_CODECS))).toEqual(await answerTo(CHROMIUM_OFFER))
  })
})
