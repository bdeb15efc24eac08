// The rooms' credentials this tab was given (lib/roomCredentials.ts): kept as the core emits them, handed
// back to the next join of the same room. Made with the pre-join store, before any join.
import { defineStore } from 'pinia'
import { useStoredRef } from '../composables/browser'
import { useEnvironment } from '../environment'
import { keepCredentials, keptCredentialsSerializer, ROOM_CREDENTIALS_KEY } from '../lib/roomCredentials'
import type { RoomCredentials } from '../conference/types'
import { useSessionStore } from './session'

export const useRoomCredentialsStore = defineStore('roomCredentials', () => {
  const { sessionStorage } = useEnvironment()
  const session = useSessionStore()
  // Storage refused: kept for this page only (a reload then asks to join a locked room again).
  const kept = useStoredRef(ROOM_CREDENTIALS_KEY, {}, sessionStorage, keptCredentialsSerializer)
  session.onRoomCredentials((roomId, credentials) => {
    kept.value = keepCredentials(kept.value, roomId, credentials)
  })

  /** What the tab holds for this room, for its join. */
  function of(roomId: string): RoomCredentials | undefined {
    return kept.value[roomId]
  }

  return { kept, of }
})
