// Media conventions every Parley peer agrees on (hub, core's Node adapter, test peers).

/**
 * Chrome's payload types for VP8 and opus. The hub pins them so that werift does not number its own
 * offers OPUS=96/VP8=97 against Chrome's VP8=96 inside one BUNDLE.
 */
export const VP8_PAYLOAD_TYPE = 96
export const OPUS_PAYLOAD_TYPE = 111

/**
 * The codecs Parley's hub forwards (its werift configuration, held to this list by werift-config's test):
 * all a receive slot of the core offers (core slotCodecs.ts). MIME types, compared case-insensitively.
 */
export const FORWARDED_CODECS: readonly string[] = ['audio/opus', 'video/vp8']
