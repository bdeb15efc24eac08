// The chat frame's format and key, with Node's WebCrypto.
import { CHAT_CHANNEL_LABEL } from '@parley/protocol'
import { beforeAll, describe, expect, it } from 'vitest'
import { CHAT_FRAME_PREFIX, decryptChat, deriveChatKey, encryptChat, isEncryptedChatFrame, type ChatKey } from './chatCrypto.js'
import { deriveFrameKey } from './frameCrypto.js'

const MESSAGE = JSON.stringify({ type: 'chat', id: 'm1', from: 'alice', name: 'Alice', time: 1, text: 'meet at noon' })

let key: ChatKey
let otherKey: ChatKey
beforeAll(async () => {
  ;[key, otherKey] = await Promise.all([deriveChatKey('the link secret'), deriveChatKey('another secret')])
})

const bytesOf = (frame: string) => Uint8Array.from(atob(frame.slice(CHAT_FRAME_PREFIX.length)), (char) => char.charCodeAt(0))
const frameOf = (bytes: Uint8Array) => CHAT_FRAME_PREFIX + btoa(String.fromCharCode(...bytes))

describe('chat encryption', () => {
  it("round trip: the frame is the prefix and base64 of IV (12 B) ‖ ciphertext ‖ tag (16 B), the text nowhere in it; a fresh IV each time", async () => {
    const frame = await encryptChat(key, MESSAGE)
    expect(frame.startsWith('pe2ee1:')).toBe(true)
    expect(frame).not.toContain('noon')
    expect(bytesOf(frame)).toHaveLength(12 + new TextEncoder().encode(MESSAGE).length + 16)
    expect(await decryptChat(key, frame)).toEqual({ kind: 'decrypted', text: MESSAGE })
    const again = await encryptChat(key, MESSAGE)
    expect(again).not.toBe(frame)
    expect(bytesOf(again).subarray(0, 12)).not.toEqual(bytesOf(frame).subarray(0, 12))
  })

  it('a long message of characters beyond ASCII comes back whole', async () => {
    const text = JSON.stringify({ type: 'chat', text: 'é😀中'.repeat(500) })
    expect(await decryptChat(key, await encryptChat(key, text))).toEqual({ kind: 'decrypted', text })
  })

  it('another passphrase’s key fails; so does an altered, truncated or non-base64 frame', async () => {
    const frame = await encryptChat(key, MESSAGE)
    expect(await decryptChat(otherKey, frame)).toEqual({ kind: 'failed' })
    const altered = bytesOf(frame)
    altered[20]! ^= 1
    expect(await decryptChat(key, frameOf(altered))).toEqual({ kind: 'failed' })
    expect(await decryptChat(key, frameOf(bytesOf(frame).subarray(0, 27)))).toEqual({ kind: 'failed' })
    expect(await decryptChat(key, `${CHAT_FRAME_PREFIX}not base64!`)).toEqual({ kind: 'failed' })
  })

  it('the channel label is the additional data: a frame sealed for another label fails', async () => {
    const seal = async (label: string) => {
      const iv = crypto.getRandomValues(new Uint8Array(12))
      const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(label) }, key, new TextEncoder().encode(MESSAGE))
      return frameOf(new Uint8Array([...iv, ...new Uint8Array(sealed)]))
    }
    expect(await decryptChat(key, await seal(CHAT_CHANNEL_LABEL))).toEqual({ kind: 'decrypted', text: MESSAGE })
    expect(await decryptChat(key, await seal('parley.other'))).toEqual({ kind: 'failed' })
  })

  it('a plain JSON frame, a binary frame or nothing is unencrypted', async () => {
    for (const frame of [MESSAGE, new Uint8Array([1, 2, 3]), undefined, '']) {
      expect(isEncryptedChatFrame(frame)).toBe(false)
      expect(await decryptChat(key, frame)).toEqual({ kind: 'unencrypted' })
    }
  })

  it("the chat's key is not the frames' key of the same passphrase (its own salt), and cannot be extracted", async () => {
    const frameKey = await deriveFrameKey('the link secret')
    expect(await decryptChat(key, await encryptChat(frameKey, MESSAGE))).toEqual({ kind: 'failed' })
    expect(key.extractable).toBe(false)
    expect(key.algorithm).toMatchObject({ name: 'AES-GCM', length: 128 })
    // The same passphrase gives the same chat key.
    expect(await decryptChat(await deriveChatKey('the link secret'), await encryptChat(key, MESSAGE))).toEqual({ kind: 'decrypted', text: MESSAGE })
  })

  it('refuses an empty passphrase', async () => {
    await expect(deriveChatKey('')).rejects.toThrow(TypeError)
  })
})
