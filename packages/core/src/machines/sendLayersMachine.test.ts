// The camera's layers against our own uplink as a statechart: the lower layers stop after SHORT_SAMPLES
// short samples in a row, come back after the hold and ROOMY_SAMPLES roomy ones, the hold doubles when
// they did not last and resets once they did; the hub hears which layers go on its `internal` channel. Every state and transition is taken (the last test checks).
import { describe, expect, it } from 'vitest'
import { createActor } from 'xstate'
import { CameraSender } from '../sendResolution.js'
import { DataChannels } from '../dataChannels.js'
import { FakeDataChannel } from '../test-support/fakeDataChannel.js'
import { FakeMediaStreamTrack } from '../test-support/fakeMedia.js'
import { LAYERS_FIRST_SAMPLE_MS, LAYERS_OFF_MAX_MS, LAYERS_OFF_MS, LAYERS_START_MS, LAYERS_TRIAL_MS, LAYER_SAMPLE_MS, ROOMY_SAMPLES, SHORT_SAMPLES } from '../sendLayers.js'
import type { RtpSenderLike } from '../ports.js'
import type { StatLike } from '../stats/report.js'
import { PeerStats } from '../stats/peerStats.js'
import { CoverageRecorder } from '../test-support/coverage.js'
import { FakePeerConnections, ManualClock, flush } from '../test-support/index.js'
import { sendLayersActors } from './sendLayersActors.js'
import { sendLayersMachine } from './sendLayersMachine.js'

const coverage = new CoverageRecorder()

/** A Chromium report of our camera's layers: the estimate on the selected pair, frames per second per rid. */
function report(availableBps: number | undefined, fps: { high?: number; mid?: number }, targets: { high?: number; mid?: number } = {}): StatLike[] {
  return [
    { type: 'candidate-pair', id: 'p', nominated: true, state: 'succeeded', ...(availableBps !== undefined ? { availableOutgoingBitrate: availableBps } : {}) },
    { type: 'outbound-rtp', id: 'h', kind: 'video', rid: 'high', qualityLimitationReason: 'bandwidth', ...(fps.high !== undefined ? { framesPerSecond: fps.high } : {}), ...(targets.high !== undefined ? { targetBitrate: targets.high } : {}) },
    { type: 'outbound-rtp', id: 'm', kind: 'video', rid: 'mid', ...(fps.mid !== undefined ? { framesPerSecond: fps.mid } : {}), ...(targets.mid !== undefined ? { targetBitrate: targets.mid } : {}) },
    { type: 'outbound-rtp', id: 'l', kind: 'video', rid: 'low' },
  ]
}
const SHORT = report(200_000, { high: 6, mid: 20 })
const FINE = report(450_000, { high: 25, mid: 25 })
const ROOMY = report(900_000, { high: 30 })

