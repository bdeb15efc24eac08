// The encryption of one encoded audio or video frame, and the key it uses (WebCrypto only, nothing else:
// the worker and the tests under Node both run it). The format of an encrypted frame:
//
//   prefix ‖ AES-GCM ciphertext and 16-byte tag ‖ IV (12 B) ‖ key generation (1 B) ‖ magic 0x50 0xE2
//
// The prefix stays in the clear because the SFU and the receiving browser's depacketizer read it (VP8:
// the 10 bytes of a keyframe's frame tag, start code and dimensions, the 3 of a delta frame's tag; audio:
// the Opus TOC byte), and it is the AES-GCM additional data, so it cannot be altered undetected.

const PBKDF2_ITERATIONS = 100_000
const KEY_SALT = 'parley-e2ee-v1'
const CODE_SALT = 'parley-e2ee-code-v1'
const IV_BYTES = 12
const TAG_BYTES = 16
/** The two bytes that end every encrypted frame ('P', 0xE2): a frame without them is not encrypted. */
export const FRAME_MAGIC = [0x50, 0xe2] as const
/** IV, generation and magic: what follows the ciphertext. */
const TRAILER_BYTES = IV_BYTES + 1 + FRAME_MAGIC.length

/**
 * WebCrypto's types as this platform declares them (the DOM's in a browser build, Node's in tests):
 * the core's lib has no DOM, so they are named through `globalThis.crypto`.
 */
export type SubtleCryptoLike = typeof globalThis.crypto.subtle
export type FrameKey = Awaited<ReturnType<SubtleCryptoLike['deriveKey']>>

export type MediaKind = 'audio' | 'video'

/** What decides the clear prefix: the kind of media and, for video, whether it is a keyframe. */
export interface FrameInfo {
  readonly kind: MediaKind
  readonly keyframe: boolean
}

export type DecryptResult = { kind: 'decrypted'; data: ArrayBuffer } | { kind: 'unencrypted' } | { kind: 'failed' }

/** One key, or the keys by generation (the current and the previous one, for frames still in flight). */
export type FrameKeys = FrameKey | ReadonlyMap<number, FrameKey>

const encoder = new TextEncoder()

/** The bytes left in the clear at the start of a frame of this kind (never more than the frame has). */
export function clearPrefixLength(frame: FrameInfo, frameBytes: number): number {
  const wanted = frame.kind === 'audio' ? 1 : frame.keyframe ? 10 : 3
  return Math.min(wanted, frameBytes)
}

/** The passphrase as PBKDF2's base key (every key and code of a call is derived from it with its own salt). */
async function passphraseKey(passphrase: string, subtle: SubtleCryptoLike): Promise<FrameKey> {
  if (passphrase.length === 0) throw new TypeError('an end-to-end encryption passphrase may not be empty')
  return subtle.importKey('raw', encoder.encode(passphrase), 'PBKDF2', false, ['deriveKey', 'deriveBits'])
}

/** An AES-GCM key (128 bits, not extractable) from the passphrase: each use its own salt, so no two share a key. */
export async function deriveAesKey(passphrase: string, salt: string, subtle: SubtleCryptoLike): Promise<FrameKey> {
  const base = await passphraseKey(passphrase, subtle)
  return subtle.deriveKey(
    { name: 'PBKDF2', salt: encoder.encode(salt), iterations: PBKDF2_ITERATIONS, hash: 'SHA-256' },
    base,
    { name: 'AES-GCM', length: 128 },
    false,
    ['encrypt', 'decrypt'],
  )
}

/** The frames' AES-GCM key (128 bits, not extractable) from the invite link's passphrase. */
export function deriveFrameKey(passphrase: string, subtle: SubtleCryptoLike = globalThis.crypto.subtle): Promise<FrameKey> {
  return deriveAesKey(passphrase, KEY_SALT, subtle)
}

