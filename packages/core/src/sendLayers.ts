// The camera's simulcast layers when our own uplink cannot carry them all (machines/sendLayersMachine.ts
// holds the states; this is the figures and the rule, pure). Chromium feeds its narrower layers first, so
// a short estimate starves the top layer (3–8 fps through a lossy TURN path, core README "Simulcast") and
// then stops it; the hub then moves every subscriber to `mid` on a keyframe across that lossy path
// (freezes of 1.2–2.6 s). Keeping the top layer alone instead makes the camera one stream, as without
// simulcast: the subscribers already on it never switch, and Chromium's estimate, no longer capped by a
// 150 kbit/s layer, shows by itself when the lower layers fit again (no probe trial needed), unless the top layer runs small (LOWER_LAYERS_BPS).
import type { StatLike } from './stats/report.js'

/**
 * How often the sender's figures are read. Often, because the race is short: through the lossy relay the
 * estimate fell from 287 to 225 kbit/s within a second, `high` from 20 to 5 fps, and Chromium stopped it
 * a second later (web faults-impaired.spec); the hub moves a subscriber off a starved layer within a
 * second too, and one whose layer stopped after 1.5 s, both on a keyframe across that path.
 */
export const LAYER_SAMPLE_MS = 250
/**
 * The first sample, after the camera starts sending. Earlier ones could only read no estimate or a short one
 * (Chromium's starts at 300 kbit/s, under SHORT_BPS, and the layers rule waits LAYERS_START_MS anyway), and
 * each getStats ran in the middle of the join: traced, a read every 250 ms landed between the hub's offer and
 * our answer's PUT in 4 of 5 joins (loadtest README, stop 38).
 */
export const LAYERS_FIRST_SAMPLE_MS = 1_500
/**
 * Under this estimate (the selected pair's `availableOutgoingBitrate`) the layers do not fit: `mid` takes
 * up to 150 kbit/s, the audio ~40, and at 287 kbit/s Chromium gave the 640x480 top layer 51 kbit/s.
 */
export const SHORT_BPS = 350_000
/** The lower layers come back once the estimate carries a fed top layer (~400 kbit/s) besides them. */
export const ROOMY_BPS = 600_000
/**
 * Or once it carries what the top layer takes now and `mid`'s most (150 kbit/s) besides. Alone, the top layer
 * cannot show ROOMY_BPS when it runs small: Chromium's estimate grows no further than ~1.8x what it sends,
 * and a top layer stopped short (`maintain-framerate`) runs 320x240, whose most is 266 kbit/s. After a dip
 * at start-up on a loaded box the estimate stayed at 447–479 kbit/s on an unlimited loopback link, and the
 * camera 320 wide until Chromium's quality scaler went to 480 25–32 s after the dip, in one run not within
 * the 44 s watched (web tile-size spec, 3 of 5 runs at load 6–11, stop 42).
 * The trial's allocation change makes Chromium probe (1.9 Mbit/s 2 s later), and a trial that fails
 * lengthens the next hold as before. On a link the top layer fills, its target follows the estimate less
 * the audio's ~40 kbit/s, under this.
 */
export const LOWER_LAYERS_BPS = 150_000
/** A top layer under this share of the lower layers' frame rate is starved (the hub leaves it out at 1/2). */
export const STARVED_SHARE = 0.5
/** Consecutive short samples before the lower layers stop (0.5 s). */
export const SHORT_SAMPLES = 2
/** Consecutive roomy samples before they come back (3 s). */
export const ROOMY_SAMPLES = 12
/**
 * A call starts short: Chromium's estimate starts at 300 kbit/s and grows within a second or two on a clean
 * link. So the rule applies from the first sample that is not short, or from this long after the start
 * (10 s left a publisher whose link was short from its join at 3.8 fps for the whole watch of the spec).
 */
export const LAYERS_START_MS = 3_000
/** How long the lower layers stay off at least; doubled (up to LAYERS_OFF_MAX_MS) when they did not last. */
export const LAYERS_OFF_MS = 10_000
export const LAYERS_OFF_MAX_MS = 80_000
/** Back on and short again within this: the estimate was not what it said, so the next wait is longer. */
export const LAYERS_TRIAL_MS = 10_000

