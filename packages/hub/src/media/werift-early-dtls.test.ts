// The client's ClientHello that reaches the hub before werift's DTLS server exists (werift-early-dtls.ts):
// held, and handed to the server once the transport starts.
import { Event } from 'werift'
import { describe, expect, it } from 'vitest'
import { type EarlyDtlsTransport, isDtlsRecord, replayEarlyDtls, startsClientHello } from './werift-early-dtls.js'

/** A transport as werift's: `start()` says `connecting`, then subscribes its DTLS server to the connection's data. */
function fakeTransport() {
  const onData = new Event<[Buffer]>()
  const onStateChange = new Event<[string]>()
  const server: Buffer[] = []
  const transport = {
    state: 'new',
    iceTransport: { connection: { onData } },
    onStateChange,
    setState(next: string) {
      transport.state = next
      onStateChange.execute(next)
    },
    start() {
      transport.setState('connecting')
      onData.subscribe((data) => void (isDtlsRecord(data) && server.push(data)))
    },
  }
  return { transport: transport satisfies EarlyDtlsTransport, onData, server }
}

/** A ClientHello's datagram: record header (sequence number `seq`), handshake header at `offset`, a byte of body. */
const hello = (seq: number, offset = 0) => Buffer.from([22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, seq, 12, 1, 0, 0, 2, 0, 0, 0, 0, offset, 0, 0, 1, 0xaa])
const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

describe('replayEarlyDtls', () => {
  it('hands the newest ClientHello that came before the start, all its fragments in order, to the DTLS server, once', async () => {
    const { transport, onData, server } = fakeTransport()
    replayEarlyDtls(transport)
    onData.execute(hello(1, 0))
    onData.execute(hello(2, 1))
    onData.execute(Buffer.from([0x00, 0x01])) // STUN: not held
    onData.execute(hello(3, 0)) // resent: the newest flight
    onData.execute(hello(4, 1))
    transport.start()
    expect(server).toEqual([])
    await flush()
    expect(server).toEqual([hello(3, 0), hello(4, 1)])
    onData.execute(hello(5))
    await flush()
    expect(server).toEqual([hello(3, 0), hello(4, 1), hello(5)])
  })

  it('holds no fragment without the start of its ClientHello', async () => {
    const { transport, onData, server } = fakeTransport()
    replayEarlyDtls(transport)
    onData.execute(hello(2, 1))
    transport.start()
    await flush()
    expect(server).toEqual([])
  })

  it("tells a ClientHello's first datagram from its later fragments and from other records", () => {
    expect(startsClientHello(hello(1, 0))).toBe(true)
    expect(startsClientHello(hello(1, 1))).toBe(false)
    expect(startsClientHello(Buffer.from([23, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 1, 12, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0xaa]))).toBe(false)
    expect(startsClientHello(Buffer.from([22, 0xfe]))).toBe(false)
  })

  it('replays nothing when nothing came early', async () => {
    const { transport, onData, server } = fakeTransport()
    replayEarlyDtls(transport)
    transport.start()
    onData.execute(hello(1))
    await flush()
    expect(server).toEqual([hello(1)])
  })

  it('reports every DTLS datagram of the handshake with the state it found, and none after it', async () => {
    const { transport, onData } = fakeTransport()
    const seen: [number, string, boolean][] = []
    replayEarlyDtls(transport, { record: (data, state, replayed) => seen.push([data[11]!, state, replayed]) })
    onData.execute(hello(1))
    transport.start()
    await flush()
    onData.execute(hello(2))
    transport.setState('connected')
    onData.execute(hello(3))
    expect(seen).toEqual([
      [1, 'new', false],
      [1, 'connecting', true],
      [2, 'connecting', false],
    ])
  })

  it('drops what it holds when the transport closes before starting, or is disposed', async () => {
    const closed = fakeTransport()
    replayEarlyDtls(closed.transport)
    closed.onData.execute(hello(1))
    closed.transport.setState('closed')
    closed.transport.start()
    await flush()
    expect(closed.server).toEqual([])

    const disposed = fakeTransport()
    const stop = replayEarlyDtls(disposed.transport)
    disposed.onData.execute(hello(1))
    stop()
    disposed.transport.start()
    await flush()
    expect(disposed.server).toEqual([])
  })
})
