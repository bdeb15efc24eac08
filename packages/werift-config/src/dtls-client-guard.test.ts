// A repeated HelloVerifyRequest (the hub answering a resent ClientHello too) over an in-memory link: werift's
// client fails on it, the guarded one completes the handshake with the hub's werift server.
import { CipherContext, DtlsClient, DtlsServer, HashAlgorithm, NamedCurveAlgorithm, SignatureAlgorithm } from 'werift'
import { describe, expect, it } from 'vitest'
import { ignoreRepeatedHelloVerify } from './dtls-client-guard.js'

const certificate = () =>
  CipherContext.createSelfSignedCertificateWithKey({ signature: SignatureAlgorithm.ecdsa_3, hash: HashAlgorithm.sha256_4 }, NamedCurveAlgorithm.secp256r1_23)

/** Server and client joined in memory; the server's first datagram (its HelloVerifyRequest) arrives twice. */
async function handshake(guarded: boolean): Promise<{ server: string; client: string }> {
  const [serverCert, clientCert] = await Promise.all([certificate(), certificate()])
  const link = (peer: () => { onData: (data: Buffer, address: readonly [string, number]) => void }, repeatFirst: boolean) => {
    let sent = 0
    return {
      type: 'memory',
      address: { address: '127.0.0.1', family: 'IPv4', port: 0 },
      closed: false,
      // werift sets it (the socket's receive handler).
      onData: (() => undefined) as (data: Buffer, address: readonly [string, number]) => void,
      send: async (data: Buffer) => {
        const copies = repeatFirst && sent++ === 0 ? 2 : 1
        for (let i = 0; i < copies; i++) setImmediate(() => peer().onData(data, ['127.0.0.1', 0]))
      },
      close: async () => undefined,
    }
  }
  const toClient = link(() => fromClient, true)
  const fromClient = link(() => toClient, false)
  const srtpProfiles: ConstructorParameters<typeof DtlsServer>[0]['srtpProfiles'] = [7, 1]
  const server = new DtlsServer({ cert: serverCert.certPem, key: serverCert.keyPem, signatureHash: serverCert.signatureHash, transport: toClient, srtpProfiles, extendedMasterSecret: true, certificateRequest: true })
  const client = new DtlsClient({ cert: clientCert.certPem, key: clientCert.keyPem, signatureHash: clientCert.signatureHash, transport: fromClient, srtpProfiles, extendedMasterSecret: true })
  if (guarded) ignoreRepeatedHelloVerify(client)
  const end = (socket: DtlsServer | DtlsClient) =>
    new Promise<string>((resolve) => {
      socket.onConnect.once(() => resolve('connected'))
      socket.onError.once(() => resolve('failed'))
    })
  const ends = Promise.all([end(server), end(client)])
  void client.connect().catch(() => undefined)
  const [serverState, clientState] = await ends
  return { server: serverState, client: clientState }
}

describe('ignoreRepeatedHelloVerify', () => {
  it("werift's own client fails on the repeat while the server completes (what the guard is for)", async () => {
    expect(await handshake(false)).toEqual({ server: 'connected', client: 'failed' })
  })

  it('lets the guarded client complete the handshake', async () => {
    expect(await handshake(true)).toEqual({ server: 'connected', client: 'connected' })
  })
})