/**
 * A code people compare aloud: the same passphrase gives the same code, another one (a different or
 * tampered link) a different code. Its own salt, so the code tells nothing about the frames' key.
 * Five groups of four decimal digits, each a 32-bit word mod 10,000 (a bias of ~2e-6, irrelevant here).
 */
export async function safetyCode(passphrase: string, subtle: SubtleCryptoLike = globalThis.crypto.subtle): Promise<string> {
  const base = await passphraseKey(passphrase, subtle)
  const bits = await subtle.deriveBits({ name: 'PBKDF2', salt: encoder.encode(CODE_SALT), iterations: PBKDF2_ITERATIONS, hash: 'SHA-256' }, base, 5 * 32)
  const words = new DataView(bits)
  return Array.from({ length: 5 }, (_, index) => String(words.getUint32(index * 4) % 10_000).padStart(4, '0')).join(' ')
}

/** The generation byte of an encrypted frame (undefined when the frame has no magic trailer). */
export function frameGeneration(data: ArrayBuffer): number | undefined {
  const bytes = new Uint8Array(data)
  return hasMagic(bytes) ? bytes[bytes.length - 3] : undefined
}

function hasMagic(bytes: Uint8Array): boolean {
  return bytes.length >= TRAILER_BYTES && bytes[bytes.length - 2] === FRAME_MAGIC[0] && bytes[bytes.length - 1] === FRAME_MAGIC[1]
}

/** Encrypts a frame with a fresh random IV; `generation` (0–255) names the key for the receiver. */
export async function encryptFrame(key: FrameKey, data: ArrayBuffer, frame: FrameInfo, generation: number): Promise<ArrayBuffer> {
  if (!Number.isInteger(generation) || generation < 0 || generation > 255) throw new RangeError(`key generation ${generation} is not a byte`)
  const bytes = new Uint8Array(data)
  const prefix = bytes.subarray(0, clearPrefixLength(frame, bytes.length))
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES))
  const sealed = await globalThis.crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: prefix, tagLength: TAG_BYTES * 8 }, key, bytes.subarray(prefix.length))
  const out = new Uint8Array(prefix.length + sealed.byteLength + TRAILER_BYTES)
  out.set(prefix, 0)
  out.set(new Uint8Array(sealed), prefix.length)
  out.set(iv, prefix.length + sealed.byteLength)
  out.set([generation, ...FRAME_MAGIC], out.length - 3)
  return out.buffer
}

/**
 * Decrypts a frame: `unencrypted` when it has no magic trailer, `failed` when it has one and no key of
 * its generation authenticates it (wrong key, altered prefix or ciphertext, truncated).
 */
export async function decryptFrame(keys: FrameKeys, data: ArrayBuffer, frame: FrameInfo): Promise<DecryptResult> {
  const bytes = new Uint8Array(data)
  if (!hasMagic(bytes)) return { kind: 'unencrypted' }
  const generation = bytes[bytes.length - 3] as number
  const key = isKeyMap(keys) ? keys.get(generation) : keys
  const body = bytes.subarray(0, bytes.length - TRAILER_BYTES)
  if (!key || body.length < TAG_BYTES) return { kind: 'failed' }
  // The sender's frame was the body less the tag; its prefix was cut from that length.
  const prefix = body.subarray(0, clearPrefixLength(frame, body.length - TAG_BYTES))
  const iv = bytes.subarray(body.length, body.length + IV_BYTES)
  try {
    const plain = await globalThis.crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: prefix, tagLength: TAG_BYTES * 8 }, key, body.subarray(prefix.length))
    const out = new Uint8Array(prefix.length + plain.byteLength)
    out.set(prefix, 0)
    out.set(new Uint8Array(plain), prefix.length)
    return { kind: 'decrypted', data: out.buffer }
  } catch {
    return { kind: 'failed' }
  }
}

function isKeyMap(keys: FrameKeys): keys is ReadonlyMap<number, FrameKey> {
  return typeof (keys as ReadonlyMap<number, FrameKey>).get === 'function'
}
