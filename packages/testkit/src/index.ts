export { assertLoopbackOnly, isLoopbackAddress, nonLoopbackInterfaces, type InterfaceTable } from './loopback.js'
export {
  AUTOPLAY_FLAG,
  CHROMIUM_FLAGS,
  chromiumArgs,
  launchChromium,
  newParticipantPage,
  type LaunchChromiumOptions,
  type ParticipantPage,
  type ParticipantPageOptions,
} from './chromium.js'
export {
  recordPeerConnections,
  sampleVideo,
  sampleVideoElement,
  waitForDecodedSamples,
  waitForDecodedVideo,
  type DecodedVideoFigures,
  type FrameCounter,
  type VideoSample,
  type WaitForDecodedVideoOptions,
} from './video.js'
export {
  FIREFOX_MEDIA_PREFS,
  FIREFOX_QUIET_PREFS,
  firefoxPermissionDefaults,
  launchFirefox,
  newFirefoxParticipantPage,
  waitForDecodedVideoInFirefox,
  type FirefoxBrowser,
  type FirefoxPage,
  type FirefoxParticipantPage,
  type LaunchFirefoxOptions,
} from './firefox.js'
export { displayFromFd, startVirtualDisplay, XVFB, type VirtualDisplay } from './xvfb.js'
export { pollUntil, type PollOptions } from './poll.js'
export { startStaticServer, type RunningServer } from './static-server.js'
export {
  createSyntheticMedia,
  isVp8KeyFramePayload,
  OPUS_PAYLOAD_TYPE,
  opusSilencePayload,
  RtpSequence,
  SyntheticMediaStream,
  SyntheticMediaStreamTrack,
  VP8_PAYLOAD_TYPE,
  vp8FramePayload,
  type IntervalTimers,
  type RtpSequenceInit,
  type SyntheticDeviceInfo,
  type SyntheticMedia,
  type SyntheticMediaOptions,
} from './synthetic-media.js'
// The one werift configuration the hub uses too (@parley/werift-config), for Node participants.
// Its DTLS client guard (werift 0.25.2 fails on a repeated HelloVerifyRequest): every Node participant's pc.
export { LOOPBACK_ADDRESS, guardDtlsClients, loopbackWeriftConfig, ParticipantPeerConnection, type LoopbackWeriftOptions } from '@parley/werift-config'
// Fault injection: a TCP proxy that resets or stalls connections, the hub as a process to kill and restart.
export { startTcpProxy, type TcpProxy } from './tcp-proxy.js'
export { dropUdpOnLoopback, tc } from './udp-drop.js'
export { freePort, startHubProcess, type HubProcess, type HubProcessOptions } from './hub-process.js'
export { REDIS_SERVER, redisAnswers, startRedisServer, type RedisServer, type RedisServerOptions } from './redis.js'
export { commandLineOf, descendantsOf, processTree } from './processes.js'
// Delay, jitter, loss and blackouts on loopback (no netem here): a TURN relay that impairs what it relays.
export { startTurnRelay, type RelayDirection, type TurnRelay, type TurnRelayCounters, type TurnRelayOptions } from './turn-relay.js'
export { ImpairedLink, NO_IMPAIRMENT, type Impairment, type LinkCounters } from './impaired-link.js'
// A rate-limited downlink on lo for one browser's ports (htb + u32 filters), and the watch that finds its ports.
export {
  addRateClass,
  checkPort,
  downlinkFilterCommands,
  DOWNLINK_CLASS,
  parseQdiscCounters,
  portFilterCommands,
  prepareDownlink,
  readQdiscCounters,
  removeLoopbackShaping,
  shapeDownlinkPort,
  SLOW_QUEUE_MS,
  slowQueuePackets,
  unshapeDownlink,
  type QdiscCounters,
} from './rate-link.js'
export { peerTransport, watchPeerPorts, type PeerPortWatch, type PeerTransport, type StatsPage } from './peer-ports.js'
