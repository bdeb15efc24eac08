// A minimal TURN server over UDP (RFC 8656 on RFC 8489 STUN) that impairs what it relays: delay,
// jitter, loss and blackouts per direction, changeable while a call runs. It exists because this
// kernel has no netem: a browser told to use only relay candidates (`iceTransportPolicy: 'relay'`)
// sends all its media through here, and the fault suite degrades that path for real.
// It binds 127.0.0.1 only and relays only to 127.0.0.0/8 peers; anything else is refused (403).
// Supported: Binding; Allocate (UDP, IPv4) with long-term credentials (401 + REALM/NONCE, 438 stale
// nonce, MESSAGE-INTEGRITY, FINGERPRINT); Refresh; CreatePermission; Send/Data indications;
// ChannelBind and ChannelData. Not supported: TCP/TLS, IPv6, EVEN-PORT and reservations (420).
import { randomBytes } from 'node:crypto'
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { ImpairedLink, type Impairment, type LinkCounters } from './impaired-link.js'
import { isLoopbackAddress } from './loopback.js'
import {
  attribute, decodeChannelData, decodeStun, decodeXorAddress, encodeChannelData, encodeErrorCode, encodeStun,
  encodeXorAddress, isChannelData, longTermKey, StunAttribute as A, StunClass, StunMethod, uint32, verifyFingerprint,
  verifyIntegrity, type StunAddress, type StunMessage,
} from './stun.js'

export type RelayDirection = 'clientToPeer' | 'peerToClient' | 'both'

export interface TurnRelayOptions {
  /** UDP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number
  username?: string
  password?: string
  realm?: string
  /** Drives loss and jitter (tests pass a seeded one). */
  random?: () => number
}

export interface TurnRelayCounters {
  clientToPeer: LinkCounters
  peerToClient: LinkCounters
  /** Allocations alive now, and ever made. */
  allocations: number
  allocationsMade: number
  /** CreatePermission / ChannelBind / Send for a peer outside 127.0.0.0/8. */
  refusedPeers: number
}

export interface TurnRelay {
  readonly port: number
  /** `{ urls, username, credential }`, ready for an RTCConfiguration's `iceServers`. */
  readonly iceServer: { urls: string; username: string; credential: string }
  impair(change: Partial<Impairment>, direction?: RelayDirection): void
  /** Drops everything relayed for `ms` (Infinity: until `restore()`). */
  blackout(ms: number, direction?: RelayDirection): void
  /** Ends a blackout (the impairment stays). */
  restore(direction?: RelayDirection): void
  /** Whether a blackout is on (in either direction, for 'both'). */
  blackedOut(direction?: RelayDirection): boolean
  counters(): TurnRelayCounters
  close(): Promise<void>
}

const DEFAULT_LIFETIME_S = 600
const MAX_LIFETIME_S = 3600
const PERMISSION_LIFETIME_MS = 300_000
const CHANNEL_LIFETIME_MS = 600_000
const UDP_TRANSPORT = 17
const IPV4_FAMILY = 0x01
/** Comprehension-required attributes this server understands in requests (RFC 8489 §14: others get 420). */
const UNDERSTOOD = new Set<number>([
  A.username, A.messageIntegrity, A.channelNumber, A.lifetime, A.xorPeerAddress, A.data, A.realm, A.nonce,
  A.requestedAddressFamily, A.requestedTransport, A.dontFragment,
])

interface Allocation {
  client: StunAddress
  relay: Socket
  relayPort: number
  expiresAt: number
  createdBy: string
  /** The signed success answer, resent when the client retransmits its Allocate. */
  answer?: Buffer
  /** Peer IP → expiry (a permission covers every port of that IP). */
  permissions: Map<string, number>
  channels: Map<number, { peer: StunAddress; expiresAt: number }>
  channelOfPeer: Map<string, number>
}

const keyOf = ({ address, port }: StunAddress) => `${address}:${port}`

