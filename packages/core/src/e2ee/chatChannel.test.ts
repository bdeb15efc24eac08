// The in-place wrapper of the chat channel over a cipher the test holds: each encryption and decryption
// finishes when the test says, so the order the wrapper keeps is checked whatever the crypto's timing.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeDataChannel } from '../test-support/fakeDataChannel.js'
import type { ChatDecryptResult } from './chatCrypto.js'
import { encryptChatChannel, type ChatCipher, type ChatDrop } from './chatChannel.js'

interface Held<In, Out> {
  input: In
  resolve(value: Out): void
  reject(error: Error): void
}

/** A cipher whose every call waits for the test: `encrypting[i].resolve(frame)`, `decrypting[i].resolve(result)`. */
class HeldCipher implements ChatCipher {
  readonly encrypting: Held<string, string>[] = []
  readonly decrypting: Held<unknown, ChatDecryptResult>[] = []
  encrypt(text: string): Promise<string> {
    return new Promise((resolve, reject) => this.encrypting.push({ input: text, resolve, reject }))
  }
  decrypt(frame: unknown): Promise<ChatDecryptResult> {
    return new Promise((resolve, reject) => this.decrypting.push({ input: frame, resolve, reject }))
  }
}

/**
 * Finishes every call the wrapper made, always the newest pending one first (the worst order for
 * one that does not keep order), until none is left.
 */
async function finishNewestFirst<In, Out>(calls: Held<In, Out>[], answer: (input: In) => Out): Promise<void> {
  const done = new Set<Held<In, Out>>()
  await settle()
  for (let pending = calls.filter((held) => !done.has(held)); pending.length > 0; pending = calls.filter((held) => !done.has(held))) {
    const newest = pending.at(-1)!
    done.add(newest)
    newest.resolve(answer(newest.input))
    await settle()
  }
}

/** Lets every settled promise's continuations run (the chains are a few `then`s deep). */
const settle = async () => {
  for (let turn = 0; turn < 10; turn++) await Promise.resolve()
}

let warnings: unknown[][]
beforeEach(() => {
  warnings = []
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void warnings.push(args))
})
afterEach(() => vi.restoreAllMocks())

function setup() {
  const channel = new FakeDataChannel('parley.chat')
  const cipher = new HeldCipher()
  const drops: ChatDrop[] = []
  encryptChatChannel(channel, cipher, (drop) => drops.push(drop))
  return { channel, cipher, drops }
}

describe('encryptChatChannel: sending', () => {
  it('an open channel sends the encrypted frame, never the text, in the order send was called however the encryptions finish', async () => {
    const { channel, cipher } = setup()
    channel.open()
    channel.send('one')
    channel.send('two')
    channel.send('three')
    await settle()
    expect(channel.sent).toEqual([])
    await finishNewestFirst(cipher.encrypting, (text) => `sealed ${text}`)
    expect(channel.sent).toEqual(['sealed one', 'sealed two', 'sealed three'])
  })

  it('a channel not open throws at once, as before, and encrypts nothing', async () => {
    const { channel, cipher } = setup()
    expect(() => channel.send('too early')).toThrow(/connecting/)
    channel.open()
    channel.close()
    expect(() => channel.send('too late')).toThrow(/closed/)
    await settle()
    expect(cipher.encrypting).toEqual([])
    expect(channel.sent).toEqual([])
  })

  it('a message that cannot be encrypted is a warning and an unsent drop, never plain text; the next one still goes', async () => {
    const { channel, cipher, drops } = setup()
    channel.open()
    channel.send('secret')
    channel.send('next')
    await settle()
    cipher.encrypting[0]!.reject(new Error('no key'))
    await settle()
    expect(channel.sent).toEqual([])
    expect(drops).toEqual(['unsent'])
    expect(warnings).toHaveLength(1)
    cipher.encrypting[1]!.resolve('sealed next')
    await settle()
    expect(channel.sent).toEqual(['sealed next'])
  })

  it('a channel that closes while a message is encrypted loses it: an unsent drop and a warning', async () => {
    const { channel, cipher, drops } = setup()
    channel.open()
    channel.send('in flight')
    await settle()
    channel.close()
    cipher.encrypting[0]!.resolve('sealed')
    await settle()
    expect(channel.sent).toEqual([])
    expect(drops).toEqual(['unsent'])
    expect(warnings).toHaveLength(1)
  })

  it('a channel is patched once: given twice, a message is encrypted once', async () => {
    const { channel, cipher } = setup()
    encryptChatChannel(channel, cipher, () => undefined)
    channel.open()
    channel.send('once')
    await settle()
    cipher.encrypting[0]!.resolve('sealed once')
    await settle()
    expect(cipher.encrypting).toHaveLength(1)
    expect(channel.sent).toEqual(['sealed once'])
  })
})

