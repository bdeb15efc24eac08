// Simulcast forwarding on the werift plane (werift-simulcast.ts through the Forwarder): layers ranked by
// their keyframes' width, one layer per subscriber on one SSRC, the switch on the target's keyframe with
// sequence numbers, RTP timestamps and VP8 PictureIDs continuous, and the subscriber's NACKs and PLIs
// mapped to the layer it gets. The subscriber's sender is a werift RTCRtpSender on a real SRTP session.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { GenericNack, PictureLossIndication, ProtectionProfileAeadAes128Gcm, RtcpPayloadSpecificFeedback, RtcpTransportLayerFeedback, RtpHeader, RtpPacket, type RTCRtpTransceiver } from 'werift'
import { systemClock } from '../clock.js'
import { Forwarder } from './werift-forwarder.js'
import { STEP_DOWN_MS } from './layer-choice.js'
import { IDLE_MIN_MS, LAYER_IDLE_MS, SimulcastLayers } from './werift-simulcast.js'
import { readVp8Fields } from './vp8-rewrite.js'
import { fakePublisherTransceiver } from '../test-support/fakePublisherTransceiver.js'
import { connectedSender } from '../test-support/weriftSender.js'
import { vp8Payload } from '../test-support/vp8Packets.js'
import type { PublishedTrack } from './types.js'

/** Layer SSRCs; the rid named `high` is the narrowest, to show names do not rank. */
const LAYERS = { high: { ssrc: 0x100, width: 240 }, mid: { ssrc: 0x200, width: 480 }, low: { ssrc: 0x300, width: 960 } } as const
type Rid = keyof typeof LAYERS

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('SimulcastLayers', () => {
  it('ranks the sending layers by keyframe width, leaves out idle ones, and clamps a level to the widest', () => {
    const layers = new SimulcastLayers(['a', 'b', 'c'], systemClock, () => true)
    const [a, b, c] = layers.layers as [ReturnType<typeof layers.byRid> & object, ReturnType<typeof layers.byRid> & object, ReturnType<typeof layers.byRid> & object]
    const now = Date.now()
    layers.onPacket(a, 1, vp8Payload({ pictureId: 1, tl0: 1, keyframeWidth: 640 }), now, true)
    layers.onPacket(b, 2, vp8Payload({ pictureId: 1, tl0: 1, keyframeWidth: 160 }), now, true)
    // c has sent, but no keyframe yet: not ranked.
    layers.onPacket(c, 3, vp8Payload({ pictureId: 1, tl0: 1 }), now, false)
    expect(layers.active(now).map((layer) => layer.rid)).toEqual(['b', 'a'])
    expect(layers.layerAt(1, now)?.rid).toBe('b')
    expect(layers.layerAt(3, now)?.rid).toBe('a')
    expect(layers.layerAt(0, now)).toBeUndefined()
    expect(layers.active(now + LAYER_IDLE_MS + 1)).toEqual([])
    layers.end()
  })

  it('leaves out a stopped layer after IDLE_FRAMES of its frames while the other layers go on, not after an event-loop stall', () => {
    const layers = new SimulcastLayers(['high', 'mid'], systemClock, () => true)
    const [high, mid] = layers.layers as [ReturnType<typeof layers.byRid> & object, ReturnType<typeof layers.byRid> & object]
    const start = Date.now()
    // Both at 20 fps, 2 packets a frame, for 2 s: frame rates measured.
    const frame = (at: number, which: 'both' | 'mid') => {
      for (const [layer, ssrc, width] of which === 'both' ? ([[mid, 2, 320], [high, 1, 640]] as const) : ([[mid, 2, 320]] as const)) {
        for (let packet = 0; packet < 2; packet++) layers.onPacket(layer, ssrc, vp8Payload({ pictureId: 1, tl0: 1, keyframeWidth: width }), at, true, at * 90)
      }
    }
    let at = start
    for (; at < start + 2000; at += 50) frame(at, 'both')
    expect(high.framesPerSecond).toBeCloseTo(20, 0)
    // A stall: nothing for 600 ms, then mid's first packet: high is not taken for stopped.
    at += 600
    frame(at, 'both')
    expect(layers.active(at).map((layer) => layer.rid)).toEqual(['mid', 'high'])
    // high stops; mid goes on: out once silent IDLE_MIN_MS (4 frames of 50 ms is less) and 20 of mid's
    // packets (2 a frame: 10 frames, 500 ms) arrived since, long before LAYER_IDLE_MS.
    const stoppedAt = at
    for (at += 50; at <= stoppedAt + IDLE_MIN_MS; at += 50) frame(at, 'mid')
    expect(layers.active(stoppedAt + IDLE_MIN_MS).map((layer) => layer.rid)).toEqual(['mid', 'high'])
    frame(at, 'mid')
    frame((at += 50), 'mid')
    expect(layers.active(at).map((layer) => layer.rid)).toEqual(['mid'])
    expect(at - stoppedAt).toBe(500)
    expect(at - stoppedAt).toBeLessThan(LAYER_IDLE_MS)
    layers.end()
  })

  it('leaves out a layer starved to under half the frame rate of the one below, and takes it back at three quarters', () => {
    const layers = new SimulcastLayers(['high', 'mid'], systemClock, () => true)
    const [high, mid] = layers.layers as [ReturnType<typeof layers.byRid> & object, ReturnType<typeof layers.byRid> & object]
    const start = Date.now()
    // One second of frames per layer: mid at `midFps`, high at `highFps` (a frame = a new RTP timestamp).
    const second = (from: number, highFps: number, midFps: number) => {
      for (const [layer, ssrc, fps, width] of [[mid, 2, midFps, 320], [high, 1, highFps, 640]] as const) {
        for (let frame = 0; frame < fps; frame++) {
          const at = from + Math.floor((frame * 1000) / fps)
          layers.onPacket(layer, ssrc, vp8Payload({ pictureId: frame, tl0: 1, keyframeWidth: width }), at, true, at * 90)
        }
      }
    }
    second(start, 30, 30)
    second(start + 1000, 30, 30)
    expect(layers.active(start + 2000).map((layer) => layer.rid)).toEqual(['mid', 'high'])
    // The publisher's estimate drops: Chromium keeps mid at 30 fps and high at 4 (faults-impaired.spec).
    second(start + 2000, 4, 30)
    second(start + 3000, 4, 30)
    expect(high.starved).toBe(true)
    expect(layers.active(start + 4000).map((layer) => layer.rid)).toEqual(['mid'])
    expect(layers.layerAt(2, start + 4000)?.rid).toBe('mid')
    // 20 of 30 is over half but under three quarters: still left out; 25 of 30 takes it back.
    second(start + 4000, 20, 30)
    second(start + 5000, 20, 30)
    expect(layers.active(start + 6000).map((layer) => layer.rid)).toEqual(['mid'])
    second(start + 6000, 25, 30)
    second(start + 7000, 25, 30)
    expect(layers.active(start + 8000).map((layer) => layer.rid)).toEqual(['mid', 'high'])
    layers.end()
  })
})

