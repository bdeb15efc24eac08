// fingerprintOnce: werift's certificate keeps its fingerprint, computed once, and every description still carries it.
import { resolveIceConfig, weriftPeerConfig } from '@parley/werift-config'
import { RTCDtlsFingerprint, RTCDtlsTransport, RTCPeerConnection } from 'werift'
import { describe, expect, it } from 'vitest'
import { fingerprintOnce } from './werift-certificate.js'

describe('fingerprintOnce', () => {
  it("answers werift's fingerprint from memory, as fresh objects, without parsing the certificate again", async () => {
    await fingerprintOnce()
    const certificate = await RTCDtlsTransport.SetupCertificate()
    const first = certificate.getFingerprints()
    expect(first).toHaveLength(1)
    expect(first[0]).toBeInstanceOf(RTCDtlsFingerprint)
    expect(first[0]?.algorithm).toBe('sha-256')
    expect(first[0]?.value).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
    const certPem = certificate.certPem
    // werift's own getFingerprints parses certPem at every call: with it broken, it would throw.
    certificate.certPem = 'not a certificate'
    try {
      const again = certificate.getFingerprints()
      expect(again).toEqual(first)
      expect(again[0]).not.toBe(first[0])
    } finally {
      certificate.certPem = certPem
    }
  })

  it("puts that fingerprint in a werift peer's descriptions", async () => {
    await fingerprintOnce()
    const [fingerprint] = (await RTCDtlsTransport.SetupCertificate()).getFingerprints()
    const pc = new RTCPeerConnection(weriftPeerConfig(resolveIceConfig(undefined)))
    try {
      pc.addTransceiver('audio', { direction: 'recvonly' })
      pc.addTransceiver('video', { direction: 'recvonly' })
      const offer = await pc.createOffer()
      const lines = offer.sdp.split('\r\n').filter((line) => line.startsWith('a=fingerprint:'))
      expect(lines).toEqual([`a=fingerprint:sha-256 ${fingerprint?.value}`, `a=fingerprint:sha-256 ${fingerprint?.value}`])
    } finally {
      await pc.close()
    }
  })
})