function watch() {
  const clock = new ManualClock()
  let current: StatLike[] = FINE
  let failing = false
  let refusing = false
  /** While set, setParameters waits for this to resolve (a sender slow to take the change). */
  let pending: Promise<void> | undefined
  let reads = 0
  const pc = new FakePeerConnections().factory({})
  pc.getStats = async () => {
    reads++
    if (failing) throw new Error('closed')
    return current
  }
  const peerStats = new PeerStats()
  peerStats.attach(pc)
  const given: object[] = []
  let parameters: Record<string, unknown> = { transactionId: 't', encodings: [{ rid: 'high', active: true }, { rid: 'mid', active: true, scaleResolutionDownBy: 2 }, { rid: 'low', active: true, scaleResolutionDownBy: 4 }] }
  const sender: RtpSenderLike = {
    track: new FakeMediaStreamTrack('video', 'cam-1'),
    replaceTrack: async () => undefined,
    getParameters: () => ({ ...parameters }),
    setParameters: async (next) => {
      if (refusing) throw new Error('refused')
      if (pending) await pending
      given.push(next)
      parameters = { ...(next as Record<string, unknown>) }
    },
  }
  const camera = new CameraSender()
  camera.attach(sender)
  const channels = new DataChannels()
  const internal = new FakeDataChannel('internal')
  internal.open()
  channels.add(internal)
  const actors = sendLayersActors({ camera, peerStats, rids: ['high', 'mid', 'low'], channels })
  const actor = createActor(sendLayersMachine.provide({ actors }), { clock, inspect: coverage.inspector('sendLayers') }).start()
  /** `count` samples of `stats`, each read and judged: the first LAYERS_FIRST_SAMPLE_MS after the start, then one LAYER_SAMPLE_MS apart. */
  const samples = async (stats: StatLike[], count = 1) => {
    current = stats
    for (let i = 0; i < count; i++) {
      clock.advance(reads === 0 ? LAYERS_FIRST_SAMPLE_MS : LAYER_SAMPLE_MS)
      await flush()
    }
  }
  const active = () => (parameters.encodings as { active: boolean }[]).map((encoding) => encoding.active)
  return {
    clock,
    actor,
    given,
    /** The `internal` channel's frames, decoded. */
    told: () => internal.sent.map((frame) => JSON.parse(frame) as unknown),
    samples,
    active,
    /** Chromium applying a description's a=simulcast: each encoding active unless its rid is paused (`~`). */
    describe: (actives: boolean[]) => (parameters = { ...parameters, encodings: (parameters.encodings as object[]).map((encoding, index) => ({ ...encoding, active: actives[index] })) }),
    fail: (on: boolean) => (failing = on),
    refuse: (on: boolean) => (refusing = on),
    /** setParameters waits until the returned function is called. */
    slowSender: () => {
      let release!: () => void
      pending = new Promise((resolve) => (release = resolve))
      return () => {
        pending = undefined
        release()
      }
    },
    reads: () => reads,
    layers: () => (actor.getSnapshot().value as { layers: unknown }).layers,
    offMs: () => actor.getSnapshot().context.offMs,
  }
}

/** Watching, past the start (one sample that is not short). */
async function started() {
  const run = watch()
  await run.samples(FINE)
  expect(run.layers()).toEqual({ allLayers: 'settled' })
  return run
}

/** Short long enough: the lower layers are off. */
async function shed(run: ReturnType<typeof watch>) {
  await run.samples(SHORT, SHORT_SAMPLES)
  expect(run.layers()).toEqual({ topLayerOnly: 'holding' })
}

/** Held, then roomy long enough: the lower layers are back on trial. */
async function restore(run: ReturnType<typeof watch>) {
  run.clock.advance(run.offMs())
  await flush()
  await run.samples(ROOMY, ROOMY_SAMPLES)
  expect(run.layers()).toEqual({ allLayers: 'trial' })
}

