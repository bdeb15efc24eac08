// The chat as plain data with pure operations: the messages since we joined, the unread count, the
// per-sender flood window, and the last notice a UI should show (refused, throttled). The chat machine
// keeps one ChatLog in its context; the wire format and its validation are @parley/protocol's chat.ts.
import { type ChatMessage, ChatTextSchema } from '@parley/protocol'
import * as v from 'valibot'
import type { ChatEntryView } from './api.js'

/** More than this many messages from one sender within FLOOD_WINDOW_MS are dropped (and said so). */
export const FLOOD_LIMIT = 10
export const FLOOD_WINDOW_MS = 1000
/** The log keeps the newest messages only. */
export const MAX_CHAT_ENTRIES = 500

/** The log's entries are what the public API shows (api.ts): plain text, with the send status. */
export type ChatEntry = ChatEntryView

export type ChatNotice =
  | { kind: 'refused'; reason: string } // our own message was empty, too long or not text
  | { kind: 'too-fast' } // we sent more than FLOOD_LIMIT a second
  | { kind: 'throttled'; clientId: string; name: string } // someone else did: their extra messages are dropped

export interface ChatLog {
  entries: ChatEntry[]
  /** Messages from others since the UI last said they were read. */
  unread: number
  /** Arrival times within the flood window, by sender. */
  recent: Record<string, number[]>
  notice: ChatNotice | null
  /** Counts notices, so a UI shows each one even when two in a row are alike. */
  noticeCount: number
}

export function emptyChatLog(): ChatLog {
  return { entries: [], unread: 0, recent: {}, notice: null, noticeCount: 0 }
}

/** The text a person typed: the reason it is refused, or undefined when it may be sent. */
export function refusalOf(text: unknown): string | undefined {
  const result = v.safeParse(ChatTextSchema, text)
  return result.success ? undefined : result.issues[0]?.message
}

function withNotice(log: ChatLog, notice: ChatNotice): ChatLog {
  return { ...log, notice, noticeCount: log.noticeCount + 1 }
}

/** Whether one more message from `sender` at `at` stays within the flood limit; and the window after it. */
function floodCheck(log: ChatLog, sender: string, at: number): { allowed: boolean; recent: ChatLog['recent'] } {
  const window = (log.recent[sender] ?? []).filter((time) => at - time < FLOOD_WINDOW_MS)
  if (window.length >= FLOOD_LIMIT) return { allowed: false, recent: { ...log.recent, [sender]: window } }
  return { allowed: true, recent: { ...log.recent, [sender]: [...window, at] } }
}

function append(entries: ChatEntry[], entry: ChatEntry): ChatEntry[] {
  const next = [...entries, entry]
  return next.length > MAX_CHAT_ENTRIES ? next.slice(next.length - MAX_CHAT_ENTRIES) : next
}

/** A valid message from someone else arrived at `at` (our clock). */
export function received(log: ChatLog, message: ChatMessage, at: number): ChatLog {
  const { allowed, recent } = floodCheck(log, message.from, at)
  if (!allowed) {
    const already = log.notice?.kind === 'throttled' && log.notice.clientId === message.from
    const throttled = { ...log, recent }
    return already ? throttled : withNotice(throttled, { kind: 'throttled', clientId: message.from, name: message.name })
  }
  if (log.entries.some((entry) => entry.from === message.from && entry.id === message.id)) return { ...log, recent }
  const entry: ChatEntry = { id: message.id, from: message.from, name: message.name, time: message.time, text: message.text, status: 'received' }
  return { ...log, recent, entries: append(log.entries, entry), unread: log.unread + 1 }
}

/**
 * We wrote `message` at `at`: refused (with a notice) when its text is not sendable or we are sending
 * too fast; otherwise logged as `queued` or `sent`.
 */
export function composed(log: ChatLog, message: ChatMessage, at: number, status: 'queued' | 'sent'): { log: ChatLog; accepted: boolean } {
  const refusal = refusalOf(message.text)
  if (refusal) return { log: withNotice(log, { kind: 'refused', reason: refusal }), accepted: false }
  const { allowed, recent } = floodCheck(log, message.from, at)
  if (!allowed) return { log: withNotice({ ...log, recent }, { kind: 'too-fast' }), accepted: false }
  const entry: ChatEntry = { id: message.id, from: message.from, name: message.name, time: message.time, text: message.text, status }
  return { log: { ...log, recent, entries: append(log.entries, entry) }, accepted: true }
}

/** These of our messages went out. */
export function markSent(log: ChatLog, ids: readonly string[], self: string): ChatLog {
  const sent = new Set(ids)
  return { ...log, entries: log.entries.map((entry) => (entry.from === self && sent.has(entry.id) ? { ...entry, status: 'sent' } : entry)) }
}

/** This one of ours could not go out after all: it waits again. */
export function markQueued(log: ChatLog, id: string, self: string): ChatLog {
  return { ...log, entries: log.entries.map((entry) => (entry.from === self && entry.id === id ? { ...entry, status: 'queued' } : entry)) }
}

export function read(log: ChatLog): ChatLog {
  return log.unread === 0 ? log : { ...log, unread: 0 }
}
