// The TURN relay against a real UDP client and a real UDP peer on loopback, and the STUN codec
// against the RFC 5769 test vectors.
import { randomBytes } from 'node:crypto'
import { createSocket, type Socket } from 'node:dgram'
import { afterEach, describe, expect, it } from 'vitest'
import {
  attribute, decodeChannelData, decodeErrorCode, decodeStun, decodeXorAddress, encodeChannelData, encodeStun,
  encodeXorAddress, longTermKey, StunAttribute as A, StunClass, StunMethod, uint32, verifyFingerprint, verifyIntegrity,
  type StunMessage,
} from './stun.js'
import { startTurnRelay, type TurnRelay } from './turn-relay.js'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex')

describe('the STUN codec against RFC 5769', () => {
  it('verifies the sample IPv4 response (short-term key) and reads its XOR-MAPPED-ADDRESS', () => {
    const response = hex(`0101003c 2112a442 b7e7a701 bc34d686 fa87dfae 8022000b 74657374 20766563 746f7220
      00200008 0001a147 e112a643 00080014 2b91f599 fd9e90c3 8c7489f9 2af9ba53 f06be7d7 80280004 c07d4c96`)
    const message = decodeStun(response)!
    expect(message).toMatchObject({ method: StunMethod.binding, klass: StunClass.success })
    expect(verifyIntegrity(response, Buffer.from('VOkJxbRl1RmTxUk/WvJxBt'))).toBe(true)
    expect(verifyIntegrity(response, Buffer.from('wrong'))).toBe(false)
    expect(verifyFingerprint(response)).toBe(true)
    expect(decodeXorAddress(attribute(message, A.xorMappedAddress))).toEqual({ address: '192.0.2.1', port: 32853 })
    expect(encodeXorAddress({ address: '192.0.2.1', port: 32853 })).toEqual(attribute(message, A.xorMappedAddress))
  })

  it('verifies the sample request with long-term authentication (MD5 key of user:realm:password)', () => {
    const request = hex(`00010060 2112a442 78ad3433 c6ad72c0 29da412e 00060012 e3839ee3 8388e383 aae38383
      e382afe3 82b90000 0015001c 662f2f34 39396b39 35346436 4f4c3334 6f4c3946 53547679 36347341 0014000b
      6578616d 706c652e 6f726700 00080014 f6702465 6dd64a3e 02b8e071 2e85c9a2 8ca89666`)
    const message = decodeStun(request)!
    expect(attribute(message, A.username)!.toString()).toBe('マトリックス')
    expect(verifyIntegrity(request, longTermKey('マトリックス', 'example.org', 'TheMatrIX'))).toBe(true)
  })

  it('round-trips what it encodes, trailers included, and flags a corrupted fingerprint', () => {
    const key = longTermKey('user', 'realm', 'pass')
    const packet = encodeStun({
      method: StunMethod.allocate, klass: StunClass.request, transactionId: randomBytes(12),
      attributes: [{ type: A.requestedTransport, value: uint32(17 << 24) }, { type: A.username, value: Buffer.from('user') }],
    }, { integrityKey: key, fingerprint: true })
    expect(decodeStun(packet)).toMatchObject({ method: StunMethod.allocate, klass: StunClass.request })
    expect(verifyIntegrity(packet, key)).toBe(true)
    expect(verifyFingerprint(packet)).toBe(true)
    packet[packet.length - 1]! ^= 1
    expect(verifyFingerprint(packet)).toBe(false)
  })
})

/** A UDP endpoint on 127.0.0.1 that keeps what it receives. */
async function endpoint(): Promise<{ socket: Socket; port: number; received: { packet: Buffer; at: number }[] }> {
  const socket = createSocket('udp4')
  const received: { packet: Buffer; at: number }[] = []
  socket.on('message', (packet) => void received.push({ packet, at: performance.now() }))
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
  cleanups.push(() => new Promise<void>((resolve) => socket.close(() => resolve())))
  return { socket, port: socket.address().port, received }
}