describe('Forwarder with a simulcast source', () => {
  function setUp() {
    const forwarder = new Forwarder({ clock: systemClock, log: () => undefined })
    const rtcp: unknown[][] = []
    const dtlsTransport = { state: 'connected', sendRtcp: async (packets: unknown[]) => void rtcp.push(packets) }
    const publisher = fakePublisherTransceiver({ dtlsTransport, rids: ['high', 'mid', 'low'] })
    const published: PublishedTrack = { trackId: 'v', streamId: 's', kind: 'video', clientId: 'a' }
    const source = forwarder.addSource({}, published, '0', publisher.transceiver)!
    const subscriber = connectedSender(ProtectionProfileAeadAes128Gcm, 12)
    const subscription = forwarder.attach({ clientId: 'b', sourceEnded: () => undefined, videoPaused: () => undefined }, source)
    subscription.transceiver = { sender: subscriber.sender, stopping: false, stopped: false } as unknown as RTCRtpTransceiver
    const next: Record<Rid, { seq: number; timestamp: number; pictureId: number }> = {
      high: { seq: 100, timestamp: 10_000, pictureId: 7000 },
      mid: { seq: 30_000, timestamp: 2_000_000, pictureId: 300 },
      low: { seq: 65_000, timestamp: 4_000_000_000, pictureId: 20_000 },
    }
    /** One frame (one packet) of `rid`, 33 ms after the previous frame of all layers. */
    const frame = (rid: Rid, keyframe = false) => {
      const state = next[rid]
      const header = new RtpHeader({ payloadType: 96, ssrc: LAYERS[rid].ssrc, sequenceNumber: state.seq, timestamp: state.timestamp, marker: true })
      const payload = vp8Payload({ pictureId: state.pictureId, tl0: state.pictureId & 0xff, keyframeWidth: keyframe ? LAYERS[rid].width : undefined })
      publisher.deliverRid(rid, new RtpPacket(header, payload))
      state.seq = (state.seq + 1) & 0xffff
      state.timestamp = (state.timestamp + 2970) >>> 0
      state.pictureId = (state.pictureId + 1) & 0x7fff
    }
    /** One frame (one packet) of `rid` lost on its way to the hub: numbered and timed, not delivered; returned for a late resend. */
    const lose = (rid: Rid) => {
      const state = next[rid]
      const header = new RtpHeader({ payloadType: 96, ssrc: LAYERS[rid].ssrc, sequenceNumber: state.seq, timestamp: state.timestamp, marker: true })
      const lost = new RtpPacket(header, vp8Payload({ pictureId: state.pictureId, tl0: state.pictureId & 0xff }))
      state.seq = (state.seq + 1) & 0xffff
      state.timestamp = (state.timestamp + 2970) >>> 0
      state.pictureId = (state.pictureId + 1) & 0x7fff
      return { resend: () => publisher.deliverRid(rid, lost), seq: header.sequenceNumber }
    }
    /** A padding-only packet of `rid` (a publisher's probe), numbered in its sequence. */
    const padding = (rid: Rid) => {
      const state = next[rid]
      const header = new RtpHeader({ payloadType: 96, ssrc: LAYERS[rid].ssrc, sequenceNumber: state.seq, timestamp: state.timestamp, padding: true, paddingSize: 200 })
      publisher.deliverRid(rid, new RtpPacket(header, Buffer.alloc(0)))
      state.seq = (state.seq + 1) & 0xffff
    }
    const all = (keyframe = false) => {
      for (const rid of Object.keys(LAYERS) as Rid[]) frame(rid, keyframe)
      vi.advanceTimersByTime(33)
    }
    /** What the subscriber received (the fast send's datagrams and werift's own sends), in sequence order. */
    const received = () =>
      [
        ...subscriber.datagrams.map((datagram) => RtpPacket.deSerialize(subscriber.receiver.decrypt(datagram.data))).map((packet) => ({ seq: packet.header.sequenceNumber, timestamp: packet.header.timestamp, payload: packet.payload })),
        ...subscriber.weriftSent.map((sent) => ({ seq: sent.sequenceNumber, timestamp: sent.timestamp, payload: sent.payload })),
      ].sort((a, b) => a.seq - b.seq)
    /** Each packet is one frame here: numbers, times and pictures all one step apart. */
    const continuous = () => {
      const out = received()
      for (let i = 1; i < out.length; i++) {
        expect(out[i]!.seq).toBe(out[i - 1]!.seq + 1)
        expect(out[i]!.timestamp).toBeGreaterThan(out[i - 1]!.timestamp)
        expect(readVp8Fields(out[i]!.payload)!.pictureId).toBe(readVp8Fields(out[i - 1]!.payload)!.pictureId + 1)
      }
      return out
    }
    return { forwarder, source, subscription, subscriber, rtcp, all, frame, lose, padding, received, continuous }
  }

  it('forwards the widest layer known, then a slow subscriber one layer down from its keyframe, numbering continuous', async () => {
    const run = setUp()
    // The keyframes come rid by rid: each wider one is switched to as it comes (widest known first).
    run.all(true)
    for (let i = 0; i < 3; i++) run.all()
    expect(run.continuous()).toHaveLength(6)
    const choice = run.subscription.layers!.choice
    expect(run.subscription.layers!.forwarded?.rid).toBe('low')
    expect(choice.level).toBe(3)

    // Loss over LOSSY for STEP_DOWN_MS: the choice wants one layer down; the widest is still forwarded.
    for (let at = 0; at <= STEP_DOWN_MS; at += 250) {
      vi.advanceTimersByTime(250)
      choice.judge(0.5, 30, true)
    }
    expect(choice.target).toBe(2)
    run.all()
    expect(run.received()).toHaveLength(7)
    // The PLI went to the target layer (rid `mid`) only.
    await Promise.resolve()
    const plis = run.rtcp.flat().filter((packet): packet is RtcpPayloadSpecificFeedback => packet instanceof RtcpPayloadSpecificFeedback)
    expect(plis.at(-1)!.feedback).toMatchObject({ mediaSsrc: LAYERS.mid.ssrc })

    // The mid keyframe, 100 ms on: switched at it; werift's sendRtp numbers it right after the last one
    // sent, its timestamp the time that passed later.
    const last = run.received().at(-1)!
    const lastAt = Date.now() - 33
    vi.advanceTimersByTime(100)
    const weriftBefore = run.subscriber.weriftSent.length
    run.frame('high')
    run.frame('mid', true)
    run.frame('low')
    expect(run.subscriber.weriftSent).toHaveLength(weriftBefore + 1)
    const switched = run.subscriber.weriftSent.at(-1)!
    expect(switched.sequenceNumber).toBe(last.seq + 1)
    expect(switched.timestamp).toBe(last.timestamp + (Date.now() - lastAt) * 90)
    // Then the fast send again, continuing from it; the old layer is no longer forwarded.
    vi.advanceTimersByTime(33)
    run.all()
    run.all()
    const out = run.continuous()
    expect(out).toHaveLength(10)
    expect(out.at(-1)!.timestamp - switched.timestamp).toBe(2 * 2970)
    expect(choice.level).toBe(2)
    run.forwarder.removeSource(run.source)
  })

  it("maps the subscriber's NACK and PLI to the layer forwarded", async () => {
    const run = setUp()
    run.all(true)
    run.all()
    run.lose('low')
    run.all()
    await Promise.resolve()
    run.rtcp.length = 0
    const ssrc = run.subscriber.sender.ssrc
    // The gap the packet lost upstream left was never forwarded: relayed on the widest layer's SSRC, in its numbering.
    const lost = (run.received().at(-1)!.seq - 1) & 0xffff
    expect(run.received().map((packet) => packet.seq)).not.toContain(lost)
    const seqOffset = run.subscriber.sender['seqOffset'] as number
    run.forwarder.subscriberFeedback(new RtcpTransportLayerFeedback({ feedback: new GenericNack({ senderSsrc: 5, mediaSourceSsrc: ssrc, lost: [lost] }) }), [run.subscription])
    const nacks = run.rtcp.flat().filter((packet): packet is RtcpTransportLayerFeedback => packet instanceof RtcpTransportLayerFeedback)
    expect(nacks.map((packet) => [(packet.feedback as GenericNack).mediaSourceSsrc, (packet.feedback as GenericNack).lost])).toEqual([[LAYERS.low.ssrc, [(lost - seqOffset) & 0xffff]]])
    expect((lost - seqOffset) & 0xffff).toBe(65_002)
    vi.advanceTimersByTime(1_000)
    run.forwarder.subscriberFeedback(new RtcpPayloadSpecificFeedback({ feedback: new PictureLossIndication({ senderSsrc: 5, mediaSsrc: ssrc }) }), [run.subscription])
    await Promise.resolve()
    const plis = run.rtcp.flat().filter((packet): packet is RtcpPayloadSpecificFeedback => packet instanceof RtcpPayloadSpecificFeedback)
    expect(plis.map((packet) => (packet.feedback as PictureLossIndication).mediaSsrc)).toEqual([LAYERS.low.ssrc])
    run.forwarder.removeSource(run.source)
  })

  it('leaves out padding-only packets, their numbers given on; a gap from upstream loss stays, its NACK is relayed after later probes and its late resend fills it', async () => {
    const run = setUp()
    run.all(true)
    run.all()
    const before = run.received()
    expect(before).toHaveLength(4)
    // On the forwarded (widest, rid `low`) layer: a packet lost on its way to the hub, two probes, frames,
    // another probe, a frame: no padding received, and one gap, the lost packet's.
    const lost = run.lose('low')
    run.padding('low')
    run.padding('low')
    run.all()
    run.all()
    run.padding('low')
    run.all()
    const out = run.received()
    expect(out).toHaveLength(7)
    expect(out.every((packet) => packet.payload.length > 0)).toBe(true)
    const gap = (before.at(-1)!.seq + 1) & 0xffff
    expect(out.map((packet) => packet.seq)).toEqual([...before.map((packet) => packet.seq), (gap + 1) & 0xffff, (gap + 2) & 0xffff, (gap + 3) & 0xffff])
    await Promise.resolve()
    run.rtcp.length = 0
    // A NACK for a number from before the forwarding started: another layer's numbering, nothing is relayed.
    const ssrc = run.subscriber.sender.ssrc
    const nack = (seq: number) =>
      run.forwarder.subscriberFeedback(new RtcpTransportLayerFeedback({ feedback: new GenericNack({ senderSsrc: 5, mediaSourceSsrc: ssrc, lost: [seq] }) }), [run.subscription])
    nack((before[0]!.seq - 200) & 0xffff)
    expect(run.rtcp.flat().filter((packet) => packet instanceof RtcpTransportLayerFeedback)).toEqual([])
    // The gap's NACK, three renumberings on: relayed in the publisher's numbering, on the forwarded layer.
    nack(gap)
    const nacks = run.rtcp.flat().filter((packet): packet is RtcpTransportLayerFeedback => packet instanceof RtcpTransportLayerFeedback)
    expect(nacks.map((packet) => [(packet.feedback as GenericNack).mediaSourceSsrc, (packet.feedback as GenericNack).lost])).toEqual([[LAYERS.low.ssrc, [lost.seq]]])
    // Its resend comes late: it takes the gap's number, and the next frame numbers on from the newest.
    lost.resend()
    expect(run.subscriber.sender['sequenceNumber']).toBe(out.at(-1)!.seq)
    expect(run.subscriber.sender['rtpTimestamp']).toBe(out.at(-1)!.timestamp)
    run.all()
    const filled = run.continuous()
    expect(filled).toHaveLength(9)
    expect(filled.find((packet) => packet.seq === gap)).toBeDefined()
    run.forwarder.removeSource(run.source)
  })
})