describe('sendLayersMachine', () => {
  it(`applies no rule while a call starts: short from the first sample, it waits ${LAYERS_START_MS} ms`, async () => {
    const run = watch()
    expect(run.layers()).toBe('starting')
    await run.samples(SHORT, (LAYERS_START_MS - LAYERS_FIRST_SAMPLE_MS) / LAYER_SAMPLE_MS)
    expect(run.layers()).toBe('starting')
    expect(run.given).toEqual([])
    await run.samples(SHORT)
    expect(run.layers()).toEqual({ allLayers: 'settled' })
    await run.samples(SHORT, SHORT_SAMPLES)
    expect(run.active()).toEqual([true, false, false])
  })

  it(`reads nothing for the first ${LAYERS_FIRST_SAMPLE_MS} ms (the join's negotiation runs then), then every ${LAYER_SAMPLE_MS} ms`, async () => {
    const run = watch()
    run.clock.advance(LAYERS_FIRST_SAMPLE_MS - 1)
    await flush()
    expect(run.reads()).toBe(0)
    run.clock.advance(1)
    await flush()
    expect(run.reads()).toBe(1)
    run.clock.advance(LAYER_SAMPLE_MS)
    await flush()
    expect(run.reads()).toBe(2)
  })

  it('keeps every layer while the estimate carries them and the top layer is fed; asks the sender nothing', async () => {
    const run = await started()
    await run.samples(FINE, 20)
    await run.samples(report(undefined, { high: 30, mid: 30 }), 4)
    // Too few frames below to judge the top layer by (a layer starting up).
    await run.samples(report(undefined, { mid: 4 }), 4)
    expect(run.layers()).toEqual({ allLayers: 'settled' })
    expect(run.given).toEqual([])
  })

  it(`turns every layer but the top one off after ${SHORT_SAMPLES} short samples in a row (estimate under SHORT_BPS), keeping the sender's parameters`, async () => {
    const run = await started()
    await run.samples(SHORT, SHORT_SAMPLES - 1)
    await run.samples(FINE)
    await run.samples(SHORT, SHORT_SAMPLES - 1)
    expect(run.layers()).toEqual({ allLayers: 'settled' })
    await run.samples(SHORT)
    expect(run.layers()).toEqual({ topLayerOnly: 'holding' })
    await flush()
    expect(run.given).toEqual([
      {
        transactionId: 't',
        encodings: [{ rid: 'high', active: true }, { rid: 'mid', active: false, scaleResolutionDownBy: 2 }, { rid: 'low', active: false, scaleResolutionDownBy: 4 }],
        degradationPreference: 'maintain-framerate',
      },
    ])
  })

  it('tells the hub which layers it sends once the sender took the stop, and at the restart; a refused stop is not told', async () => {
    const run = await started()
    await shed(run)
    await flush()
    const frame = (active: string[]) => ({ type: 'simulcast_layers', data: { track_id: 'cam-1', active } })
    expect(run.told()).toEqual([frame(['high'])])
    await restore(run)
    expect(run.told()).toEqual([frame(['high']), frame(['high', 'mid', 'low'])])
    const refused = await started()
    refused.refuse(true)
    await shed(refused)
    await flush()
    expect(refused.active()).toEqual([true, true, true])
    expect(refused.told()).toEqual([])
  })

  it('does not tell a stop the sender took only after the restart was told', async () => {
    const run = await started()
    const release = run.slowSender()
    await shed(run)
    await flush()
    expect(run.told()).toEqual([])
    // The call leaves (or the layers come back) before the sender took the stop.
    run.actor.stop()
    release()
    await flush()
    expect(run.told()).toEqual([{ type: 'simulcast_layers', data: { track_id: 'cam-1', active: ['high', 'mid', 'low'] } }])
  })

  it('a starved top layer counts as short too: under half the frame rate below it, or stopped', async () => {
    const starved = await started()
    await starved.samples(report(undefined, { high: 9, mid: 20 }), SHORT_SAMPLES)
    expect(starved.active()).toEqual([true, false, false])
    const stopped = await started()
    await stopped.samples(report(900_000, { mid: 20 }), SHORT_SAMPLES)
    expect(stopped.active()).toEqual([true, false, false])
  })

  it('one sample with the top layer dropped by the browser (no target bitrate, a lower layer fed) stops the others at once', async () => {
    const run = await started()
    await run.samples(report(450_000, { high: 17, mid: 20 }, { high: 0, mid: 125_000 }))
    expect(run.layers()).toEqual({ topLayerOnly: 'holding' })
    await flush()
    expect(run.active()).toEqual([true, false, false])
  })

  it('after each negotiation, turns the lower layers off or on again where a description set them otherwise, by its state', async () => {
    const run = await started()
    await shed(run)
    await flush()
    run.describe([true, true, true])
    run.actor.send({ type: 'peer.negotiated' })
    await flush()
    expect(run.active()).toEqual([true, false, false])
    await restore(run)
    // A hub offer written while they were off (the hub pauses what we told it stopped) arrives after the restart.
    run.describe([true, false, false])
    run.actor.send({ type: 'peer.negotiated' })
    await flush()
    expect(run.active()).toEqual([true, true, true])
  })

  it('a sample without the estimate neither breaks a short run nor counts in it', async () => {
    const run = await started()
    const unknown = report(undefined, { high: 20, mid: 20 })
    await run.samples(SHORT, SHORT_SAMPLES - 1)
    await run.samples(unknown, 3)
    expect(run.layers()).toEqual({ allLayers: 'settled' })
    await run.samples(SHORT)
    expect(run.layers()).toEqual({ topLayerOnly: 'holding' })
  })

  it(`holds ${LAYERS_OFF_MS} ms whatever the estimate, then brings the layers back after ${ROOMY_SAMPLES} roomy samples in a row`, async () => {
    const run = await started()
    await shed(run)
    await run.samples(FINE, LAYERS_OFF_MS / LAYER_SAMPLE_MS - 1)
    expect(run.layers()).toEqual({ topLayerOnly: 'holding' })
    await run.samples(FINE)
    expect(run.layers()).toEqual({ topLayerOnly: 'watching' })
    await run.samples(ROOMY, ROOMY_SAMPLES - 1)
    await run.samples(FINE)
    await run.samples(ROOMY, ROOMY_SAMPLES - 1)
    expect(run.active()).toEqual([true, false, false])
    await run.samples(ROOMY)
    expect(run.layers()).toEqual({ allLayers: 'trial' })
    expect(run.active()).toEqual([true, true, true])
    run.clock.advance(LAYERS_TRIAL_MS)
    await flush()
    expect(run.layers()).toEqual({ allLayers: 'settled' })
  })

  // Stop 42: 320x240 alone, 266 kbit/s its most, the estimate stuck at 447–479 kbit/s on a recovered link.
  it.each([
    ['a roomy run that began during the hold counts: the layers come back as the hold ends', ROOMY],
    ['brings the layers back when the top layer alone runs small: the estimate under ROOMY_BPS, LOWER_LAYERS_BPS over its target', report(450_000, { high: 20 }, { high: 266_000 })],
  ])('%s', async (_name, sample) => {
    const run = await started()
    await shed(run)
    await run.samples(sample, LAYERS_OFF_MS / LAYER_SAMPLE_MS - 1)
    expect(run.active()).toEqual([true, false, false])
    await run.samples(sample)
    expect(run.layers()).toEqual({ allLayers: 'trial' })
    expect(run.active()).toEqual([true, true, true])
  })

  it(`short again within the trial doubles the hold, up to ${LAYERS_OFF_MAX_MS} ms; a trial that lasts sets it back`, async () => {
    const run = await started()
    await shed(run)
    const holds = []
    for (let i = 0; i < 4; i++) {
      await restore(run)
      await shed(run)
      holds.push(run.offMs())
    }
    expect(holds).toEqual([2, 4, 8, 8].map((factor) => factor * LAYERS_OFF_MS).map((ms) => Math.min(ms, LAYERS_OFF_MAX_MS)))
    await restore(run)
    await run.samples(FINE, LAYERS_TRIAL_MS / LAYER_SAMPLE_MS)
    expect(run.layers()).toEqual({ allLayers: 'settled' })
    expect(run.offMs()).toBe(LAYERS_OFF_MS)
    await shed(run)
    expect(run.offMs()).toBe(LAYERS_OFF_MS)
  })

  it('a failed read counts as neither: it breaks a short run', async () => {
    const run = await started()
    await run.samples(SHORT, SHORT_SAMPLES - 1)
    run.fail(true)
    await run.samples(SHORT)
    run.fail(false)
    await run.samples(SHORT, SHORT_SAMPLES - 1)
    expect(run.layers()).toEqual({ allLayers: 'settled' })
    expect(run.actor.getSnapshot().status).toBe('active')
  })

  it("the top layer alone keeps its frame rate; the layers back, the sender's own preference is back ('balanced' when it named none)", async () => {
    const run = await started()
    await shed(run)
    await restore(run)
    await flush()
    expect(run.given.map((parameters) => (parameters as { degradationPreference?: string }).degradationPreference)).toEqual(['maintain-framerate', 'balanced'])
  })

  it('stopping it (leaving) turns the layers back on and leaves no timer', async () => {
    const run = await started()
    await shed(run)
    run.actor.stop()
    await flush()
    expect(run.active()).toEqual([true, true, true])
    expect(run.clock.pendingTimers).toBe(0)
  })

  // Runs last: what the tests above took.
  it('the tests above took every state and transition', () => {
    const report = coverage.report(sendLayersMachine)
    expect(report.states.missing).toEqual([])
    expect(report.transitions.missing).toEqual([])
  })
})