const until = async (condition: () => boolean, what: string, ms = 3000) => {
  const deadline = performance.now() + ms
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

/** A TURN client speaking to the relay: requests are answered by transaction id. */
async function turnClient(relay: TurnRelay) {
  const local = await endpoint()
  const key = longTermKey(relay.iceServer.username, 'parley.test', relay.iceServer.credential)
  let realm = ''
  let nonce = ''
  async function request(method: number, attributes: StunMessage['attributes'], auth: 'none' | 'right' | 'wrong' = 'right') {
    const transactionId = randomBytes(12)
    const credentials = auth === 'none' ? [] : [
      { type: A.username, value: Buffer.from(relay.iceServer.username) },
      { type: A.realm, value: Buffer.from(realm) },
      { type: A.nonce, value: Buffer.from(nonce) },
    ]
    const integrityKey = auth === 'wrong' ? longTermKey(relay.iceServer.username, realm, 'not the password') : key
    const packet = encodeStun(
      { method, klass: StunClass.request, transactionId, attributes: [...attributes, ...credentials] },
      auth === 'none' ? { fingerprint: true } : { integrityKey, fingerprint: true },
    )
    local.socket.send(packet, relay.port, '127.0.0.1')
    let raw: Buffer | undefined
    await until(() => {
      raw = local.received.find(({ packet }) => decodeStun(packet)?.transactionId.equals(transactionId))?.packet
      return raw !== undefined
    }, `an answer to method ${method}`)
    const message = decodeStun(raw!)!
    const realmValue = attribute(message, A.realm)
    const nonceValue = attribute(message, A.nonce)
    if (realmValue) realm = realmValue.toString()
    if (nonceValue) nonce = nonceValue.toString()
    return { message, raw: raw!, error: decodeErrorCode(attribute(message, A.errorCode)) }
  }
  const send = (packet: Buffer) => local.socket.send(packet, relay.port, '127.0.0.1')
  return { ...local, key, request, send }
}

async function allocated(relay: TurnRelay) {
  const client = await turnClient(relay)
  expect((await client.request(StunMethod.allocate, [{ type: A.requestedTransport, value: uint32(17 << 24) }], 'none')).error).toBe(401)
  const success = await client.request(StunMethod.allocate, [{ type: A.requestedTransport, value: uint32(17 << 24) }])
  expect(success.error).toBeUndefined()
  const relayed = decodeXorAddress(attribute(success.message, A.xorRelayedAddress))!
  return { ...client, relayed, success }
}

async function startRelay(options: Parameters<typeof startTurnRelay>[0] = {}) {
  const relay = await startTurnRelay(options)
  cleanups.push(() => relay.close())
  return relay
}

const peerAttribute = (port: number, address = '127.0.0.1') => ({ type: A.xorPeerAddress, value: encodeXorAddress({ address, port }) })

describe('startTurnRelay', () => {
  it('answers Binding, challenges an Allocate, refuses a wrong password and allocates a loopback relay address with signed answers', async () => {
    const relay = await startRelay()
    const client = await turnClient(relay)
    const binding = await client.request(StunMethod.binding, [], 'none')
    expect(decodeXorAddress(attribute(binding.message, A.xorMappedAddress))).toEqual({ address: '127.0.0.1', port: client.port })
    const transport = { type: A.requestedTransport, value: uint32(17 << 24) }
    const challenge = await client.request(StunMethod.allocate, [transport], 'none')
    expect(challenge.error).toBe(401)
    expect(attribute(challenge.message, A.realm)?.toString()).toBe('parley.test')
    expect((await client.request(StunMethod.allocate, [transport], 'wrong')).error).toBe(401)
    expect((await client.request(StunMethod.allocate, [{ type: A.requestedTransport, value: uint32(6 << 24) }])).error).toBe(442)
    const success = await client.request(StunMethod.allocate, [transport])
    expect(success.message.klass).toBe(StunClass.success)
    expect(verifyIntegrity(success.raw, client.key)).toBe(true)
    expect(verifyFingerprint(success.raw)).toBe(true)
    const relayed = decodeXorAddress(attribute(success.message, A.xorRelayedAddress))!
    expect(relayed.address).toBe('127.0.0.1')
    expect(relayed.port).not.toBe(relay.port)
    expect(attribute(success.message, A.lifetime)!.readUInt32BE(0)).toBe(600)
    expect((await client.request(StunMethod.allocate, [transport])).error).toBe(437) // a second allocation on the same 5-tuple
    expect(relay.counters()).toMatchObject({ allocations: 1, allocationsMade: 1 })
  })

  it('refuses peers outside 127.0.0.0/8 and forgets an allocation refreshed with lifetime 0', async () => {
    const relay = await startRelay()
    const client = await allocated(relay)
    expect((await client.request(StunMethod.createPermission, [peerAttribute(9, '10.0.0.1')])).error).toBe(403)
    expect((await client.request(StunMethod.channelBind, [{ type: A.channelNumber, value: uint32(0x4001 << 16) }, peerAttribute(9, '192.168.1.1')])).error).toBe(403)
    expect(relay.counters().refusedPeers).toBe(2)
    expect((await client.request(StunMethod.channelBind, [{ type: A.channelNumber, value: uint32(0x3000 << 16) }, peerAttribute(9)])).error).toBe(400)
    const gone = await client.request(StunMethod.refresh, [{ type: A.lifetime, value: uint32(0) }])
    expect(gone.error).toBeUndefined()
    expect(relay.counters().allocations).toBe(0)
    expect((await client.request(StunMethod.createPermission, [peerAttribute(9)])).error).toBe(437)
  })

  it('relays Send/Data indications once permitted, and ChannelData both ways once bound', async () => {
    const relay = await startRelay()
    const client = await allocated(relay)
    const peer = await endpoint()
    const sendIndication = (data: string) => client.send(encodeStun({
      method: StunMethod.send, klass: StunClass.indication, transactionId: randomBytes(12),
      attributes: [peerAttribute(peer.port), { type: A.data, value: Buffer.from(data) }],
    }))
    sendIndication('before permission')
    expect((await client.request(StunMethod.createPermission, [peerAttribute(peer.port)])).error).toBeUndefined()
    sendIndication('hello peer')
    await until(() => peer.received.length === 1, 'the peer to receive the Send indication')
    expect(peer.received[0]!.packet.toString()).toBe('hello peer') // the unpermitted one was dropped
    peer.socket.send(Buffer.from('hello client'), client.relayed.port, '127.0.0.1')
    await until(() => client.received.some(({ packet }) => decodeStun(packet)?.method === StunMethod.data), 'a Data indication')
    const dataIndication = decodeStun(client.received.find(({ packet }) => decodeStun(packet)?.method === StunMethod.data)!.packet)!
    expect(attribute(dataIndication, A.data)!.toString()).toBe('hello client')
    expect(decodeXorAddress(attribute(dataIndication, A.xorPeerAddress))).toEqual({ address: '127.0.0.1', port: peer.port })

    const bind = await client.request(StunMethod.channelBind, [{ type: A.channelNumber, value: uint32(0x4000 << 16) }, peerAttribute(peer.port)])
    expect(bind.error).toBeUndefined()
    client.send(encodeChannelData(0x4000, Buffer.from('odd length')))
    await until(() => peer.received.length === 2, 'ChannelData to reach the peer')
    expect(peer.received[1]!.packet.toString()).toBe('odd length')
    peer.socket.send(Buffer.from('back'), client.relayed.port, '127.0.0.1')
    await until(() => client.received.some(({ packet }) => decodeChannelData(packet) !== undefined), 'ChannelData from the peer')
    const frame = decodeChannelData(client.received.find(({ packet }) => decodeChannelData(packet) !== undefined)!.packet)!
    expect(frame).toEqual({ channel: 0x4000, data: Buffer.from('back') })
    expect(relay.counters()).toMatchObject({ clientToPeer: { relayed: 2 }, peerToClient: { relayed: 2 } })
  })
})

/** An allocation with a channel to a peer, ready to stream numbered packets through. */
async function channelTo(relay: TurnRelay) {
  const client = await allocated(relay)
  const peer = await endpoint()
  await client.request(StunMethod.channelBind, [{ type: A.channelNumber, value: uint32(0x4000 << 16) }, peerAttribute(peer.port)])
  const sent = new Map<number, number>()
  async function stream(count: number, gapMs = 1) {
    for (let index = 0; index < count; index += 1) {
      const payload = Buffer.alloc(8)
      payload.writeUInt32BE(index, 0)
      sent.set(index, performance.now())
      client.send(encodeChannelData(0x4000, payload))
      if (index % 20 === 19) await new Promise((resolve) => setTimeout(resolve, gapMs))
    }
  }
  const arrivals = () => peer.received.map(({ packet, at }) => ({ index: packet.readUInt32BE(0), delay: at - sent.get(packet.readUInt32BE(0))! }))
  return { client, peer, stream, arrivals }
}

describe('impairment', () => {
  it('delays each packet by the fixed delay plus jitter and keeps their order', async () => {
    const relay = await startRelay()
    const path = await channelTo(relay)
    relay.impair({ delayMs: 80, jitterMs: 30 }, 'clientToPeer')
    await path.stream(60, 5)
    await until(() => path.peer.received.length === 60, 'every delayed packet', 5000)
    const arrivals = path.arrivals()
    expect(arrivals.map(({ index }) => index)).toEqual([...Array(60).keys()])
    const delays = arrivals.map(({ delay }) => delay)
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(49) // 80 − 30, minus a timer's millisecond
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(5) // jitter is there
  })

  it('loses about the configured share of packets, counted', async () => {
    const relay = await startRelay()
    const path = await channelTo(relay)
    relay.impair({ lossPercent: 20 })
    await path.stream(1000)
    await until(() => relay.counters().clientToPeer.relayed + relay.counters().clientToPeer.lost === 1000, 'every packet to be judged')
    const { lost, relayed } = relay.counters().clientToPeer
    expect(lost).toBeGreaterThan(120) // 200 ± 6.3 standard deviations
    expect(lost).toBeLessThan(280)
    await until(() => path.peer.received.length === relayed, 'the relayed packets to arrive')
  })

  it('drops everything during a blackout, then relays again by itself', async () => {
    const relay = await startRelay()
    const path = await channelTo(relay)
    await path.stream(10)
    await until(() => path.peer.received.length === 10, 'the packets before the blackout')
    relay.blackout(300, 'clientToPeer')
    expect(relay.blackedOut()).toBe(true)
    expect(relay.blackedOut('peerToClient')).toBe(false)
    await path.stream(10)
    await until(() => relay.counters().clientToPeer.blackedOut === 10, 'the packets in the blackout to be dropped')
    const start = performance.now()
    while (path.peer.received.length === 10) {
      await path.stream(1)
      await new Promise((resolve) => setTimeout(resolve, 20))
      if (performance.now() - start > 3000) throw new Error('the relay never came back')
    }
    expect(performance.now() - start).toBeGreaterThan(200)
    expect(relay.blackedOut()).toBe(false)
    relay.blackout(Infinity)
    const dropped = relay.counters().clientToPeer.blackedOut
    await path.stream(5)
    await until(() => relay.counters().clientToPeer.blackedOut === dropped + 5, 'the blackout until restore')
    relay.restore()
    const before = path.peer.received.length
    await path.stream(5)
    await until(() => path.peer.received.length === before + 5, 'packets after restore')
  })
})
