// The lobby of a locked room as the call words it (the call's chunk only): the host's notice of who is
// waiting to join, and what is said when someone starts waiting or is answered.
import type { ConferenceView, WaitingPerson } from '../conference/types'

/** The notice a host sees while people wait: one by name (answered right there), several by count. */
export function waitingNotice(waiting: readonly WaitingPerson[]): { text: string; person?: WaitingPerson } | undefined {
  const [first] = waiting
  if (!first) return undefined
  if (waiting.length === 1) return { text: `${first.name || 'Someone'} wants to join.`, person: first }
  return { text: `${waiting.length} people want to join.` }
}

type LobbyState = Pick<ConferenceView['host'], 'waiting' | 'answeredCount' | 'lastAnswered' | 'canModerate'>

/**
 * For a host (who can answer): "Bo is asking to join." for each newcomer to the list, or "You let Bo in." /
 * "Ada declined Cy." for an answer; nothing for anyone else, or when nothing new happened.
 */
export function lobbyAnnouncement(before: LobbyState | undefined, now: LobbyState, clientId: string | undefined): string | undefined {
  if (!now.canModerate || !before) return undefined
  if (now.answeredCount > before.answeredCount && now.lastAnswered) {
    const { name, admitted, by } = now.lastAnswered
    const who = by ? (by.clientId === clientId ? 'You' : by.name || 'The host') : undefined
    const person = name || 'someone'
    if (!who) return admitted ? `${capitalized(person)} joined from the lobby.` : `${capitalized(person)} stopped waiting.`
    return admitted ? `${who} let ${person} in.` : `${who} declined ${person}.`
  }
  const known = new Set(before.waiting.map((person) => person.knockId))
  const arrived = now.waiting.filter((person) => !known.has(person.knockId)).map((person) => person.name || 'Someone')
  if (arrived.length === 0) return undefined
  return `${arrived.join(', ')} ${arrived.length === 1 ? 'is' : 'are'} asking to join.`
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)

/**
 * "Ada made you a host. You can let people in, mute and remove." once per grant (`madeHostCount`); "You're the
 * host now: Ada left. …" when the hub handed the host on because the last host present left.
 */
export function madeHostAnnouncement(before: number | undefined, host: Pick<ConferenceView['host'], 'madeHostBy' | 'madeHostCount' | 'madeHostReason'>): string | undefined {
  if (before === undefined || host.madeHostCount <= before) return undefined
  const why = host.madeHostReason === 'host_left' ? `You're the host now: ${host.madeHostBy?.name || 'the host'} left.` : `${host.madeHostBy?.name || 'A host'} made you a host.`
  return `${why} You can let people in, mute and remove.`
}