describe('encryptChatChannel: receiving', () => {
  it('listeners hear the decrypted text in arrival order however the decryptions finish; dropped frames never reach them', async () => {
    const { channel, cipher, drops } = setup()
    const heard: unknown[] = []
    channel.addEventListener('message', (event) => heard.push(event.data))
    for (const frame of ['f1', 'plain', 'other key', 'f2']) channel.deliver(frame)
    const results: Record<string, ChatDecryptResult> = {
      f1: { kind: 'decrypted', text: 'first' },
      plain: { kind: 'unencrypted' },
      'other key': { kind: 'failed' },
      f2: { kind: 'decrypted', text: 'second' },
    }
    await finishNewestFirst(cipher.decrypting, (frame) => results[frame as string]!)
    expect(cipher.decrypting.map((held) => held.input)).toEqual(['f1', 'plain', 'other key', 'f2'])
    expect(heard).toEqual(['first', 'second'])
    expect(drops).toEqual(['unencrypted', 'undecryptable'])
  })

  it('a decryption that rejects is a drop, and the frames after it still arrive', async () => {
    const { channel, cipher, drops } = setup()
    const heard: unknown[] = []
    channel.addEventListener('message', (event) => heard.push(event.data))
    channel.deliver('broken')
    channel.deliver('fine')
    await settle()
    cipher.decrypting[0]!.reject(new Error('no key'))
    await settle()
    cipher.decrypting[1]!.resolve({ kind: 'decrypted', text: 'fine' })
    await settle()
    expect(heard).toEqual(['fine'])
    expect(drops).toEqual(['undecryptable'])
  })

  it('removeEventListener removes (even while a frame is decrypted); a listener that throws stops neither the others nor the next frame', async () => {
    const { channel, cipher } = setup()
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const kept: unknown[] = []
    const removed: unknown[] = []
    const remove = (event: { data?: unknown }) => removed.push(event.data)
    channel.addEventListener('message', () => {
      throw new Error('a listener bug')
    })
    channel.addEventListener('message', remove)
    channel.addEventListener('message', (event) => kept.push(event.data))
    channel.deliver('f1')
    await settle()
    channel.removeEventListener('message', remove)
    cipher.decrypting[0]!.resolve({ kind: 'decrypted', text: 'one' })
    await settle()
    channel.deliver('f2')
    await settle()
    cipher.decrypting[1]!.resolve({ kind: 'decrypted', text: 'two' })
    await settle()
    expect(removed).toEqual([])
    expect(kept).toEqual(['one', 'two'])
  })

  it('open and close listeners are the channel’s own: added and removed as before', () => {
    const { channel } = setup()
    const events: string[] = []
    const onOpen = () => events.push('open')
    channel.addEventListener('open', onOpen)
    channel.addEventListener('close', () => events.push('close'))
    channel.open()
    channel.removeEventListener('open', onOpen)
    channel.open()
    channel.close()
    expect(events).toEqual(['open', 'close'])
  })
})
