// The two rules at the media-plane interface, written once for every implementation:
// - a plane calls the room's handlers later, never inside the call that caused them (`deferHandlers`,
//   used by the implementations, the fake included);
// - no exception crosses the interface in either direction (`guardMediaPlane`, which the hub wraps
//   around whatever plane it is given): a throwing plane method or room handler is logged, and the
//   caller goes on. Rejections of the async methods are answers, not bugs, and pass unchanged.
import type { Logger } from '../log.js'
import type { MediaPeer, MediaPeerHandlers, MediaPlane } from './types.js'

/** `handlers`, each call moved to a later microtask and dropped when `closed()` is true by then. */
export function deferHandlers(handlers: MediaPeerHandlers, closed: () => boolean): MediaPeerHandlers {
  const later =
    <A extends unknown[]>(call: (...args: A) => void) =>
    (...args: A) =>
      queueMicrotask(() => {
        if (!closed()) call(...args)
      })
  return {
    onIceCandidate: later((candidate) => handlers.onIceCandidate(candidate)),
    onTrackPublished: later((track) => handlers.onTrackPublished(track)),
    onTrackUnpublished: later((track) => handlers.onTrackUnpublished(track)),
    onConnectionStateChange: later((state) => handlers.onConnectionStateChange(state)),
    onNegotiationNeeded: later((change) => handlers.onNegotiationNeeded(change)),
    onDataChannelMessage: later((label, data) => handlers.onDataChannelMessage(label, data)),
    onVideoPaused: later((track, paused) => handlers.onVideoPaused(track, paused)),
    ...(handlers.onVoiceActivity ? { onVoiceActivity: later((track, activity) => handlers.onVoiceActivity?.(track, activity)) } : {}),
  }
}

/** `plane` with every peer and every handler behind the exception guard. */
export function guardMediaPlane(plane: MediaPlane, log: Logger): MediaPlane {
  return {
    createPeer(init) {
      const where = { roomId: init.roomId, clientId: init.clientId }
      const contain = (what: string, run: () => void) => {
        try {
          run()
        } catch (error) {
          log('error', what, { ...where, error })
        }
      }
      const { handlers } = init
      const peer = plane.createPeer({
        ...init,
        handlers: {
          onIceCandidate: (candidate) => contain('handler onIceCandidate threw', () => handlers.onIceCandidate(candidate)),
          onTrackPublished: (track) => contain('handler onTrackPublished threw', () => handlers.onTrackPublished(track)),
          onTrackUnpublished: (track) => contain('handler onTrackUnpublished threw', () => handlers.onTrackUnpublished(track)),
          onConnectionStateChange: (state) => contain('handler onConnectionStateChange threw', () => handlers.onConnectionStateChange(state)),
          onNegotiationNeeded: (change) => contain('handler onNegotiationNeeded threw', () => handlers.onNegotiationNeeded(change)),
          onDataChannelMessage: (label, data) => contain('handler onDataChannelMessage threw', () => handlers.onDataChannelMessage(label, data)),
          onVideoPaused: (track, paused) => contain('handler onVideoPaused threw', () => handlers.onVideoPaused(track, paused)),
          ...(handlers.onVoiceActivity ? { onVoiceActivity: (track, activity) => contain('handler onVoiceActivity threw', () => handlers.onVoiceActivity?.(track, activity)) } : {}),
        },
      })
      return guardPeer(peer, contain)
    },
    close: async () => plane.close(),
    packetsForwarded: () => {
      try {
        return plane.packetsForwarded?.() ?? 0
      } catch (error) {
        log('error', 'packetsForwarded threw', { error })
        return 0
      }
    },
  }
}

function guardPeer(peer: MediaPeer, contain: (what: string, run: () => void) => void): MediaPeer {
  return {
    get clientId() {
      return peer.clientId
    },
    get connectionState() {
      return peer.connectionState
    },
    get signalingState() {
      return peer.signalingState
    },
    get lastReceivedAt() {
      return peer.lastReceivedAt
    },
    get receivesInAnswer() {
      return peer.receivesInAnswer
    },
    // async: a synchronous throw becomes a rejection, which the caller handles as any refusal.
    handleOffer: async (offer) => peer.handleOffer(offer),
    createOffer: async () => peer.createOffer(),
    handleAnswer: async (answer) => peer.handleAnswer(answer),
    addIceCandidate: async (candidate) => peer.addIceCandidate(candidate),
    subscribe: (track) => contain('subscribing failed', () => peer.subscribe(track)),
    unsubscribe: (track) => contain('unsubscribing failed', () => peer.unsubscribe(track)),
    openDataChannel: (label, ordered, withNextOffer) => contain('opening a data channel failed', () => peer.openDataChannel(label, ordered, withNextOffer)),
    viewerSize: (trackId, width, height) => contain('a viewer size failed', () => peer.viewerSize(trackId, width, height)),
    publisherLayers: (trackId, active) => contain('publisher layers failed', () => peer.publisherLayers(trackId, active)),
    sendDataChannelMessage: (label, data) => contain('sending a data-channel message failed', () => peer.sendDataChannelMessage(label, data)),
    close: async () => peer.close(),
  }
}
