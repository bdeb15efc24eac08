import { RTCRtpCodecParameters, RTCRtpReceiver, RtpHeader, RtpPacket, useNACK, usePLI } from 'werift'
import { afterEach, describe, expect, it } from 'vitest'
import { deSerializeRtpHeader, installReceivePath, parseRtpHeader, uninstallReceivePath } from './werift-receive-path.js'
import { seededRandom as random } from '../test-support/seededRandom.js'

type Rand = () => number
const int = (rand: Rand, n: number) => Math.floor(rand() * n)

function bytes(rand: Rand, n: number): number[] {
  return Array.from({ length: n }, () => int(rand, 256))
}

/** One extension block's elements (with padding bytes between some), as RFC 8285 writes them. */
function extensionBlock(rand: Rand, profile: number): number[] {
  const out: number[] = []
  const count = int(rand, 5)
  for (let i = 0; i < count; i++) {
    if (rand() < 0.2) out.push(0)
    if (profile === 0xbede) {
      const length = 1 + int(rand, 16)
      out.push(((1 + int(rand, 14)) << 4) | (length - 1), ...bytes(rand, length))
    } else {
      const length = int(rand, 20)
      out.push(1 + int(rand, 255), length, ...bytes(rand, length))
    }
  }
  while (out.length % 4 !== 0) out.push(0)
  return out
}

/** A well-formed packet (any CSRC count, profile, padding, marker, payload type), then maybe damaged. */
function generatedPacket(rand: Rand, damage: boolean): Buffer {
  const csrcCount = int(rand, 16)
  const padding = rand() < 0.2
  const extensionKind = int(rand, 4) // none, one-byte, two-byte, another profile
  const profile = [0, 0xbede, 0x1000, 0x1234][extensionKind]!
  const out = [(2 << 6) | (padding ? 0x20 : 0) | (profile ? 0x10 : 0) | csrcCount, (rand() < 0.5 ? 0x80 : 0) | int(rand, 128)]
  out.push(...bytes(rand, 10 + csrcCount * 4))
  if (profile) {
    const block = profile === 0x1234 ? bytes(rand, 4 * int(rand, 4)) : extensionBlock(rand, profile)
    out.push(profile >> 8, profile & 0xff, (block.length / 4) >> 8, (block.length / 4) & 0xff, ...block)
  }
  out.push(...bytes(rand, int(rand, 300)))
  if (padding) {
    const size = 1 + int(rand, 8)
    out.push(...new Array<number>(size - 1).fill(0), size)
  }
  if (damage) {
    const what = int(rand, 4)
    if (what === 0) out.length = int(rand, out.length) // truncated anywhere
    else if (what === 1) out[0] = (out[0]! & 0x3f) | (int(rand, 4) << 6) // any version
    else if (what === 2) out[int(rand, out.length)] = int(rand, 256) // one byte anywhere
    else if (out.length > 16) out[16] = 0xf0 | int(rand, 16) // a one-byte id 15 (when a block starts there)
  }
  return Buffer.from(out)
}

function weriftParse(buf: Buffer): { header: RtpHeader } | { error: string } {
  try {
    return { header: RtpHeader.deSerialize(buf) }
  } catch (error) {
    return { error: String(error) }
  }
}

function ourParse(buf: Buffer): { header: RtpHeader } | { error: string } {
  try {
    return { header: deSerializeRtpHeader(buf) }
  } catch (error) {
    return { error: String(error) }
  }
}

/** Whether a version-2 packet's extension block claims more bytes than the packet has. */
function blockOverruns(buf: Buffer): boolean {
  if (buf.length < 12 || buf[0]! >> 6 !== 2 || (buf[0]! & 0x10) === 0) return false
  const offset = 12 + (buf[0]! & 0x0f) * 4
  if (offset + 4 > buf.length) return false
  const profile = buf.readUInt16BE(offset)
  return (profile === 0xbede || profile === 0x1000) && offset + 4 + buf.readUInt16BE(offset + 2) * 4 > buf.length
}

afterEach(() => uninstallReceivePath())

