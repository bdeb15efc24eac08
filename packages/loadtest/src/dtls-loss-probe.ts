// werift's DTLS handshake (0.25.2, the hub's server and the load generator's client) over an in-memory
// datagram link that loses, or delays, chosen datagrams: which single losses leave the two ends in
// different states. No sockets (nothing leaves the process), so no namespace or lock is needed:
//   npm run pnpm -- --filter @parley/loadtest run dtls-loss [-- --wait-ms 8000]
// Prints one row per case: what was lost, the end state of each side after the wait. werift's client sends
// each record of a flight in its own datagram (a browser packs a flight into one), so one datagram can go
// missing from the middle of a flight; the stop-36 section of the README says what that does to a load run.
import {
  CipherContext,
  DtlsClient,
  DtlsServer,
  HashAlgorithm,
  NamedCurveAlgorithm,
  SignatureAlgorithm,
} from 'werift'

type Direction = 'c2s' | 's2c'

interface Case {
  label: string
  direction?: Direction
  /** Datagram indexes (per direction, from 0) that are lost. */
  lost?: number[]
  /** Or delayed by `delayMs` (each on its own timer: later datagrams may overtake them). */
  delayed?: number[]
  delayMs?: number
}

/** The datagrams of the handshake in order (werift client and server, one record per datagram). */
export const HANDSHAKE_DATAGRAMS: Record<Direction, string[]> = {
  c2s: ['ClientHello', 'ClientHello+cookie', 'Certificate', 'ClientKeyExchange', 'CertificateVerify', 'ChangeCipherSpec', 'Finished'],
  s2c: ['HelloVerifyRequest', 'ServerHello', 'Certificate', 'ServerKeyExchange', 'CertificateRequest', 'ServerHelloDone', 'ChangeCipherSpec', 'Finished'],
}

interface Side {
  state: string
}

async function certificate() {
  return CipherContext.createSelfSignedCertificateWithKey({ signature: SignatureAlgorithm.ecdsa_3, hash: HashAlgorithm.sha256_4 }, NamedCurveAlgorithm.secp256r1_23)
}

type Certificate = Awaited<ReturnType<typeof certificate>>

function handshake(which: Case, serverCert: Certificate, clientCert: Certificate): { server: Side; client: Side } {
  const sent: Record<Direction, number> = { c2s: 0, s2c: 0 }
  const ends: Record<Direction, { onData: (data: Buffer, address: readonly [string, number]) => void } | undefined> = { c2s: undefined, s2c: undefined }
  const link = (direction: Direction, to: () => { onData: (data: Buffer, address: readonly [string, number]) => void }) => ({
    type: 'memory',
    address: { address: '127.0.0.1', family: 'IPv4', port: 0 },
    closed: false,
    // werift sets it (the socket's receive handler).
      onData: (() => undefined) as (data: Buffer, address: readonly [string, number]) => void,
    send: async (data: Buffer) => {
      const index = sent[direction]++
      if (direction === which.direction && which.lost?.includes(index)) return
      const deliver = () => to().onData(data, ['127.0.0.1', 0])
      if (direction === which.direction && which.delayed?.includes(index)) setTimeout(deliver, which.delayMs)
      else setImmediate(deliver)
    },
    close: async () => undefined,
  })
  const serverLink = link('s2c', () => ends.c2s!)
  const clientLink = link('c2s', () => ends.s2c!)
  ends.s2c = serverLink
  ends.c2s = clientLink
  // AEAD_AES_128_GCM and AES_CM_128_HMAC_SHA1_80, as werift's peer connection offers them.
  const srtpProfiles: ConstructorParameters<typeof DtlsServer>[0]['srtpProfiles'] = [7, 1]
  const server = new DtlsServer({ cert: serverCert.certPem, key: serverCert.keyPem, signatureHash: serverCert.signatureHash, transport: serverLink, srtpProfiles, extendedMasterSecret: true, certificateRequest: true })
  const client = new DtlsClient({ cert: clientCert.certPem, key: clientCert.keyPem, signatureHash: clientCert.signatureHash, transport: clientLink, srtpProfiles, extendedMasterSecret: true })
  const result = { server: { state: 'connecting' }, client: { state: 'connecting' } }
  server.onConnect.once(() => (result.server.state = 'connected'))
  client.onConnect.once(() => (result.client.state = 'connected'))
  server.onError.once((error: unknown) => (result.server.state = `failed (${String(error)})`))
  client.onError.once((error: unknown) => (result.client.state = `failed (${String(error)})`))
  client.connect().catch((error: unknown) => (result.client.state = `failed (${String(error)})`))
  return result
}

function cases(): Case[] {
  const all: Case[] = [{ label: 'nothing lost' }]
  for (const direction of ['c2s', 's2c'] as const) {
    HANDSHAKE_DATAGRAMS[direction].forEach((name, index) => all.push({ label: `${direction} #${index} ${name} lost once`, direction, lost: [index] }))
  }
  all.push({ label: 'c2s flight 5 lost whole (#2–#6)', direction: 'c2s', lost: [2, 3, 4, 5, 6] })
  all.push({ label: 's2c flight 4 lost whole (#1–#5)', direction: 's2c', lost: [1, 2, 3, 4, 5] })
  all.push({ label: 's2c HelloVerifyRequest 700 ms late', direction: 's2c', delayed: [0], delayMs: 700 })
  return all
}

async function main(): Promise<void> {
  const waitArg = process.argv.indexOf('--wait-ms')
  const waitMs = waitArg > 0 ? Number(process.argv[waitArg + 1]) : 8_000
  const [serverCert, clientCert] = await Promise.all([certificate(), certificate()])
  const runs = cases().map((which) => ({ which, result: handshake(which, serverCert, clientCert) }))
  await new Promise((resolve) => setTimeout(resolve, waitMs))
  console.log(`werift DTLS handshake, in memory, state ${waitMs} ms after the client's first flight (werift retransmits a flight after 0.5, 1, 1.5 … s)\n`)
  console.log('| case | server (the hub) | client (the load generator) | split |')
  console.log('|:---|:---|:---|:---|')
  for (const { which, result } of runs) {
    const split = result.server.state === 'connected' && result.client.state !== 'connected' ? '**hub connected, client not**' : result.server.state !== result.client.state ? 'differ' : ''
    console.log(`| ${which.label} | ${result.server.state} | ${result.client.state} | ${split} |`)
  }
  process.exit(0)
}

await main()
