import { createSocket } from 'node:dgram'
import { describe, expect, it } from 'vitest'
import { answerLiteralsAtOnce } from './udp-literal-lookup.js'

type Lookup = (address: string, callback: (error: Error | null, address?: string) => void) => void
function handleLookup(socket: object): Lookup {
  const key = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === 'state symbol')!
  return (socket as Record<symbol, { handle: { lookup: Lookup } }>)[key]!.handle.lookup
}

describe('answerLiteralsAtOnce', () => {
  it("finds Node's dgram internals, and the old lookup answers a literal only on a later tick", () => {
    const socket = createSocket('udp4')
    try {
      const answers: unknown[] = []
      handleLookup(socket)('127.0.0.1', (error, address) => answers.push([error, address]))
      expect(answers).toEqual([])
      expect(answerLiteralsAtOnce(socket)).toBe(true)
    } finally {
      socket.close()
    }
  })

  it('answers IPv4 and IPv6 literals at once, with the same address', () => {
    for (const [type, address] of [['udp4', '127.0.0.1'], ['udp6', '::1']] as const) {
      const socket = createSocket(type)
      try {
        expect(answerLiteralsAtOnce(socket)).toBe(true)
        const answers: unknown[] = []
        handleLookup(socket)(address, (error, answered) => answers.push([error, answered]))
        expect(answers).toEqual([[null, address]])
      } finally {
        socket.close()
      }
    }
  })

  it('leaves a host name to the old lookup, and is idempotent', async () => {
    const socket = createSocket('udp4')
    try {
      expect(answerLiteralsAtOnce(socket)).toBe(true)
      const patched = handleLookup(socket)
      expect(answerLiteralsAtOnce(socket)).toBe(true)
      expect(handleLookup(socket)).toBe(patched)
      const answer = new Promise<unknown[]>((resolve) => patched('localhost', (error, address) => resolve([error, address])))
      let synchronous = true
      void answer.then(() => (synchronous = false))
      expect(synchronous).toBe(true)
      const [error, address] = await answer
      expect(error).toBeNull()
      expect(address).toBe('127.0.0.1')
    } finally {
      socket.close()
    }
  })

  it('answers the literal it answered last at once again, and still leaves a host name after it to the old lookup', async () => {
    const socket = createSocket('udp4')
    try {
      answerLiteralsAtOnce(socket)
      const lookup = handleLookup(socket)
      const answers: unknown[] = []
      for (const address of ['127.0.0.1', '127.0.0.1', '127.0.0.2']) lookup(address, (error, answered) => answers.push([error, answered]))
      expect(answers).toEqual([[null, '127.0.0.1'], [null, '127.0.0.1'], [null, '127.0.0.2']])
      const answer = new Promise<unknown[]>((resolve) => lookup('localhost', (error, address) => resolve([error, address])))
      let synchronous = true
      void answer.then(() => (synchronous = false))
      expect(synchronous).toBe(true)
      expect(await answer).toEqual([null, '127.0.0.1'])
    } finally {
      socket.close()
    }
  })

  it('leaves a socket without those internals as it is, and says so again when asked again', () => {
    const socket = { send: () => undefined }
    expect(answerLiteralsAtOnce(socket)).toBe(false)
    expect(answerLiteralsAtOnce(socket)).toBe(false)
    expect(Object.keys(socket)).toEqual(['send'])
  })
})
