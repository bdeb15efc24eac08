// What `createConference` takes (its options and deadlines) and returns (the handle a UI binds to).
// The data the handle's views carry is api.ts; this file is the calls.
import type { IncomingVideo } from './machines/incomingVideo.js'
import type { ConferenceCapabilities, ConferenceFact, ConferenceView, DeviceKind, JoinParams, StreamRegistry } from './api.js'

/**
 * The join and reconnect deadlines, ms: the conference, negotiation and reconnect machines' named delays.
 * Each one left out keeps its default; shorter ones suit a test or a deployment that wants a quicker
 * "could not connect" or "the server stopped".
 */
export interface ConferenceDelays {
  /** Media must connect within this once in the room, else one fresh session, then failed (default 35,000). */
  connectDeadline?: number
  /** After an ICE restart's answer, the connection's state is looked at again this much later (default 2,000). */
  iceRecheck?: number
  /** A reconnect (the hub restarted or went away) gives up after this, whatever its attempts (default 60,000). */
  reconnectDeadline?: number
}

/** Options of `createConference` (implemented in conference.ts). */
export interface ConferenceOptionsBase {
  /** Overrides of the join deadlines (advanced); the defaults otherwise. */
  delays?: ConferenceDelays
  hub: {
    /** Origin of the hub, e.g. 'http://127.0.0.1:8080' or '' for the page's own origin; the API is at `${baseUrl}/v1`. */
    baseUrl: string
    /** Sent as `Authorization: Bearer` on create room, get room, register and end, as the hosted hub expects. */
    accessToken?: string
  }
}

/**
 * What `createConference` returns. The actor is the conference statechart (inspect it, subscribe to
 * it); the methods only send `user.*` events to it, so a UI never decides anything itself.
 * `Snapshot` is the conference machine's snapshot type.
 */
