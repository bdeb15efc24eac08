// The room extras as the UI sees them, from the child machines' snapshots. Host controls: from the
// conference context (did we create the room, do we hold its key) and the host machine's context
// (mutes, refusals); the key itself never leaves here. Chat: the chat machine's log.
import type { ChatView, HostView, Participant } from './api.js'
import type { ChatContext } from './machines/chatMachine.js'
import type { HostContext } from './machines/hostMachine.js'
import type { ConferenceSnapshotLike } from './view.js'

function hostContextOf(snapshot: ConferenceSnapshotLike): HostContext | undefined {
  const child = snapshot.children?.host?.getSnapshot() as { context?: HostContext; status?: string } | undefined
  return child?.status === 'active' ? child.context : undefined
}

/** The chat as the UI sees it, from the chat machine's snapshot (empty before the room). */
export function chatViewOf(snapshot: ConferenceSnapshotLike): ChatView {
  const child = snapshot.children?.chat?.getSnapshot() as { context?: ChatContext; status?: string; value?: unknown } | undefined
  if (child?.status !== 'active' || !child.context) return { channel: 'connecting', messages: [], unread: 0, noticeCount: 0 }
  const { log } = child.context
  return {
    channel: child.value === 'open' ? 'open' : 'connecting',
    messages: log.entries.map((entry) => ({ ...entry })),
    unread: log.unread,
    ...(log.notice ? { notice: { ...log.notice } } : {}),
    noticeCount: log.noticeCount,
  }
}

export function hostViewOf(snapshot: ConferenceSnapshotLike, participants: readonly Participant[]): HostView {
  const { context } = snapshot
  const isHost = context.host.created || context.host.key !== null
  const hostContext = hostContextOf(snapshot)
  const otherHost = isHost ? undefined : participants.find((participant) => participant.isHost)
  const host = isHost && context.clientId ? { hostClientId: context.clientId, hostName: context.displayName ?? '' } : otherHost ? { hostClientId: otherHost.clientId, hostName: otherHost.name } : {}
  return {
    isHost,
    canModerate: context.host.key !== null,
    ...(hostContext?.madeHostBy ? { madeHostBy: { ...hostContext.madeHostBy } } : {}),
    madeHostCount: hostContext?.madeHostCount ?? 0,
    ...(hostContext?.madeHostReason ? { madeHostReason: hostContext.madeHostReason } : {}),
    ...host,
    ...(hostContext?.mutedBy ? { mutedBy: { ...hostContext.mutedBy } } : {}),
    mutedCount: hostContext?.mutedCount ?? 0,
    ...(hostContext?.failure ? { failure: { ...hostContext.failure } } : {}),
    roomLocked: !!hostContext?.roomLocked,
    ...(hostContext?.roomLockedBy ? { roomLockedBy: { ...hostContext.roomLockedBy } } : {}),
    lockPending: !!hostContext?.lockRequests,
    waiting: hostContext ? hostContext.waiting.map((person) => ({ ...person })) : [],
    ...(hostContext?.lastAnswered ? { lastAnswered: { ...hostContext.lastAnswered, ...(hostContext.lastAnswered.by ? { by: { ...hostContext.lastAnswered.by } } : {}) } } : {}),
    answeredCount: hostContext?.answeredCount ?? 0,
  }
}
