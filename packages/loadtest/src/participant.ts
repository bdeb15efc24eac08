// One load participant: the public core (`createConference` over `nodePorts`) joins the room over the
// hub's HTTP + SSE API exactly as an app would, publishes the synthetic camera and subscribes to
// everything the hub announces. The peer connection is werift's, on loopback (testkit's
// ParticipantPeerConnection: DTLS client guarded, no default STUN server), with the counting
// receive tap (receive-tap.ts) so that subscribing costs the generator almost nothing, and its camera
// sends through the hub's fast send (werift-fast-send.ts: werift's sender state kept, so RTCP, SRs and
// NACK resends still work through werift) rather than werift's MediaStreamTrack → RTCRtpSender path.
import { EventSource } from 'eventsource'
import type { MediaStreamTrack, RTCPeerConnection, RTCRtpSender, RtpPacket } from 'werift'
import { createConference, type Conference, type ConferenceOptions, type ConferenceView } from '@parley/core'
import { nodePorts } from '@parley/core/node'
import { FastRtpSend } from '@parley/hub/werift'
import { loopbackWeriftConfig, ParticipantPeerConnection } from '@parley/testkit'
import { createSyntheticCamera, type SyntheticCamera, type VideoShape } from './media-source.js'
import { ReceiveCounter, tapPeerConnection } from './receive-tap.js'

export interface LoadParticipant {
  readonly name: string
  readonly camera: SyntheticCamera
  readonly received: ReceiveCounter
  readonly conference: Conference
  view(): ConferenceView
  /** Packets this participant's senders resent on the hub's NACKs (werift keeps a history; no RTX). */
  retransmittedPackets(): Promise<number>
  /** Transports whose RTP bypassed the tap (must stay 0, or the counts are short). */
  untappedTransports(): number
  /**
   * werift's DTLS transport states of its peer connections (the core's `connected` follows ICE only: a
   * handshake stuck in `connecting` leaves it publishing and receiving nothing while the view says connected).
   */
  dtlsStates(): string[]
  /** Resolves once the core reports `connected` (and returns the view); rejects on `failed` or after `timeoutMs`. */
  connected(timeoutMs: number): Promise<ConferenceView>
  /** user.leave (valid in every state), then the synthetic camera stops. */
  leave(): void
  /** Stops the conference actor (after leave had time to reach the hub). */
  stop(): void
  /** The client key its last register brought (Parley's hub): a test acting as this client sends it, as its core does. */
  clientKey(): string | undefined
}

export interface LoadParticipantOptions {
  name: string
  hubUrl: string
  video: VideoShape
  /** The conference actor's inspection events (the fault runs count the hub events it processes). */
  inspect?: ConferenceOptions['inspect']
  /** ICE servers and policy for its peer connections (a fault run routes one through an impairing TURN relay). */
  peerConnectionConfig?: ConferenceOptions['peerConnectionConfig']
}

export function createLoadParticipant(options: LoadParticipantOptions): LoadParticipant {
  const camera = createSyntheticCamera(options.video)
  const received = new ReceiveCounter()
  const taps: { untapped(): number }[] = []
  const peers: RTCPeerConnection[] = []
  let clientKey: string | undefined
  const conference = createConference({
    hub: { baseUrl: options.hubUrl },
    ports: nodePorts({
      // Node's fetch, reading the client key out of register's answer (a copy: the core reads the body).
      fetch: async (url, init) => {
        const response = await fetch(url, init as RequestInit)
        if (new URL(url).pathname.endsWith('/register') && response.ok) {
          const body = (await response.clone().json()) as { data?: { parley_client_key?: string } }
          clientKey = body.data?.parley_client_key ?? clientKey
        }
        return response
      },
      peerConnection: (config) => {
        // The loopback configuration names no ICE servers; a relay the run asks for is put back on top.
        const pc = new ParticipantPeerConnection({ ...config, ...loopbackWeriftConfig(), ...options.peerConnectionConfig } as ConstructorParameters<typeof RTCPeerConnection>[0])
        taps.push(tapPeerConnection(pc, received))
        peers.push(pc)
        return pc
      },
      EventSource,
      media: camera,
    }),
    ...(options.inspect ? { inspect: options.inspect } : {}),
    ...(options.peerConnectionConfig ? { peerConnectionConfig: options.peerConnectionConfig } : {}),
  })
  if (process.env.PARLEY_LOAD_FAST_PUBLISH !== '0') camera.fastSend = fastSendThrough(peers)
  conference.actor.start()
  const view = () => conference.selectView(conference.actor.getSnapshot())

  return {
    name: options.name,
    camera,
    received,
    conference,
    view,
    async retransmittedPackets() {
      let resent = 0
      for (const pc of peers) {
        for (const transceiver of pc.getTransceivers()) {
          if (!transceiver.sender.track) continue
          for (const stats of (await transceiver.sender.getStats()).values()) {
            if (stats.type === 'outbound-rtp') resent += Number((stats as { retransmittedPacketsSent?: number }).retransmittedPacketsSent ?? 0)
          }
        }
      }
      return resent
    },
    untappedTransports: () => taps.reduce((sum, tap) => sum + tap.untapped(), 0),
    clientKey: () => clientKey,
    dtlsStates: () => peers.filter((pc) => pc.connectionState !== 'closed').flatMap((pc) => pc.dtlsTransports.map((transport) => transport.state)),
    connected: (timeoutMs) =>
      new Promise((resolve, reject) => {
        const settle = (error: Error | undefined) => {
          clearTimeout(timer)
          subscription.unsubscribe()
          if (error) reject(error)
          else resolve(view())
        }
        const check = () => {
          const current = view()
          if (current.status === 'connected' && current.room) settle(undefined)
          else if (current.status === 'failed') settle(new Error(`${options.name}: join failed: ${JSON.stringify(current.error ?? current)}`))
        }
        const timer = setTimeout(() => settle(new Error(`${options.name}: not connected after ${timeoutMs} ms (status ${view().status})`)), timeoutMs)
        const subscription = conference.actor.subscribe(check)
        check()
      }),
    leave() {
      conference.leave()
      camera.stop()
    },
    stop() {
      conference.actor.stop()
    },
  }
}

/** The camera's fast send: each track's sender is found once among the peers' transceivers (until it has one, werift's path sends). */
function fastSendThrough(peers: readonly RTCPeerConnection[]): (track: MediaStreamTrack, packet: RtpPacket) => boolean {
  const fast = new FastRtpSend()
  const senders = new WeakMap<MediaStreamTrack, RTCRtpSender>()
  return (track, packet) => {
    let sender = senders.get(track)
    if (!sender || sender.track !== track) {
      sender = peers.flatMap((pc) => pc.getTransceivers()).find((transceiver) => transceiver.sender.track === track)?.sender
      if (!sender) return false
      senders.set(track, sender)
    }
    return fast.send(sender, packet)
  }
}
