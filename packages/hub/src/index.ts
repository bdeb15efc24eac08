// Public surface of @parley/hub.
export { createApp, DEFAULT_BODY_LIMIT_BYTES, type AppDeps, type HttpOptions, type HubApp } from './http/app.js'
export { createHub, DEFAULT_LIMITS, generateSecureId, Hub, type HubDeps, type HubLimits } from './hub.js'
export { Room } from './room.js'
export { DEFAULT_TIMINGS, type HubTimings } from './timings.js'
export { createClient, Client, type ClientPhase, type StreamPhase } from './client.js'
export { guardMediaPlane } from './media/boundary.js'
export { Negotiator, MID_OFFER_MESSAGE, type NegotiationPhase, type NegotiationTimings } from './negotiation.js'
export { SseChannel, formatSseEvent, type SseSink } from './sse.js'
export { parseConfig, defaultStaticDir, ConfigError, HELP_TEXT, type HubConfig } from './config.js'
export { startHub, type RunningHub, type StartHubOptions } from './server.js'
export { systemClock, type Clock, type TimerHandle } from './clock.js'
export { createJsonLogger, silentLogger, type Logger, type LogLevel, type LogFields } from './log.js'
export { HubError } from './errors.js'
export { fillRoomOptions, DEFAULT_BITRATES, DEFAULT_CODECS, DEFAULT_QUALITY_PRESETS } from './roomOptions.js'
export type {
  IceConfig,
  MediaPeer,
  MediaPeerHandlers,
  MediaPlane,
  PeerConnectionState,
  PublishedTrack,
  SignalingState,
} from './media/types.js'