export async function startTurnRelay(options: TurnRelayOptions = {}): Promise<TurnRelay> {
  const username = options.username ?? 'parley'
  const password = options.password ?? 'parley-relay'
  const realm = options.realm ?? 'parley.test'
  const key = longTermKey(username, realm, password)
  const nonce = randomBytes(12).toString('hex')
  const links = { clientToPeer: new ImpairedLink(options.random), peerToClient: new ImpairedLink(options.random) }
  const allocations = new Map<string, Allocation>()
  let allocationsMade = 0
  let refusedPeers = 0

  const server = createSocket('udp4')
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.bind(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = server.address().port
  server.on('error', () => undefined) // an ICMP "port unreachable" from a gone client must not kill the relay

  const reply = (to: StunAddress, message: StunMessage, signed: boolean) =>
    server.send(encodeStun(message, { ...(signed ? { integrityKey: key } : {}), fingerprint: true }), to.port, to.address)

  const answer = (request: StunMessage, attributes: StunMessage['attributes']): StunMessage =>
    ({ method: request.method, klass: StunClass.success, transactionId: request.transactionId, attributes })

  const failure = (request: StunMessage, code: number, reason: string, extra: StunMessage['attributes'] = []): StunMessage => ({
    method: request.method,
    klass: StunClass.error,
    transactionId: request.transactionId,
    attributes: [{ type: A.errorCode, value: encodeErrorCode(code, reason) }, ...extra],
  })

  const challenge = () => [
    { type: A.realm, value: Buffer.from(realm) },
    { type: A.nonce, value: Buffer.from(nonce) },
  ]

  function live(client: StunAddress): Allocation | undefined {
    const allocation = allocations.get(keyOf(client))
    if (allocation && allocation.expiresAt <= Date.now()) {
      release(allocation)
      return undefined
    }
    return allocation
  }

  function release(allocation: Allocation) {
    allocations.delete(keyOf(allocation.client))
    allocation.relay.close()
  }

  function permitted(allocation: Allocation, address: string): boolean {
    return (allocation.permissions.get(address) ?? 0) > Date.now()
  }

  /** The refusal for a peer outside loopback, or undefined when the peer may be relayed to. */
  function guardPeer(request: StunMessage, peer: StunAddress | undefined): StunMessage | undefined {
    if (!peer) return failure(request, 400, 'Bad Request: XOR-PEER-ADDRESS missing or not IPv4')
    if (isLoopbackAddress(peer.address)) return undefined
    refusedPeers += 1
    return failure(request, 403, 'Forbidden: this relay only reaches 127.0.0.0/8')
  }

  function lifetimeOf(request: StunMessage): number {
    const asked = attribute(request, A.lifetime)
    const seconds = asked && asked.length === 4 ? asked.readUInt32BE(0) : DEFAULT_LIFETIME_S
    return seconds === 0 ? 0 : Math.min(Math.max(seconds, DEFAULT_LIFETIME_S), MAX_LIFETIME_S)
  }

  async function allocate(request: StunMessage, client: StunAddress): Promise<StunMessage | undefined> {
    const existing = live(client)
    const transaction = request.transactionId.toString('hex')
    if (existing) {
      if (existing.createdBy !== transaction) return failure(request, 437, 'Allocation Mismatch')
      if (existing.answer) server.send(existing.answer, client.port, client.address)
      return undefined // still binding its relay socket: the client retransmits
    }
    const transport = attribute(request, A.requestedTransport)
    if (!transport) return failure(request, 400, 'Bad Request: REQUESTED-TRANSPORT missing')
    if (transport[0] !== UDP_TRANSPORT) return failure(request, 442, 'Unsupported Transport Protocol')
    const family = attribute(request, A.requestedAddressFamily)
    if (family && family[0] !== IPV4_FAMILY) return failure(request, 440, 'Address Family not Supported')
    const relay = createSocket('udp4')
    const allocation: Allocation = {
      client, relay, relayPort: 0, createdBy: transaction,
      expiresAt: Date.now() + Math.max(lifetimeOf(request), DEFAULT_LIFETIME_S) * 1000,
      permissions: new Map(), channels: new Map(), channelOfPeer: new Map(),
    }
    allocations.set(keyOf(client), allocation)
    await new Promise<void>((resolve) => relay.bind(0, '127.0.0.1', () => resolve()))
    allocation.relayPort = relay.address().port
    allocationsMade += 1
    relay.on('error', () => undefined)
    relay.on('message', (packet, from) => fromPeer(allocation, packet, from))
    const success = answer(request, [
      { type: A.xorRelayedAddress, value: encodeXorAddress({ address: '127.0.0.1', port: allocation.relayPort }) },
      { type: A.lifetime, value: uint32(Math.round((allocation.expiresAt - Date.now()) / 1000)) },
      { type: A.xorMappedAddress, value: encodeXorAddress(client) },
    ])
    allocation.answer = encodeStun(success, { integrityKey: key, fingerprint: true })
    server.send(allocation.answer, client.port, client.address)
    return undefined
  }

  function refresh(request: StunMessage, allocation: Allocation): StunMessage {
    const lifetime = lifetimeOf(request)
    if (lifetime === 0) release(allocation)
    else allocation.expiresAt = Date.now() + lifetime * 1000
    return answer(request, [{ type: A.lifetime, value: uint32(lifetime) }])
  }

  function createPermission(request: StunMessage, allocation: Allocation): StunMessage {
    const peers = request.attributes.filter((entry) => entry.type === A.xorPeerAddress).map((entry) => decodeXorAddress(entry.value))
    if (peers.length === 0) return failure(request, 400, 'Bad Request: XOR-PEER-ADDRESS missing')
    for (const peer of peers) {
      const refused = guardPeer(request, peer)
      if (refused) return refused
    }
    for (const peer of peers) allocation.permissions.set(peer!.address, Date.now() + PERMISSION_LIFETIME_MS)
    return answer(request, [])
  }

  function channelBind(request: StunMessage, allocation: Allocation): StunMessage {
    const number = attribute(request, A.channelNumber)
    const channel = number && number.length === 4 ? number.readUInt16BE(0) : -1
    if (channel < 0x4000 || channel > 0x4fff) return failure(request, 400, 'Bad Request: channel number outside 0x4000–0x4FFF')
    const peer = decodeXorAddress(attribute(request, A.xorPeerAddress))
    const refused = guardPeer(request, peer)
    if (refused || !peer) return refused!
    const bound = allocation.channels.get(channel)
    const boundChannel = allocation.channelOfPeer.get(keyOf(peer))
    if ((bound && keyOf(bound.peer) !== keyOf(peer)) || (boundChannel !== undefined && boundChannel !== channel)) {
      return failure(request, 400, 'Bad Request: channel or peer already bound otherwise')
    }
    allocation.channels.set(channel, { peer, expiresAt: Date.now() + CHANNEL_LIFETIME_MS })
    allocation.channelOfPeer.set(keyOf(peer), channel)
    allocation.permissions.set(peer.address, Date.now() + PERMISSION_LIFETIME_MS)
    return answer(request, [])
  }

  /** The long-term credential check (RFC 8489 §9.2.4); the error to send, or undefined when it passes. */
  function authenticate(request: StunMessage, packet: Buffer): StunMessage | undefined {
    if (!attribute(request, A.messageIntegrity)) return failure(request, 401, 'Unauthorized', challenge())
    const user = attribute(request, A.username)
    if (!user || !attribute(request, A.realm) || !attribute(request, A.nonce)) {
      return failure(request, 400, 'Bad Request: USERNAME, REALM and NONCE go with MESSAGE-INTEGRITY')
    }
    if (attribute(request, A.nonce)!.toString() !== nonce) return failure(request, 438, 'Stale Nonce', challenge())
    if (user.toString() !== username || !verifyIntegrity(packet, key)) return failure(request, 401, 'Unauthorized', challenge())
    return undefined
  }

  async function onRequest(request: StunMessage, packet: Buffer, client: StunAddress): Promise<void> {
    if (request.method === StunMethod.binding) {
      reply(client, answer(request, [{ type: A.xorMappedAddress, value: encodeXorAddress(client) }]), false)
      return
    }
    const unknown = request.attributes.map((entry) => entry.type).filter((type) => type < 0x8000 && !UNDERSTOOD.has(type))
    if (unknown.length > 0) {
      const list = Buffer.alloc(unknown.length * 2)
      unknown.forEach((type, index) => list.writeUInt16BE(type, index * 2))
      reply(client, failure(request, 420, 'Unknown Attribute', [{ type: A.unknownAttributes, value: list }]), false)
      return
    }
    const refused = authenticate(request, packet)
    if (refused) {
      reply(client, refused, false)
      return
    }
    if (request.method === StunMethod.allocate) {
      const outcome = await allocate(request, client)
      if (outcome) reply(client, outcome, true)
      return
    }
    const allocation = live(client)
    if (!allocation) {
      reply(client, failure(request, 437, 'Allocation Mismatch'), true)
      return
    }
    const handlers: Record<number, (request: StunMessage, allocation: Allocation) => StunMessage> = {
      [StunMethod.refresh]: refresh,
      [StunMethod.createPermission]: createPermission,
      [StunMethod.channelBind]: channelBind,
    }
    const handler = handlers[request.method]
    reply(client, handler ? handler(request, allocation) : failure(request, 400, 'Bad Request: unknown method'), true)
  }

  function toPeer(allocation: Allocation, peer: StunAddress, data: Buffer) {
    if (!isLoopbackAddress(peer.address) || !permitted(allocation, peer.address)) return
    const copy = Buffer.from(data)
    links.clientToPeer.send(copy.length, () => allocation.relay.send(copy, peer.port, peer.address))
  }

  function fromClient(packet: Buffer, from: RemoteInfo) {
    const client = { address: from.address, port: from.port }
    if (isChannelData(packet)) {
      const frame = decodeChannelData(packet)
      const allocation = live(client)
      const bound = frame && allocation?.channels.get(frame.channel)
      if (frame && allocation && bound && bound.expiresAt > Date.now()) toPeer(allocation, bound.peer, frame.data)
      return
    }
    const message = decodeStun(packet)
    if (!message || !verifyFingerprint(packet)) return
    if (message.klass === StunClass.request) {
      void onRequest(message, packet, client)
      return
    }
    if (message.klass === StunClass.indication && message.method === StunMethod.send) {
      const allocation = live(client)
      const peer = decodeXorAddress(attribute(message, A.xorPeerAddress))
      const data = attribute(message, A.data)
      if (!allocation || !peer || !data) return
      if (!isLoopbackAddress(peer.address)) refusedPeers += 1
      else toPeer(allocation, peer, data)
    }
  }

  function fromPeer(allocation: Allocation, data: Buffer, from: RemoteInfo) {
    if (!isLoopbackAddress(from.address) || !permitted(allocation, from.address)) return
    const peer = { address: from.address, port: from.port }
    const channel = allocation.channelOfPeer.get(keyOf(peer))
    const bound = channel !== undefined ? allocation.channels.get(channel) : undefined
    const packet = bound && bound.expiresAt > Date.now()
      ? encodeChannelData(channel!, data)
      : encodeStun({
        method: StunMethod.data,
        klass: StunClass.indication,
        transactionId: randomBytes(12),
        attributes: [{ type: A.xorPeerAddress, value: encodeXorAddress(peer) }, { type: A.data, value: data }],
      })
    links.peerToClient.send(data.length, () => {
      if (allocations.get(keyOf(allocation.client)) === allocation) server.send(packet, allocation.client.port, allocation.client.address)
    })
  }

  server.on('message', fromClient)
  const sweep = setInterval(() => {
    for (const allocation of [...allocations.values()]) if (allocation.expiresAt <= Date.now()) release(allocation)
  }, 5000)
  sweep.unref()

  const linksOf = (direction: RelayDirection = 'both') =>
    direction === 'both' ? [links.clientToPeer, links.peerToClient] : [links[direction]]

  return {
    port,
    iceServer: { urls: `turn:127.0.0.1:${port}?transport=udp`, username, credential: password },
    impair: (change, direction) => linksOf(direction).forEach((link) => link.impair(change)),
    blackout: (ms, direction) => linksOf(direction).forEach((link) => link.blackout(ms)),
    restore: (direction) => linksOf(direction).forEach((link) => link.restore()),
    blackedOut: (direction) => linksOf(direction).some((link) => link.blackedOut),
    counters: () => ({
      clientToPeer: { ...links.clientToPeer.counters },
      peerToClient: { ...links.peerToClient.counters },
      allocations: allocations.size,
      allocationsMade,
      refusedPeers,
    }),
    close: async () => {
      clearInterval(sweep)
      links.clientToPeer.close()
      links.peerToClient.close()
      for (const allocation of [...allocations.values()]) release(allocation)
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
