// Host controls as the UI sees them: from the conference context (did we create the room, do we
// hold its key) and the host machine's context (mutes, refusals). The key itself never leaves here.
import type { HostView, Participant } from './api.js'
import type { HostContext } from './machines/hostMachine.js'
import type { ConferenceSnapshotLike } from './view.js'

function hostContextOf(snapshot: ConferenceSnapshotLike): HostContext | undefined {
  const child = snapshot.children?.host?.getSnapshot() as { context?: HostContext; status?: string } | undefined
  return child?.status === 'active' ? child.context : undefined
}

export function hostViewOf(snapshot: ConferenceSnapshotLike, participants: readonly Participant[]): HostView {
  const { context } = snapshot
  const isHost = context.host.created
  const hostContext = hostContextOf(snapshot)
  const otherHost = isHost ? undefined : participants.find((participant) => participant.isHost)
  const host = isHost && context.clientId ? { hostClientId: context.clientId, hostName: context.displayName ?? '' } : otherHost ? { hostClientId: otherHost.clientId, hostName: otherHost.name } : {}
  return {
    isHost,
    canModerate: isHost && context.host.key !== null,
    ...host,
    ...(hostContext?.mutedBy ? { mutedBy: { ...hostContext.mutedBy } } : {}),
    mutedCount: hostContext?.mutedCount ?? 0,
    ...(hostContext?.failure ? { failure: { ...hostContext.failure } } : {}),
  }
}
