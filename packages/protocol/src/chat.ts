// Parley's chat convention: one room data channel (created with `channel/create`, so the hosted hub
// carries it too) on which every message is one JSON text frame. The hub only forwards frames; each
// receiver validates them with this schema and ignores (and logs) anything else.
import * as v from 'valibot'
import { MAX_ID_LENGTH, MAX_NAME_LENGTH } from './schemas.js'
import { parseJsonFrame } from './fields.js'

/** Label of the room's chat data channel. */
export const CHAT_CHANNEL_LABEL = 'parley.chat'
/** Longest chat text, in characters. */
export const MAX_CHAT_TEXT_LENGTH = 2000

export const ChatTextSchema = v.pipe(
  v.string('must be text'),
  v.check((text) => text.trim().length > 0, 'must not be empty'),
  v.maxLength(MAX_CHAT_TEXT_LENGTH, `must be at most ${MAX_CHAT_TEXT_LENGTH} characters`),
)

export const ChatMessageSchema = v.object({
  type: v.literal('chat'),
  /** Unique per sender (the sender's own counter or a random id). */
  id: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_ID_LENGTH)),
  /** The sender's client id. */
  from: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_ID_LENGTH)),
  /** The sender's display name, as text. */
  name: v.pipe(v.string(), v.maxLength(MAX_NAME_LENGTH)),
  /** When it was sent, milliseconds since the epoch (the sender's clock). */
  time: v.pipe(v.number(), v.check((time) => Number.isFinite(time), 'must be a finite number')),
  text: ChatTextSchema,
})
export type ChatMessage = v.InferOutput<typeof ChatMessageSchema>

/** One received frame: the message, or why it was refused (for a log line). */
export function parseChatFrame(frame: unknown): { ok: true; message: ChatMessage } | { ok: false; error: string } {
  return parseJsonFrame(ChatMessageSchema, 'chat', frame)
}