describe('the receive path parse', () => {
  it('reads every well-formed generated header exactly as werift does, and itself for the usual profiles', () => {
    const rand = random(1)
    let ours = 0
    for (let i = 0; i < 5000; i++) {
      const buf = generatedPacket(rand, false)
      const expected = RtpHeader.deSerialize(buf)
      const parsed = parseRtpHeader(buf)
      if (parsed) {
        ours++
        expect(parsed).toStrictEqual(expected)
      }
      expect(deSerializeRtpHeader(buf)).toStrictEqual(expected)
    }
    // Everything but the unusual extension profile (a quarter of the packets) takes our parse.
    expect(ours).toBeGreaterThan(2000)
  })

  it('gives werift’s result or error for damaged packets, and rejects an extension block past the end', () => {
    const rand = random(2)
    let rejected = 0
    for (let i = 0; i < 5000; i++) {
      const buf = generatedPacket(rand, true)
      if (blockOverruns(buf)) {
        // werift takes up to seconds here (see werift-receive-path.ts); its SRTP parse rejects the result.
        rejected++
        expect(ourParse(buf)).toStrictEqual({ error: 'RangeError: RTP header extension block runs past the packet' })
      } else {
        expect(ourParse(buf)).toStrictEqual(weriftParse(buf))
      }
    }
    expect(rejected).toBeGreaterThan(0)
  })

  it('leaves the one-byte id 15 and an element overrunning its block to werift', () => {
    const header = [0x90, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]
    const id15 = Buffer.from([...header, 0xbe, 0xde, 0, 1, 0xf0, 1, 2, 3, 9, 9])
    const overrun = Buffer.from([...header, 0xbe, 0xde, 0, 1, 0x15, 1, 2, 3, 9, 9])
    expect(parseRtpHeader(id15)).toBeUndefined()
    expect(parseRtpHeader(overrun)).toBeUndefined()
    expect(deSerializeRtpHeader(id15)).toStrictEqual(RtpHeader.deSerialize(id15))
    expect(deSerializeRtpHeader(overrun)).toStrictEqual(RtpHeader.deSerialize(overrun))
  })

  it('once installed, werift’s RtpPacket.deSerialize goes through it with the same packets', () => {
    const rand = random(3)
    const packets = Array.from({ length: 200 }, () => generatedPacket(rand, false))
    const before = packets.map((buf) => RtpPacket.deSerialize(buf))
    installReceivePath()
    expect(RtpHeader.deSerialize).toBe(deSerializeRtpHeader)
    expect(packets.map((buf) => RtpPacket.deSerialize(buf))).toStrictEqual(before)
  })

  it('caches a receiver’s nack/twcc/pli answers until prepareReceive replaces its codecs', () => {
    installReceivePath()
    const receiver = Object.create(RTCRtpReceiver.prototype) as RTCRtpReceiver
    Object.assign(receiver, { codecs: {}, ssrcByRtx: {} })
    const vp8 = (feedback: { type: string; parameter?: string }[]) => new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, payloadType: 96, rtcpFeedback: feedback })
    receiver.prepareReceive({ codecs: [vp8([useNACK()])], encodings: [] } as never)
    expect(receiver.nackEnabled).toMatchObject({ type: 'nack' })
    expect(receiver.twccEnabled).toBeUndefined()
    // Without prepareReceive the answers stay (werift only changes codecs through it).
    ;(receiver as unknown as { codecs: Record<number, RTCRtpCodecParameters> }).codecs[96] = vp8([])
    expect(receiver.nackEnabled).toMatchObject({ type: 'nack' })
    receiver.prepareReceive({ codecs: [vp8([usePLI()])], encodings: [] } as never)
    // werift's nackEnabled matches any feedback of type nack, PLI ("nack pli") included.
    expect(receiver.pliEnabled).toMatchObject({ type: 'nack', parameter: 'pli' })
    receiver.prepareReceive({ codecs: [vp8([])], encodings: [] } as never)
    expect(receiver.nackEnabled).toBeUndefined()
    expect(receiver.pliEnabled).toBeUndefined()
    uninstallReceivePath()
    receiver.prepareReceive({ codecs: [vp8([useNACK()])], encodings: [] } as never)
    expect(receiver.nackEnabled).toMatchObject({ type: 'nack' })
  })
})
