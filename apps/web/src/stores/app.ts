// Boot and the moves from one session to the next, which touch several concerns at once: start
// (rejoin after a refresh, or preview for the pre-join), "Join again" and "New room".
import { defineStore } from 'pinia'
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

  /** Creates the conference, then rejoins the call a refresh interrupted, or previews the devices. */
  function start(options: { preview?: boolean } = {}) {
    session.start()
    if (rejoin.resume()) return
    if (options.preview !== false) preJoin.preview()
  }

  /** After leaving: a fresh conference for the same room, back on the pre-join screen. */
  function joinAgain() {
    const room = invite.room
    if (room) invite.showRoom(room)
    session.start()
    preJoin.preview()
  }

  /** A fresh conference that will create a new room. */
  function newRoom() {
    invite.forgetRoom()
    preJoin.roomName = ''
    session.start()
    preJoin.preview()
  }

  return { start, joinAgain, newRoom }
})
