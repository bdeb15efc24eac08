// STUN messages (RFC 5389 / 8489) and TURN ChannelData (RFC 8656 §12), the subset the loopback TURN
// relay and its tests need: the header, attributes, XOR addresses, MESSAGE-INTEGRITY (HMAC-SHA1 with
// the long-term key) and FINGERPRINT. IPv4 only: the relay lives on 127.0.0.1.
import { createHash, createHmac } from 'node:crypto'
import { crc32 } from 'node:zlib'

export const MAGIC_COOKIE = 0x2112a442
const HEADER_BYTES = 20
const FINGERPRINT_XOR = 0x5354554e

export const StunClass = { request: 0, indication: 1, success: 2, error: 3 } as const
export type StunClass = (typeof StunClass)[keyof typeof StunClass]

export const StunMethod = {
  binding: 0x001,
  allocate: 0x003,
  refresh: 0x004,
  send: 0x006,
  data: 0x007,
  createPermission: 0x008,
  channelBind: 0x009,
} as const

export const StunAttribute = {
  mappedAddress: 0x0001,
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  unknownAttributes: 0x000a,
  channelNumber: 0x000c,
  lifetime: 0x000d,
  xorPeerAddress: 0x0012,
  data: 0x0013,
  realm: 0x0014,
  nonce: 0x0015,
  xorRelayedAddress: 0x0016,
  requestedAddressFamily: 0x0017,
  evenPort: 0x0018,
  requestedTransport: 0x0019,
  dontFragment: 0x001a,
  xorMappedAddress: 0x0020,
  reservationToken: 0x0022,
  software: 0x8022,
  fingerprint: 0x8028,
} as const

export interface StunAddress {
  address: string
  port: number
}

export interface StunMessage {
  method: number
  klass: StunClass
  transactionId: Buffer
  /** Attributes in wire order; a repeated type (several XOR-PEER-ADDRESS) appears several times. */
  attributes: { type: number; value: Buffer }[]
}

/** The 14-bit message type: method bits M0–M11 interleaved with the class bits C0 (bit 4) and C1 (bit 8). */
export function messageType(method: number, klass: StunClass): number {
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | ((klass & 1) << 4) | ((klass & 2) << 7)
}

function splitType(type: number): { method: number; klass: StunClass } {
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2)
  const klass = (((type >> 4) & 1) | ((type >> 7) & 2)) as StunClass
  return { method, klass }
}

/** A STUN message starts with two zero bits and carries the magic cookie; ChannelData starts with 0b01. */
export function isStunMessage(packet: Buffer): boolean {
  return packet.length >= HEADER_BYTES && (packet[0]! & 0xc0) === 0 && packet.readUInt32BE(4) === MAGIC_COOKIE
    && packet.readUInt16BE(2) + HEADER_BYTES <= packet.length
}

export function isChannelData(packet: Buffer): boolean {
  return packet.length >= 4 && packet[0]! >= 0x40 && packet[0]! <= 0x4f
}

export function decodeStun(packet: Buffer): StunMessage | undefined {
  if (!isStunMessage(packet)) return undefined
  const { method, klass } = splitType(packet.readUInt16BE(0))
  const end = HEADER_BYTES + packet.readUInt16BE(2)
  const attributes: StunMessage['attributes'] = []
  let offset = HEADER_BYTES
  while (offset + 4 <= end) {
    const type = packet.readUInt16BE(offset)
    const length = packet.readUInt16BE(offset + 2)
    if (offset + 4 + length > end) return undefined
    attributes.push({ type, value: packet.subarray(offset + 4, offset + 4 + length) })
    offset += 4 + Math.ceil(length / 4) * 4
  }
  return { method, klass, transactionId: Buffer.from(packet.subarray(8, 20)), attributes }
}

export function attribute(message: StunMessage, type: number): Buffer | undefined {
  return message.attributes.find((entry) => entry.type === type)?.value
}

/** What `encodeStun` appends after the attributes, in this order. */
export interface StunSigning {
  /** The long-term key (`longTermKey`): adds MESSAGE-INTEGRITY. */
  integrityKey?: Buffer
  fingerprint?: boolean
}

function attributeBytes(type: number, value: Buffer): Buffer {
  const header = Buffer.alloc(4)
  header.writeUInt16BE(type, 0)
  header.writeUInt16BE(value.length, 2)
  return Buffer.concat([header, value, Buffer.alloc((4 - (value.length % 4)) % 4)])
}