export interface ConferenceHandle<Snapshot> {
  readonly actor: {
    getSnapshot(): Snapshot
    subscribe(observer: (snapshot: Snapshot) => void): { unsubscribe(): void }
    start(): unknown
    stop(): unknown
    /** The emitted facts (XState's `actor.on`); optional so test doubles may leave it out. */
    on?<Type extends ConferenceFact['type'] | '*'>(
      type: Type,
      handler: (event: ConferenceFact & (Type extends '*' ? unknown : { type: Type })) => void,
    ): { unsubscribe(): void }
  }
  readonly streams: StreamRegistry
  readonly capabilities: ConferenceCapabilities
  /** Pure projection of a snapshot for UIs. */
  selectView(snapshot: Snapshot): ConferenceView
  /** The status a UI shows (`selectView(snapshot).status` without the rest of the view). */
  statusOf(snapshot: Snapshot): ConferenceView['status']
  /**
   * Whether an answer of ours is due and not yet on its way: a hub offer being answered, or, joining, ICE up
   * before our first answer (a UI may hold its render; the
   * conference's own snapshot says when it ends, at most its `settleLimit` later); optional for test doubles.
   */
  answeringOffer?(snapshot: Snapshot): boolean
  /** user.preview: acquire camera/mic for the pre-join screen. */
  preview(media: { audio: boolean; video: boolean }): void
  /** user.join */
  join(params: JoinParams): void
  /** user.leave: valid in every state; releases everything. */
  leave(): void
  /** user.endRoom: end the room for everyone, then leave. Only the host (the room's creator); ignored otherwise. */
  endRoom(): void
  /** user.muteParticipant: ask the hub to mute that participant's microphone (host with a host key only; `host.canModerate`). */
  muteParticipant(clientId: string): void
  /**
   * user.muteEveryone: ask the hub to mute every other participant whose microphone may be on (as the
   * roster says now; host with a host key only). Each may unmute again, as with one mute. Optional for doubles.
   */
  muteEveryone?(): void
  /**
   * user.setRoomLocked: lock the room to newcomers, or unlock it (host with a host key only; `host.roomLocked`
   * says how it is, `host.lockPending` while the hub has not answered). Optional for doubles.
   */
  setRoomLocked?(locked: boolean): void
  /**
   * user.answerKnock: let someone waiting to join the locked room in, or not (`host.waiting`; host with a host
   * key only). They leave the list when the hub says so, to everyone. Optional for doubles.
   */
  answerKnock?(knockId: string, admit: boolean): void
  /**
   * user.grantHost: make another participant a host too (host with a host key only): Parley's hub gives them the
   * key, so they may mute, remove, lock and let people in; End room stays the creator's. Optional for doubles.
   */
  grantHost?(clientId: string): void
  /** user.admitEveryone: let everyone waiting now in (the room stays locked). Optional for doubles. */
  admitEveryone?(): void
  /** user.removeParticipant: remove that participant from the room (host with a host key only). */
  removeParticipant(clientId: string): void
  /** user.sendChat: send a chat message (1–2,000 characters; refused with `chat.notice` otherwise; queued until the channel opens). */
  sendChat(text: string): void
  /** user.readChat: the user saw the chat; `chat.unread` goes to 0. */
  readChat(): void
  /** user.setMicrophone / user.setCamera */
  setMicrophone(enabled: boolean): void
  setCamera(enabled: boolean): void
  /** Opens the browser's screen picker and publishes the screen (in the room only). */
  startScreenShare(): void
  /** Stops our screen share, as the browser's own "Stop sharing" does. */
  stopScreenShare(): void
  /**
   * user.watchRoom: the pre-join shows this room; `view.elsewhere` says when another tab of this
   * browser is in it. Optional so earlier UIs' doubles may leave it out.
   */
  watchRoom?(roomId: string): void
  /** user.retry: from `failed`, try the last join again. */
  retry(): void
  /** user.setHand: raise or lower our hand (in the room). Optional so earlier UIs' doubles may leave it out. */
  setHand?(raised: boolean): void
  /** user.react: one of `REACTIONS` (@parley/protocol); anything else is ignored. */
  react?(emoji: string): void
  /**
   * user.selectDevice: use this camera or microphone. Before a preview it is only remembered (the
   * preview and the join open it); afterwards the track is swapped in place (in the room without a
   * renegotiation). Optional so earlier UIs' doubles may leave it out.
   */
  selectDevice?(kind: DeviceKind, deviceId: string): void
  /**
   * user.reopenDevice: open the chosen camera or microphone again and put the new track in place as a
   * switch does (in the room by replaceTrack). For an app whose `mediaDevices` port changes what it gives
   * (a processed camera: background blur). Nothing is open of that kind: nothing happens. Optional.
   */
  reopenDevice?(kind: DeviceKind): void
  /**
   * How large a remote video is shown, in CSS pixels, by the hub's track id, as the view's participant
   * tracks carry it (not the received MediaStreamTrack's id, which Firefox makes its own) (0×0: off
   * screen, hidden, not drawn). Told to the hub on its `internal` channel, which sends a small tile a
   * narrow simulcast layer and pauses an unseen video (videoSizeMachine.ts); only changes leave, at most
   * one per track each 200 ms. Dropped with a hub that opens no such channel, and for a track the hub
   * does not announce (one it stops announcing is forgotten at once). Optional for test doubles.
   */
  reportVideoSize?(trackId: string, width: number, height: number): void
  /**
   * user.setIncomingVideo: what to receive of others' cameras, for every tile at once (`view.incomingVideo`):
   * `auto` (each as drawn), `low` (their narrowest layer: less data, a softer picture) or `off` (none:
   * audio only; their tiles show avatars). Shared screens keep coming as drawn. Saves data only with a hub
   * that hears sizes (Parley's, the `internal` channel); kept across recoveries. Anything else is ignored.
   * Optional for test doubles.
   */
  setIncomingVideo?(mode: IncomingVideo): void
  /** Registers `navigator.sendBeacon`-style leave for page unload; returns the function to call from `pagehide`. */
  leaveOnUnload(): void
}