/** What one sample says of our camera's layers (plain data: the reading actor's output). */
export interface LayerFigures {
  /** bit/s, the selected candidate pair's estimate. */
  availableBps?: number
  /** The top layer's frames per second (absent: not sending). */
  topFps?: number
  /** Why the browser limits the top layer (`qualityLimitationReason`: 'bandwidth', 'cpu', 'none', 'other'). */
  topLimit?: string
  /** The best frame rate among the other layers. */
  lowerFps?: number
  /** bit/s the browser's allocator gives the top layer (`targetBitrate`; 0: it dropped the layer). */
  topTargetBps?: number
  /** The most it gives one of the other layers. */
  lowerTargetBps?: number
}

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined)

/** The figures of a getStats report (reduced or whole) for layers whose top one is `topRid`. */
export function layerFigures(stats: readonly StatLike[], topRid: string): LayerFigures {
  const figures: LayerFigures = {}
  for (const stat of stats) {
    if (stat.type === 'candidate-pair' && stat.nominated === true && stat.state === 'succeeded') figures.availableBps = num(stat.availableOutgoingBitrate) ?? figures.availableBps
    if (stat.type !== 'outbound-rtp' || typeof stat.rid !== 'string') continue
    const fps = num(stat.framesPerSecond)
    const target = num(stat.targetBitrate)
    if (stat.rid === topRid) {
      figures.topFps = fps
      if (typeof stat.qualityLimitationReason === 'string') figures.topLimit = stat.qualityLimitationReason
      if (target !== undefined) figures.topTargetBps = target
    } else {
      if (fps !== undefined) figures.lowerFps = Math.max(fps, figures.lowerFps ?? 0)
      if (target !== undefined) figures.lowerTargetBps = Math.max(target, figures.lowerTargetBps ?? 0)
    }
  }
  return figures
}

/**
 * Short: the estimate cannot carry the layers, or the top one is starved for bandwidth (stopped included)
 * while a lower one runs. Not for the CPU: a box of three Chromium pages at load 9.7 starved `high` on a
 * clean loopback link, and with the top layer alone and small the estimate never grew to bring the others back.
 */
export function isShort(figures: LayerFigures): boolean {
  const { availableBps, topFps, topLimit, lowerFps } = figures
  if (availableBps !== undefined && availableBps < SHORT_BPS) return true
  if (isDropped(figures)) return true
  return topLimit === 'bandwidth' && lowerFps !== undefined && lowerFps >= 5 && (topFps ?? 0) < lowerFps * STARVED_SHARE
}

/**
 * Dropped: the browser's allocator gives the top layer nothing for bandwidth while a lower one gets some.
 * Its own frame rate (a 1 s average) still reads 14–17 fps then: through the lossy relay Chromium dropped
 * `high` when the estimate fell from 1,079 to 237 kbit/s in 0.4 s, and the rule, waiting for a second short
 * sample (one sample without the estimate broke the run) and for that average, acted 0.8 s later, its
 * subscriber frozen 1.2 s (web faults-impaired spec, stop 35). One such sample is enough.
 */
export function isDropped({ topTargetBps, topLimit, lowerTargetBps }: LayerFigures): boolean {
  return topLimit === 'bandwidth' && topTargetBps === 0 && (lowerTargetBps ?? 0) > 0
}

/** Unknown: no estimate, and nothing else says short (a sample neither breaks nor extends a run). */
export function isUnknown(figures: LayerFigures): boolean {
  return figures.availableBps === undefined && !isShort(figures)
}

/** Roomy: the estimate at ROOMY_BPS, or not short and LOWER_LAYERS_BPS over what the top layer takes. */
export function isRoomy({ availableBps, topTargetBps }: LayerFigures): boolean {
  if (availableBps === undefined) return false
  if (availableBps >= ROOMY_BPS) return true
  return availableBps >= SHORT_BPS && topTargetBps !== undefined && topTargetBps > 0 && availableBps - topTargetBps >= LOWER_LAYERS_BPS
}