export function encodeStun(message: StunMessage, signing: StunSigning = {}): Buffer {
  const header = Buffer.alloc(HEADER_BYTES)
  header.writeUInt16BE(messageType(message.method, message.klass), 0)
  header.writeUInt32BE(MAGIC_COOKIE, 4)
  message.transactionId.copy(header, 8, 0, 12)
  let packet = Buffer.concat([header, ...message.attributes.map(({ type, value }) => attributeBytes(type, value))])
  // Each trailer is computed over the message with the length field already counting that trailer.
  if (signing.integrityKey) {
    packet.writeUInt16BE(packet.length - HEADER_BYTES + 24, 2)
    const hmac = createHmac('sha1', signing.integrityKey).update(packet).digest()
    packet = Buffer.concat([packet, attributeBytes(StunAttribute.messageIntegrity, hmac)])
  }
  if (signing.fingerprint) {
    packet.writeUInt16BE(packet.length - HEADER_BYTES + 8, 2)
    const value = Buffer.alloc(4)
    value.writeUInt32BE((crc32(packet) ^ FINGERPRINT_XOR) >>> 0, 0)
    packet = Buffer.concat([packet, attributeBytes(StunAttribute.fingerprint, value)])
  }
  packet.writeUInt16BE(packet.length - HEADER_BYTES, 2)
  return packet
}

/** The long-term credential key: MD5(username ":" realm ":" password) (RFC 8489 §9.2.2, SASLprep omitted: ASCII credentials). */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest()
}

/** Byte offset of the first attribute of `type` in a raw message, or -1. */
function attributeOffset(packet: Buffer, type: number): number {
  const end = HEADER_BYTES + packet.readUInt16BE(2)
  for (let offset = HEADER_BYTES; offset + 4 <= end; offset += 4 + Math.ceil(packet.readUInt16BE(offset + 2) / 4) * 4) {
    if (packet.readUInt16BE(offset) === type) return offset
  }
  return -1
}

/** Checks MESSAGE-INTEGRITY of a raw message; false when it is missing or wrong. */
export function verifyIntegrity(packet: Buffer, key: Buffer): boolean {
  const offset = attributeOffset(packet, StunAttribute.messageIntegrity)
  if (offset < 0 || packet.readUInt16BE(offset + 2) !== 20) return false
  const covered = Buffer.from(packet.subarray(0, offset))
  covered.writeUInt16BE(offset + 24 - HEADER_BYTES, 2)
  const expected = createHmac('sha1', key).update(covered).digest()
  return expected.equals(packet.subarray(offset + 4, offset + 24))
}

/** Checks FINGERPRINT when present (true when absent: it is optional for TURN clients). */
export function verifyFingerprint(packet: Buffer): boolean {
  const offset = attributeOffset(packet, StunAttribute.fingerprint)
  if (offset < 0) return true
  const covered = Buffer.from(packet.subarray(0, offset))
  covered.writeUInt16BE(offset + 8 - HEADER_BYTES, 2)
  return ((crc32(covered) ^ FINGERPRINT_XOR) >>> 0) === packet.readUInt32BE(offset + 4)
}

/** XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS (IPv4). */
export function encodeXorAddress({ address, port }: StunAddress): Buffer {
  const value = Buffer.alloc(8)
  value.writeUInt8(0x01, 1)
  value.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), 2)
  const octets = address.split('.').map(Number)
  if (octets.length !== 4 || octets.some((octet) => !Number.isInteger(octet) || octet < 0 || octet > 255)) {
    throw new Error(`not an IPv4 address: ${address}`)
  }
  value.writeUInt32BE((((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) ^ MAGIC_COOKIE) >>> 0, 4)
  return value
}

/** Undefined for anything but a well-formed IPv4 XOR address (an IPv6 peer is refused by the caller). */
export function decodeXorAddress(value: Buffer | undefined): StunAddress | undefined {
  if (!value || value.length !== 8 || value[1] !== 0x01) return undefined
  const ip = (value.readUInt32BE(4) ^ MAGIC_COOKIE) >>> 0
  return { address: [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.'), port: value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16) }
}

export function encodeErrorCode(code: number, reason: string): Buffer {
  const value = Buffer.alloc(4)
  value.writeUInt8(Math.floor(code / 100), 2)
  value.writeUInt8(code % 100, 3)
  return Buffer.concat([value, Buffer.from(reason, 'utf8')])
}

export function decodeErrorCode(value: Buffer | undefined): number | undefined {
  return value && value.length >= 4 ? (value[2]! & 7) * 100 + value[3]! : undefined
}

export function uint32(value: number): Buffer {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32BE(value >>> 0, 0)
  return bytes
}

/** ChannelData: channel number, length, application data (padded to 4 bytes, as a TCP sender must; harmless on UDP). */
export function encodeChannelData(channel: number, data: Buffer): Buffer {
  const header = Buffer.alloc(4)
  header.writeUInt16BE(channel, 0)
  header.writeUInt16BE(data.length, 2)
  return Buffer.concat([header, data, Buffer.alloc((4 - (data.length % 4)) % 4)])
}

export function decodeChannelData(packet: Buffer): { channel: number; data: Buffer } | undefined {
  if (!isChannelData(packet)) return undefined
  const length = packet.readUInt16BE(2)
  if (4 + length > packet.length) return undefined
  return { channel: packet.readUInt16BE(0), data: packet.subarray(4, 4 + length) }
}
