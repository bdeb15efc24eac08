// The encryption of one chat message (a JSON text frame of the room's chat channel, `@parley/protocol`'s
// chat.ts) and its key. The hub only forwards the chat's frames, so an encrypted one must stay a text
// frame: `'pe2ee1:' + base64(IV (12 B) ‖ AES-GCM ciphertext and 16-byte tag)`, the channel's label the
// additional data (a frame cannot be replayed on another channel). WebCrypto only: the main thread runs
// it, the tests under Node too.
import { CHAT_CHANNEL_LABEL } from '@parley/protocol'
import { deriveAesKey, type FrameKey, type SubtleCryptoLike } from './frameCrypto.js'

/** What starts every encrypted chat frame: a frame without it is not ours (someone writing in the clear). */
export const CHAT_FRAME_PREFIX = 'pe2ee1:'
/** Its own salt: the chat's key tells nothing about the frames' key, nor the frames' about the chat's. */
const CHAT_SALT = 'parley-e2ee-chat-v1'
const IV_BYTES = 12
const TAG_BYTES = 16

export type ChatKey = FrameKey
export type ChatDecryptResult = { kind: 'decrypted'; text: string } | { kind: 'unencrypted' } | { kind: 'failed' }

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const additionalData = encoder.encode(CHAT_CHANNEL_LABEL)

/** The chat's AES-GCM key (128 bits, not extractable) from the invite link's passphrase. */
export function deriveChatKey(passphrase: string, subtle: SubtleCryptoLike = globalThis.crypto.subtle): Promise<ChatKey> {
  return deriveAesKey(passphrase, CHAT_SALT, subtle)
}

/** One message's frame, with a fresh random IV. */
export async function encryptChat(key: ChatKey, text: string): Promise<string> {
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES))
  const sealed = await globalThis.crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData, tagLength: TAG_BYTES * 8 }, key, encoder.encode(text))
  const out = new Uint8Array(IV_BYTES + sealed.byteLength)
  out.set(iv, 0)
  out.set(new Uint8Array(sealed), IV_BYTES)
  return CHAT_FRAME_PREFIX + toBase64(out)
}

/**
 * A received frame: `unencrypted` when it is not a text frame with our prefix, `failed` when it has the
 * prefix and does not authenticate with this key (another passphrase, altered, truncated, not base64).
 */
export async function decryptChat(key: ChatKey, frame: unknown): Promise<ChatDecryptResult> {
  if (!isEncryptedChatFrame(frame)) return { kind: 'unencrypted' }
  const bytes = fromBase64(frame.slice(CHAT_FRAME_PREFIX.length))
  if (!bytes || bytes.length < IV_BYTES + TAG_BYTES) return { kind: 'failed' }
  try {
    const plain = await globalThis.crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES), additionalData, tagLength: TAG_BYTES * 8 },
      key,
      bytes.subarray(IV_BYTES),
    )
    return { kind: 'decrypted', text: decoder.decode(plain) }
  } catch {
    return { kind: 'failed' }
  }
}

/** Whether a received frame claims to be ours (a text frame with our prefix); it may still not decrypt. */
export function isEncryptedChatFrame(frame: unknown): frame is string {
  return typeof frame === 'string' && frame.startsWith(CHAT_FRAME_PREFIX)
}

/** Chunked, so a long message's bytes never overflow `fromCharCode`'s arguments. */
function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let start = 0; start < bytes.length; start += 0x8000) binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000))
  return btoa(binary)
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  let binary: string
  try {
    binary = atob(text)
  } catch {
    return undefined
  }
  const bytes = new Uint8Array(binary.length)
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index)
  return bytes
}
