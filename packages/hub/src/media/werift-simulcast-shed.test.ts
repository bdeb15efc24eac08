// A publisher shedding layers (core sendLayers: every layer but the top one off, the top one shrinking to
// the width of the ones stopped): a stopped layer that still gets padding and resends counts as stopped,
// and a subscriber is not switched between two layers of one width (werift-simulcast.ts); a layer the
// publisher says it stopped (its simulcast_layers frame) is out at once.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { RtpHeader } from 'werift'
import { systemClock } from '../clock.js'
import { LayerSwitch } from './werift-layer-switch.js'
import { IDLE_MIN_MS, LAYER_IDLE_MS, SimulcastLayers, type Layer } from './werift-simulcast.js'
import { vp8Payload } from '../test-support/vp8Packets.js'

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

const SSRC = { high: 1, mid: 2 } as const

/** Two layers, high and mid (high first, as the web app's rids), each sending 20 fps, one packet a frame, from `start`. */
function twoLayers(sendPli: (layer: Layer) => boolean = () => true) {
  const layers = new SimulcastLayers(['high', 'mid'], systemClock, sendPli)
  const [high, mid] = layers.layers as [Layer, Layer]
  const seq = { high: 0, mid: 0 }
  const widths = { high: 640, mid: 320 }
  /** One packet of `rid` at `at`: a new frame, a keyframe when `keyframe`; its header, payload, keyframe flag. */
  const send = (rid: 'high' | 'mid', at: number, keyframe = false) => {
    const header = new RtpHeader({ ssrc: SSRC[rid], sequenceNumber: ++seq[rid], timestamp: at * 90, payloadType: 96 })
    const payload = vp8Payload({ pictureId: seq[rid], tl0: 1, keyframeWidth: keyframe ? widths[rid] : undefined })
    layers.onPacket(rid === 'high' ? high : mid, SSRC[rid], payload, at, keyframe, header.timestamp, header.sequenceNumber)
    return { header, payload, keyframe }
  }
  return { layers, high, mid, seq, widths, send }
}

/** The two layers with a subscriber's switch over them, the keyframes it asks (by rid), and its sender. */
function switchOverTwoLayers() {
  const plis: string[] = []
  const two = twoLayers((layer) => {
    plis.push(layer.rid)
    return true
  })
  const sw = new LayerSwitch(systemClock, 2, { paused: () => undefined, targetChanged: () => undefined }, two.layers)
  return { ...two, plis, sw, sender: { replaceRTP: vi.fn() }, start: Date.now() }
}

