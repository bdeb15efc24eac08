// A Node participant for the media-plane e2e specs: a werift RTCPeerConnection on loopback (testkit's
// ParticipantPeerConnection: DTLS client guarded, no default STUN server) that
// publishes synthetic audio+video (sendonly, one MediaStream) and records what it receives: RTP per
// remote track, PLIs that reach its own video sender, data-channel messages.
import {
  PictureLossIndication,
  RtcpPayloadSpecificFeedback,
  type MediaStreamTrack,
  type RTCPeerConnection,
  type RTCDataChannel,
  type RTCRtpTransceiver,
} from 'werift'
import { createSyntheticMedia, loopbackWeriftConfig, ParticipantPeerConnection, type SyntheticMedia } from '@parley/testkit'
import type { IceCandidate } from '@parley/protocol'
import { startsVp8Keyframe } from '../../src/media/vp8.js'

export interface ReceivedTrack {
  readonly transceiver: RTCRtpTransceiver
  readonly track: MediaStreamTrack
  readonly kind: 'audio' | 'video'
  /** The MSID stream id of the track event (`event.streams[0].id`). */
  readonly streamId: string | undefined
  /** The MSID track id the server announced for it. */
  readonly msidTrackId: string | undefined
  packets: number
  firstPacketAt: number | undefined
  /** Video: whether the first packet received began a VP8 keyframe. */
  firstPacketKeyframe: boolean | undefined
  readonly ssrcs: Set<number>
  readonly payloadTypes: Set<number>
}

export interface Participant {
  readonly name: string
  readonly pc: RTCPeerConnection
  readonly streamId: string
  readonly audio: RTCRtpTransceiver
  readonly video: RTCRtpTransceiver
  readonly received: ReceivedTrack[]
  /** PLIs whose media SSRC is this participant's own video sender. */
  readonly plisForOwnVideo: number[]
  readonly channels: Map<string, RTCDataChannel>
  readonly messages: { label: string; data: string }[]
  /** Local candidates, handed to `onCandidate` once set. */
  onCandidate: ((candidate: IceCandidate) => void) | undefined
  /** Sends a PLI for a received track the way Chrome does: sender SSRC = this participant's own video SSRC. */
  sendChromeStylePli(received: ReceivedTrack): Promise<void>
  close(): Promise<void>
}

/** `receiveSlots`: also offer one recvonly audio and one recvonly video m-line, as Parley's core does. */
export async function createParticipant(name: string, options: { dataChannel?: string; receiveSlots?: boolean } = {}): Promise<Participant> {
  const media: SyntheticMedia = createSyntheticMedia({ videoFps: 30 })
  const stream = await media.getUserMedia({ audio: true, video: true })
  const [audioTrack] = stream.getAudioTracks()
  const [videoTrack] = stream.getVideoTracks()
  if (!audioTrack || !videoTrack) throw new Error('synthetic media produced no tracks')
  const pc = new ParticipantPeerConnection(loopbackWeriftConfig())
  const audio = pc.addTransceiver(audioTrack, { direction: 'sendonly', streams: [stream] })
  const video = pc.addTransceiver(videoTrack, { direction: 'sendonly', streams: [stream] })
  if (options.receiveSlots) for (const kind of ['audio', 'video'] as const) pc.addTransceiver(kind, { direction: 'recvonly' })
  const received: ReceivedTrack[] = []
  const plisForOwnVideo: number[] = []
  const channels = new Map<string, RTCDataChannel>()
  const messages: { label: string; data: string }[] = []
  const watchedTransports = new Set<unknown>()

  const watchChannel = (channel: RTCDataChannel) => {
    channels.set(channel.label, channel)
    channel.onMessage.subscribe((data) => {
      messages.push({ label: channel.label, data: typeof data === 'string' ? data : data.toString('utf8') })
    })
  }
  if (options.dataChannel) watchChannel(pc.createDataChannel(options.dataChannel))
  pc.onDataChannel.subscribe(watchChannel)

  const watchRtcp = () => {
    for (const transport of pc.dtlsTransports) {
      if (watchedTransports.has(transport)) continue
      watchedTransports.add(transport)
      transport.onRtcp.subscribe((packet) => {
        if (!(packet instanceof RtcpPayloadSpecificFeedback)) return
        const feedback = packet.feedback as { count: number; mediaSsrc?: number }
        if (feedback.count === PictureLossIndication.count && feedback.mediaSsrc === video.sender.ssrc) {
          plisForOwnVideo.push(performance.now())
        }
      })
    }
  }
  pc.signalingStateChange.subscribe(watchRtcp)

  pc.ontrack = (event) => {
    const entry: ReceivedTrack = {
      transceiver: event.transceiver,
      track: event.track,
      kind: event.track.kind === 'audio' ? 'audio' : 'video',
      streamId: event.streams[0]?.id,
      msidTrackId: event.transceiver.receiver.remoteTrackId,
      packets: 0,
      firstPacketAt: undefined,
      firstPacketKeyframe: undefined,
      ssrcs: new Set(),
      payloadTypes: new Set(),
    }
    received.push(entry)
    event.track.onReceiveRtp.subscribe((packet) => {
      entry.packets += 1
      entry.firstPacketAt ??= performance.now()
      if (entry.kind === 'video') entry.firstPacketKeyframe ??= startsVp8Keyframe(packet.payload)
      entry.ssrcs.add(packet.header.ssrc)
      entry.payloadTypes.add(packet.header.payloadType)
    })
  }

  const participant: Participant = {
    name,
    pc,
    streamId: stream.id,
    audio,
    video,
    received,
    plisForOwnVideo,
    channels,
    messages,
    onCandidate: undefined,
    async sendChromeStylePli(target) {
      const [mediaSsrc] = [...target.ssrcs]
      const transport = target.transceiver.dtlsTransport
      if (mediaSsrc === undefined || !transport) throw new Error('no RTP received yet on that track')
      const pli = new RtcpPayloadSpecificFeedback({
        feedback: new PictureLossIndication({ senderSsrc: video.sender.ssrc, mediaSsrc }),
      })
      await transport.sendRtcp([pli])
    },
    async close() {
      media.stop()
      await pc.close()
    },
  }
  pc.onIceCandidate.subscribe((candidate) => {
    if (!candidate?.candidate) return
    participant.onCandidate?.({
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid ?? null,
      sdpMLineIndex: candidate.sdpMLineIndex ?? null,
      usernameFragment: candidate.usernameFragment ?? null,
    })
  })
  return participant
}

/** The SSRC the SDP announces for the m-line with this MID (`a=ssrc:<n> ...`). */
export function ssrcOfMid(sdp: string, mid: string): number | undefined {
  const sections = sdp.split(/\r?\nm=/)
  const section = sections.find((s) => new RegExp(`\\r?\\na=mid:${mid}(\\r?\\n|$)`).test(s))
  const match = section ? /\na=ssrc:(\d+)/.exec(section) : null
  return match ? Number(match[1]) : undefined
}
