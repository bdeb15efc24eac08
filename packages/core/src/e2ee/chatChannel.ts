// The room's chat channel, end-to-end encrypted in place: the object the core receives from the
// `datachannel` event is the one patched here (its own `send`, `addEventListener`, `removeEventListener`),
// so the core sends and hears plain text while only ciphertext crosses the hub. Encryption is
// asynchronous; one promise chain per direction keeps the order in which the core sent and the
// frames arrived. The crypto is given (e2ee.ts: chatCrypto.ts over the chat key), so tests can hold it.
import type { DataChannelLike } from '../ports.js'
import type { ChatDecryptResult } from './chatCrypto.js'

export interface ChatCipher {
  /** The frame to send for this text; rejects when it cannot be encrypted (no key): nothing is sent then. */
  encrypt(text: string): Promise<string>
  /** `failed` for a frame that does not decrypt (a rejection counts as that too). */
  decrypt(frame: unknown): Promise<ChatDecryptResult>
}

/** What the status counts: a received frame dropped, or one of ours never sent. */
export type ChatDrop = 'undecryptable' | 'unencrypted' | 'unsent'

type MessageListener = (event: { data?: unknown }) => void

const encrypted = new WeakSet<object>()

/** Patches the channel once (a second call for the same channel does nothing). */
export function encryptChatChannel(channel: DataChannelLike, cipher: ChatCipher, dropped: (drop: ChatDrop) => void): void {
  if (encrypted.has(channel)) return
  encrypted.add(channel)
  const send = channel.send.bind(channel)
  const addEventListener = channel.addEventListener.bind(channel)
  const removeEventListener = channel.removeEventListener.bind(channel)
  /** The core's message listeners: they hear the decrypted text only. */
  const listeners = new Set<MessageListener>()
  let sending = Promise.resolve()
  let receiving = Promise.resolve()

  const patched: Pick<DataChannelLike, 'send' | 'addEventListener' | 'removeEventListener'> = {
    send(text) {
      // Not open: the original throws at once, as the core expects (it keeps the message unsent).
      if (channel.readyState !== 'open') return send(text)
      sending = sending.then(async () => {
        let frame: string
        try {
          frame = await cipher.encrypt(text)
        } catch (error) {
          dropped('unsent')
          return console.warn('[parley e2ee] a chat message could not be encrypted and was not sent', { error: String(error) })
        }
        try {
          send(frame)
        } catch (error) {
          // The channel closed while the message was encrypted: the core already counted it sent.
          dropped('unsent')
          console.warn('[parley e2ee] the chat channel closed before an encrypted message could be sent', { error: String(error) })
        }
      })
    },
    addEventListener(type, listener) {
      if (type === 'message') listeners.add(listener)
      else addEventListener(type, listener)
    },
    removeEventListener(type, listener) {
      if (type === 'message') listeners.delete(listener)
      else removeEventListener(type, listener)
    },
  }
  Object.assign(channel, patched)

  addEventListener('message', ({ data }) => {
    // Who listened when it arrived (and still does when it is decrypted) hears it.
    const audience = [...listeners]
    receiving = receiving.then(async () => {
      const result = await cipher.decrypt(data).catch((): ChatDecryptResult => ({ kind: 'failed' }))
      if (result.kind !== 'decrypted') return dropped(result.kind === 'failed' ? 'undecryptable' : 'unencrypted')
      for (const listener of audience) {
        if (!listeners.has(listener)) continue
        try {
          listener({ data: result.text })
        } catch (error) {
          // As a browser's dispatch would: one listener's error stops neither the others nor the next frame.
          console.error('[parley e2ee] a chat message listener threw', error)
        }
      }
    })
  })
}
