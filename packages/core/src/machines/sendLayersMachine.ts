// The camera's simulcast layers against our own uplink (the rule and its figures: sendLayers.ts). The
// negotiation spawns it (systemId `sendLayers`) when its peer session sends our camera as layers on a
// sender that has parameters. `sampling` reads the sender's figures every `layerSample`, the first after
// `layersFirstSample` (the `readLayers` actor, getStats through PeerStats) and counts short and roomy samples in a row. `layers`:
// - `starting`: every layer on, the rule not applied yet (a call's estimate starts short): until a sample
//   that is not short (`layers.fed`), or `layersStart` (3 s);
// - `allLayers`: every layer on (after each negotiation its `lowerLayersOn` actor turns on again any a
//   description paused: a hub offer written before our restart reached the hub); SHORT_SAMPLES short samples in a row (the estimate under SHORT_BPS, or
//   the top layer starved), or one that says the browser dropped the top layer, stop the others
//   (`topLayerOnly`); a sample without the estimate counts neither way;
// - `topLayerOnly`: the `lowerLayersOff` actor keeps every layer but the top one inactive for as long as
//   the state lasts, and turns them off again after each negotiation (`peer.negotiated`: Chromium sets
//   every rid of the remote `a=simulcast` active again). It holds `layersOff` (10 s, doubled up to 80 s
//   each time the layers did not last), then waits for ROOMY_SAMPLES roomy samples in a row (the estimate
//   at ROOMY_BPS or more, or not short and LOWER_LAYERS_BPS over what the top layer takes: `isRoomy`);
// - back in `allLayers.trial` for `layersTrial` (10 s): short again there lengthens the next hold;
//   once `settled` the hold is back to 10 s.
// Stopping it (the negotiation stops with the room session) stops the reads and the timers.
import { assign, enqueueActions, sendTo, setup } from 'xstate'
import { LAYERS_FIRST_SAMPLE_MS, LAYERS_OFF_MAX_MS, LAYERS_OFF_MS, LAYERS_START_MS, LAYERS_TRIAL_MS, LAYER_SAMPLE_MS, ROOMY_SAMPLES, SHORT_SAMPLES, isDropped, isRoomy, isShort, isUnknown, type LayerFigures } from '../sendLayers.js'
import type { SendLayersActors } from './sendLayersActors.js'
import { notProvided } from './notProvided.js'

export interface SendLayersContext {
  /** Short samples in a row (reset when the layers change). */
  shortRun: number
  /** Roomy samples in a row (reset when the layers change). */
  roomyRun: number
  /** How long the next `topLayerOnly` holds before the layers may come back, ms. */
  offMs: number
}

/**
 * Raised by the sampling region when a run is long enough; `peer.negotiated` from the peer session
 * (negotiationActors.ts) when an offer/answer exchange is complete.
 */
export type SendLayersEvent = { type: 'layers.short' } | { type: 'layers.fed' } | { type: 'layers.roomy' } | { type: 'peer.negotiated' }

export const sendLayersMachine = setup({
  types: {} as { context: SendLayersContext; events: SendLayersEvent },
  actors: {
    readLayers: notProvided<SendLayersActors['readLayers']>('readLayers'),
    lowerLayersOff: notProvided<SendLayersActors['lowerLayersOff']>('lowerLayersOff'),
    lowerLayersOn: notProvided<SendLayersActors['lowerLayersOn']>('lowerLayersOn'),
  },
  delays: {
    layerSample: LAYER_SAMPLE_MS,
    layersFirstSample: LAYERS_FIRST_SAMPLE_MS,
    layersStart: LAYERS_START_MS,
    layersOff: ({ context }) => context.offMs,
    layersTrial: LAYERS_TRIAL_MS,
  },
  actions: {
    judgeSample: enqueueActions(({ context, enqueue }, figures: LayerFigures) => {
      // A sample without the estimate (Chromium leaves it out of one in ten or so) keeps both runs.
      if (isUnknown(figures)) return
      const short = isShort(figures)
      const shortRun = short ? context.shortRun + 1 : 0
      const roomyRun = isRoomy(figures) ? context.roomyRun + 1 : 0
      enqueue.assign({ shortRun, roomyRun })
      if (!short) enqueue.raise({ type: 'layers.fed' })
      // A dropped top layer has frozen its subscribers already: no second sample.
      if (shortRun >= SHORT_SAMPLES || isDropped(figures)) enqueue.raise({ type: 'layers.short' })
      if (roomyRun >= ROOMY_SAMPLES) enqueue.raise({ type: 'layers.roomy' })
    }),
    resetRuns: assign({ shortRun: 0, roomyRun: 0 }),
    lengthenOff: assign({ offMs: ({ context }) => Math.min(context.offMs * 2, LAYERS_OFF_MAX_MS) }),
    resetOff: assign({ offMs: LAYERS_OFF_MS }),
    keepLayersOff: sendTo('lowerLayersOff', { type: 'peer.negotiated' } as const),
    keepLayersOn: sendTo('lowerLayersOn', { type: 'peer.negotiated' } as const),
  },
}).createMachine({
  id: 'sendLayers',
  type: 'parallel',
  context: { shortRun: 0, roomyRun: 0, offMs: LAYERS_OFF_MS },
  states: {
    sampling: {
      // The first read after `layersFirstSample` (1.5 s): nothing to judge before, and the join's negotiation runs then.
      initial: 'firstWait',
      states: {
        firstWait: {
          after: { layersFirstSample: 'reading' },
        },
        waiting: {
          after: { layerSample: 'reading' },
        },
        reading: {
          invoke: {
            id: 'readLayers',
            src: 'readLayers',
            onDone: { target: 'waiting', actions: { type: 'judgeSample', params: ({ event }) => event.output } },
            // A failed read (the connection closing) breaks both runs.
            onError: { target: 'waiting', actions: 'resetRuns' },
          },
        },
      },
    },
    layers: {
      initial: 'starting',
      states: {
        starting: {
          on: { 'layers.fed': 'allLayers' },
          after: { layersStart: 'allLayers' },
        },
        allLayers: {
          entry: 'resetRuns',
          invoke: { id: 'lowerLayersOn', src: 'lowerLayersOn' },
          initial: 'settled',
          on: { 'layers.short': 'topLayerOnly', 'peer.negotiated': { actions: 'keepLayersOn' } },
          states: {
            trial: {
              after: { layersTrial: 'settled' },
              on: { 'layers.short': { target: '#sendLayers.layers.topLayerOnly', actions: 'lengthenOff' } },
            },
            settled: {
              entry: 'resetOff',
            },
          },
        },
        topLayerOnly: {
          entry: 'resetRuns',
          invoke: { id: 'lowerLayersOff', src: 'lowerLayersOff' },
          on: { 'peer.negotiated': { actions: 'keepLayersOff' } },
          initial: 'holding',
          states: {
            holding: {
              after: { layersOff: 'watching' },
            },
            watching: {
              on: { 'layers.roomy': '#sendLayers.layers.allLayers.trial' },
            },
          },
        },
      },
    },
  },
})

export type SendLayersMachine = typeof sendLayersMachine