describe('a publisher shedding layers', () => {
  it('takes a layer that gets only padding and resends for stopped, as one that gets nothing', () => {
    const { layers, high, mid, seq, send } = twoLayers()
    const start = Date.now()
    let at = start
    for (; at < start + 2000; at += 50) {
      send('mid', at, at === start)
      send('high', at, at === start)
    }
    expect(layers.active(at).map((layer) => layer.rid)).toEqual(['mid', 'high'])
    // mid stopped: padding-only packets (new numbers, no payload) and resends of its old packets go on;
    // out once IDLE_MIN_MS silent and 20 of high's packets (one a frame: 1 s) came, before LAYER_IDLE_MS.
    const stoppedAt = at
    let early: string[] = []
    for (; at <= stoppedAt + 1000; at += 50) {
      if (at === stoppedAt + IDLE_MIN_MS) early = layers.active(at).map((layer) => layer.rid)
      send('high', at)
      layers.onPacket(mid, SSRC.mid, new Uint8Array(0), at, false, at * 90, ++seq.mid)
      layers.onPacket(mid, SSRC.mid, vp8Payload({ pictureId: 3, tl0: 1 }), at, false, 4 * 90, seq.mid - 20)
    }
    expect(early).toEqual(['mid', 'high'])
    expect(layers.active(at).map((layer) => layer.rid)).toEqual(['high'])
    expect(at - stoppedAt).toBeGreaterThan(IDLE_MIN_MS)
    expect(at - stoppedAt).toBeLessThan(LAYER_IDLE_MS)
    expect(mid.framesPerSecond).toBeCloseTo(20, 0)
    expect(high.lastPacketAt).toBe(at - 50)
    layers.end()
  })

  it('keeps a subscriber on its layer when the layer it would switch to is as wide, and asks no keyframe of it', async () => {
    const { layers, high, widths, send, plis, sw, sender, start } = switchOverTwoLayers()
    send('mid', start, true)
    const first = send('high', start, true)
    expect(sw.admit(layers, high, first, true, start, sender)).toBe(true)
    expect(sw.forwarded).toBe(high)
    // The top layer shrinks to mid's width (its keyframe says so) while mid still sends: same width, high first.
    widths.high = 320
    const at = start + 100
    send('mid', at)
    const shrunk = send('high', at, true)
    expect(layers.active(at).map((layer) => layer.rid)).toEqual(['high', 'mid'])
    expect(layers.layerAt(2, at)?.rid).toBe('mid')
    expect(sw.admit(layers, high, shrunk, true, at, sender)).toBe(true)
    const midKeyframe = send('mid', at + 50, true)
    expect(sw.admit(layers, layers.byRid('mid')!, midKeyframe, true, at + 50, sender)).toBe(false)
    expect(sw.admit(layers, high, send('high', at + 50), false, at + 50, sender)).toBe(true)
    await Promise.resolve()
    expect(plis).toEqual([])
    expect(sw.forwarded).toBe(high)
    expect(sender.replaceRTP).not.toHaveBeenCalled()
    expect(sw.choice.level).toBe(2)
    sw.choice.end()
    layers.end()
  })

  it('takes a layer the publisher says it stopped out at once: its subscriber asks the top layer\'s keyframe and gets the stopped one\'s packets in flight until it comes', async () => {
    const { layers, high, mid, send, plis, sw, sender, start } = switchOverTwoLayers()
    sw.choice.setCeiling(1)
    send('high', start, true)
    expect(sw.admit(layers, mid, send('mid', start, true), true, start, sender)).toBe(true)
    expect(sw.forwarded).toBe(mid)
    await Promise.resolve()
    plis.length = 0
    // The frame names high alone: mid is out before any of its silence, and level 1 is high now.
    const said = start + 50
    layers.publisherSends(['high'], said)
    expect(layers.active(said).map((layer) => layer.rid)).toEqual(['high'])
    expect(sw.admit(layers, high, send('high', said), false, said, sender)).toBe(false)
    await Promise.resolve()
    expect(plis).toEqual(['high'])
    // mid's packets in flight still reach the subscriber until high's keyframe, then high does.
    expect(sw.admit(layers, mid, send('mid', said + 10), false, said + 10, sender)).toBe(true)
    expect(sw.admit(layers, high, send('high', said + 300, true), true, said + 300, sender)).toBe(true)
    expect(sw.forwarded).toBe(high)
    expect(sw.admit(layers, mid, send('mid', said + 310), false, said + 310, sender)).toBe(false)
    // Named again: mid counts once it sends (its keyframe after the restart), and the subscriber goes back at it.
    const again = said + 10_000
    layers.publisherSends(['high', 'mid'], again)
    expect(sw.admit(layers, high, send('high', again), false, again, sender)).toBe(true)
    expect(layers.active(again).map((layer) => layer.rid)).toEqual(['high'])
    expect(sw.admit(layers, mid, send('mid', again + 20, true), true, again + 20, sender)).toBe(true)
    expect(sw.forwarded).toBe(mid)
    sw.choice.end()
    layers.end()
  })

  it('ignores a frame naming none of the layers, and takes a stopped layer back at a keyframe LAYER_IDLE_MS after the stop even unnamed', () => {
    const { layers, send } = twoLayers()
    const start = Date.now()
    send('high', start, true)
    send('mid', start, true)
    layers.publisherSends(['q'], start)
    expect(layers.active(start).map((layer) => layer.rid)).toEqual(['mid', 'high'])
    layers.publisherSends(['high'], start)
    // A keyframe in flight at the stop does not undo it; one after LAYER_IDLE_MS does (a frame naming it lost with its channel).
    send('mid', start + 100, true)
    send('high', start + 100)
    expect(layers.active(start + 100).map((layer) => layer.rid)).toEqual(['high'])
    send('mid', start + LAYER_IDLE_MS + 1, true)
    expect(layers.active(start + LAYER_IDLE_MS + 1).map((layer) => layer.rid)).toEqual(['mid', 'high'])
    layers.end()
  })

  it('takes a stopped layer back when its new media goes on past LAYER_IDLE_MS, keyframe or not, and its subscriber with it (Chromium restarting it on a renegotiation)', async () => {
    const { layers, high, mid, seq, send, plis, sw, sender, start } = switchOverTwoLayers()
    send('mid', start, true)
    expect(sw.admit(layers, high, send('high', start, true), true, start, sender)).toBe(true)
    layers.publisherSends(['high'], start + 50)
    // From here the browser sends mid's delta frames and no more of high; padding and resends of mid do not count.
    let at = start + 100
    for (; at <= start + 50 + LAYER_IDLE_MS; at += 50) {
      sw.admit(layers, mid, send('mid', at), false, at, sender)
      layers.onPacket(mid, SSRC.mid, new Uint8Array(0), at, false, at * 90, ++seq.mid)
    }
    expect(layers.active(at - 50).map((layer) => layer.rid)).toEqual([])
    await Promise.resolve()
    plis.length = 0
    sw.admit(layers, mid, send('mid', at), false, at, sender)
    expect(layers.active(at).map((layer) => layer.rid)).toEqual(['mid'])
    // Its subscriber asks mid's keyframe at once, and goes on with mid from it.
    await Promise.resolve()
    expect(plis).toEqual(['mid'])
    expect(sw.admit(layers, mid, send('mid', at + 100, true), true, at + 100, sender)).toBe(true)
    expect(sw.forwarded).toBe(mid)
    sw.choice.end()
    layers.end()
  })
})
