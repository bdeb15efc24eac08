// The forwarder's per-track report (werift-source-report.ts): what arrived, and per subscription what
// left and the state that holds it back, on a forwarder fed through a fake publisher transceiver.
import type { RTCRtpTransceiver } from 'werift'
import { RtpHeader, RtpPacket } from 'werift'
import { describe, expect, it } from 'vitest'
import { systemClock } from '../clock.js'
import { Forwarder } from './werift-forwarder.js'
import { fakePublisherTransceiver } from '../test-support/fakePublisherTransceiver.js'

const KEYFRAME = [0x10, 0x00]
const DELTA = [0x10, 0x01]

describe('the forwarder report', () => {
  it('counts arrivals and keyframe starts per source, sends per subscription, and names what holds a forwarding back', async () => {
    const forwarder = new Forwarder({ clock: systemClock, log: () => undefined, fastSend: false })
    const { transceiver: publisher, deliver } = fakePublisherTransceiver({ dtlsTransport: { state: 'connected', sendRtcp: async () => undefined } })
    const source = forwarder.addSource({}, { trackId: 'v', streamId: 's', kind: 'video', clientId: 'a' }, '0', publisher)!
    const owner = (clientId: string) => ({ clientId, sourceEnded: () => undefined, videoPaused: () => undefined })
    const sender = (codec: boolean) => ({ codec: codec ? { payloadType: 96 } : undefined, dtlsTransport: { state: 'connected' }, sendRtp: async () => undefined })
    const live = forwarder.attach(owner('b'), source)
    live.transceiver = { mid: '3', currentDirection: 'sendonly', stopping: false, stopped: false, sender: sender(true) } as unknown as RTCRtpTransceiver
    const noCodec = forwarder.attach(owner('c'), source)
    noCodec.transceiver = { mid: '4', stopping: false, stopped: false, sender: sender(false) } as unknown as RTCRtpTransceiver
    const held = forwarder.attach(owner('d'), source)
    held.transceiver = { mid: undefined, stopping: false, stopped: false, sender: sender(true) } as unknown as RTCRtpTransceiver
    forwarder.holdKeyframe(held)
    await Promise.resolve()

    let seq = 1
    for (const payload of [DELTA, KEYFRAME, DELTA, DELTA]) deliver(new RtpPacket(new RtpHeader({ ssrc: 77, sequenceNumber: seq, timestamp: seq++ }), Buffer.from(payload)))

    // The PLI asked with the offer went out, and the keyframe answered it.
    const [report] = forwarder.report()
    expect(report).toMatchObject({ clientId: 'a', trackId: 'v', kind: 'video', ssrc: 77, packetsIn: 4, keyframesIn: 1, keyframeRequest: 'idle', holding: true })
    expect(report!.lastPliAt).toBeGreaterThan(0)
    const byClient = new Map(report!.subscriptions.map((s) => [s.clientId, s]))
    expect(byClient.get('b')).toMatchObject({ keyframe: 'unanswered', transceiver: 'bound', direction: 'sendonly', codec: true, dtls: 'connected', forwarding: true, packetsOut: 4 })
    expect(byClient.get('c')).toMatchObject({ keyframe: 'unanswered', transceiver: 'bound', codec: false, forwarding: false, packetsOut: 0 })
    expect(byClient.get('d')).toMatchObject({ keyframe: 'holding', transceiver: 'unbound', codec: true, forwarding: false, packetsOut: 0 })
  })
})
