// Boot and the moves from one session to the next, which touch several concerns at once: start
// (rejoin after a refresh, or preview for the pre-join), "Join again" and "New room".
import { defineStore } from 'pinia'
import { newE2eeKey } from '../lib/e2eeKey'
import { useAnnouncerStore } from './announcer'
import { useDevicesStore } from './devices'
import { useInviteStore } from './invite'
import { usePreJoinStore } from './preJoin'
import { useRejoinStore } from './rejoin'
import { useSessionStore } from './session'

export const useAppStore = defineStore('app', () => {
  const session = useSessionStore()
  const invite = useInviteStore()
  const preJoin = usePreJoinStore()
  const rejoin = useRejoinStore()
  // Created now, so they hear the session from its first step (the devices store hands each new
  // conference the remembered choice before its preview).
  useAnnouncerStore()
  useDevicesStore()

  // The address's key (an encrypted call's link, or a new room made encrypted) goes to every new conference.
  const startSession = () => session.start(invite.e2eeKey !== undefined ? { e2ee: invite.e2eeKey } : {})

  /** Creates the conference, then rejoins the call a refresh interrupted, or previews the devices. */
  function start(options: { preview?: boolean } = {}) {
    startSession()
    if (rejoin.resume()) return
    if (options.preview !== false) preJoin.preview()
  }

  /** After leaving: a fresh conference for the same room, back on the pre-join screen. */
  function joinAgain() {
    const room = invite.room
    if (room) invite.showRoom(room)
    startSession()
    preJoin.preview()
  }

  /** A fresh conference that will create a new room. */
  function newRoom() {
    invite.forgetRoom()
    preJoin.roomName = ''
    startSession()
    preJoin.preview()
  }

  /**
   * The pre-join's "End-to-end encryption" for a new room: a fresh key in the address (the invite link carries
   * it), or none; a conference made for it (a peer connection gets its transforms as it is made).
   */
  function encryptNewRoom(encrypted: boolean) {
    if (invite.invitedRoom || encrypted === (invite.e2eeKey !== undefined)) return
    invite.setE2eeKey(encrypted ? newE2eeKey() : undefined)
    startSession()
    preJoin.preview()
  }

  return { start, joinAgain, newRoom, encryptNewRoom }
})
