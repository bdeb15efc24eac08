// Short sentences for a screen reader's live region: you joined, someone joined or left, reconnected.
// The status banner already announces joining, reconnecting and leaving; these cover the rest.
// Status sentences come from comparing two views; who joined or left comes from what the core emits.
import type { ConferenceStatus, ConferenceView } from '../conference/types'
import { participantName } from './tiles'

export interface AnnouncedState {
  status: ConferenceStatus
  roomName: string | undefined
  /** Participants the hub has announced (client id → name), in the core's order. */
  people: ReadonlyMap<string, string>
}

export function announcedStateOf(view: ConferenceView): AnnouncedState {
  const people = new Map<string, string>()
  for (const participant of view.participants) {
    // A stream that arrived before the hub said whose it is (source 'unknown') is nobody yet:
    // announcing it would say "Guest joined", then "Guest left" when it gets its real owner.
    if (participant.tracks.some((track) => track.source !== 'unknown')) people.set(participant.clientId, participantName(participant))
  }
  return { status: view.status, roomName: view.room?.name || undefined, people }
}

/** Only while you are in the room is anyone's coming and going worth saying. */
export const inRoom = (status: ConferenceStatus | undefined) => status === 'connected' || status === 'reconnecting'

/** "Ada", "Ada and Grace", "Ada, Grace and Linus". */
function listOf(names: readonly string[]): string {
  if (names.length <= 1) return names.join('')
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`
}

function whoIsHere(names: readonly string[]): string {
  if (names.length === 0) return 'Nobody else is here yet.'
  if (names.length > 3) return `${names.slice(0, 2).join(', ')} and ${names.length - 2} others are here.`
  return `${listOf(names)} ${names.length === 1 ? 'is' : 'are'} here.`
}

/** What to announce when the state goes from `previous` to `next`, if anything: you joined, or reconnected. */
export function announcement(previous: AnnouncedState | undefined, next: AnnouncedState): string | undefined {
  if (next.status === 'connected' && previous?.status === 'reconnecting') return 'Reconnected.'
  if (next.status === 'connected' && !inRoom(previous?.status)) {
    const room = next.roomName ? `You joined ${next.roomName}.` : 'You joined the room.'
    return `${room} ${whoIsHere([...next.people.values()])}`
  }
  return undefined
}

/** Names of who joined and who left, in the order the core emitted them. */
export interface PeopleChanges {
  joined: readonly string[]
  left: readonly string[]
}

/** "Linus joined.", "Grace left.", "Linus joined. Grace left.", or nothing when nobody came or went. */
export function peopleAnnouncement({ joined, left }: PeopleChanges): string | undefined {
  const sentences = [
    ...(joined.length > 0 ? [`${listOf(joined)} joined.`] : []),
    ...(left.length > 0 ? [`${listOf(left)} left.`] : []),
  ]
  return sentences.length > 0 ? sentences.join(' ') : undefined
}
