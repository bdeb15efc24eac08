// Every state of LayerChoice (layer-choice.ts, the header names them) against every input it takes: a
// table of (state, input) → (state, level, target, and the backoff where it changed). Fake timers drive
// the system clock.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../clock.js'
import { LayerChoice, type LayerChoiceState, STEP_DOWN_MS } from './layer-choice.js'
import { FIRST_BACKOFF_MS, JUDGE_MIN_PACKETS } from './video-pause.js'

const TICK = 250

function choiceOf() {
  const choice = new LayerChoice(systemClock, 3, { paused: () => undefined, targetChanged: () => undefined })
  const slow = () => {
    for (let at = 0; at <= STEP_DOWN_MS; at += TICK) {
      vi.advanceTimersByTime(TICK)
      choice.judge(0.3, JUDGE_MIN_PACKETS, true)
    }
  }
  return { choice, slow }
}
type Run = ReturnType<typeof choiceOf>

/** How each state is reached, with three layers. */
const STATES = {
  starting: () => undefined,
  startedAsideUnder: ({ choice }: Run) => choice.started(2),
  startedAsideOver: ({ choice }: Run) => {
    choice.setCeiling(2)
    choice.started(3)
  },
  steadyTop: ({ choice }: Run) => choice.switched(3),
  steadyUnder: (run: Run) => {
    run.choice.switched(3)
    run.slow()
    run.choice.switched(2)
  },
  switchingDown: ({ choice }: Run) => {
    choice.switched(3)
    choice.setCeiling(2)
  },
  switchingUp: (run: Run) => {
    STATES.steadyUnder(run)
    vi.advanceTimersByTime(FIRST_BACKOFF_MS)
  },
  trial: (run: Run) => {
    STATES.switchingUp(run)
    run.choice.switched(3)
  },
  paused: (run: Run) => {
    run.choice.setCeiling(1)
    run.choice.switched(1)
    run.slow()
  },
  hidden: ({ choice }: Run) => {
    choice.switched(3)
    choice.setCeiling(0)
  },
  shown: (run: Run) => {
    STATES.hidden(run)
    run.choice.setCeiling(3)
  },
  ended: ({ choice }: Run) => choice.end(),
} satisfies Record<string, (run: Run) => void>

/** The inputs: the plane's (a first keyframe, a switch), the tile's (its ceiling), the link's, the clock's. */
const INPUTS = {
  'started(1)': ({ choice }: Run) => choice.started(1),
  'switched(target)': ({ choice }: Run) => choice.switched(choice.target),
  'switched(other)': ({ choice }: Run) => choice.switched(choice.target === 1 ? 2 : 1),
  'setCeiling(1)': ({ choice }: Run) => choice.setCeiling(1),
  'setCeiling(3)': ({ choice }: Run) => choice.setCeiling(3),
  'setCeiling(0)': ({ choice }: Run) => choice.setCeiling(0),
  slow: (run: Run) => run.slow(),
  'FIRST_BACKOFF_MS later': () => vi.advanceTimersByTime(FIRST_BACKOFF_MS),
  'end()': ({ choice }: Run) => choice.end(),
} satisfies Record<string, (run: Run) => void>

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

/** After the input: state, level, target; the backoff where it is not FIRST_BACKOFF_MS. */
type Outcome = readonly [LayerChoiceState, number, number, number?]

const TABLE: Record<keyof typeof STATES, Record<keyof typeof INPUTS, Outcome>> = {
  // Nothing forwarded: the target's keyframe starts it, another's starts it aside; not judged, no timer.
  starting: {
    'started(1)': ['startedAside', 1, 3],
    'switched(target)': ['steady', 3, 3],
    'switched(other)': ['starting', 0, 3],
    'setCeiling(1)': ['starting', 0, 1],
    'setCeiling(3)': ['starting', 0, 3],
    'setCeiling(0)': ['hidden', 0, 0],
    slow: ['starting', 0, 3],
    'FIRST_BACKOFF_MS later': ['starting', 0, 3],
    'end()': ['ended', 0, 3],
  },
  // Started on level 2, the target 3: no trial when it comes, no give-up; a slow link steps down from 2.
  startedAsideUnder: {
    'started(1)': ['startedAside', 2, 3],
    'switched(target)': ['steady', 3, 3],
    'switched(other)': ['startedAside', 2, 3],
    'setCeiling(1)': ['switching', 2, 1],
    'setCeiling(3)': ['startedAside', 2, 3],
    'setCeiling(0)': ['hidden', 0, 0],
    slow: ['switching', 2, 1],
    'FIRST_BACKOFF_MS later': ['startedAside', 2, 3],
    'end()': ['ended', 2, 3],
  },
  // Started on level 3 under a ceiling of 2: a slow link waits for the switch down already asked.
  startedAsideOver: {
    'started(1)': ['startedAside', 3, 2],
    'switched(target)': ['steady', 2, 2],
    'switched(other)': ['startedAside', 3, 2],
    'setCeiling(1)': ['switching', 3, 1],
    'setCeiling(3)': ['steady', 3, 3],
    'setCeiling(0)': ['hidden', 0, 0],
    slow: ['startedAside', 3, 2],
    'FIRST_BACKOFF_MS later': ['startedAside', 3, 2],
    'end()': ['ended', 3, 2],
  },
  steadyTop: {
    'started(1)': ['steady', 3, 3],
    'switched(target)': ['steady', 3, 3],
    'switched(other)': ['steady', 3, 3],
    'setCeiling(1)': ['switching', 3, 1],
    'setCeiling(3)': ['steady', 3, 3],
    'setCeiling(0)': ['hidden', 0, 0],
    slow: ['switching', 3, 2],
    'FIRST_BACKOFF_MS later': ['steady', 3, 3],
    'end()': ['ended', 3, 3],
  },
  // Stepped down to 2: the probe up after the backoff.
  steadyUnder: {
    'started(1)': ['steady', 2, 2],
    'switched(target)': ['steady', 2, 2],
    'switched(other)': ['steady', 2, 2],
    'setCeiling(1)': ['switching', 2, 1],
    'setCeiling(3)': ['steady', 2, 2],
    'setCeiling(0)': ['hidden', 0, 0],
    slow: ['switching', 2, 1],
    'FIRST_BACKOFF_MS later': ['switching', 2, 3],
    'end()': ['ended', 2, 2],
  },
  // 3 to 2 (a ceiling's fall): no give-up, not stepped past; a rise back keeps 3.
  switchingDown: {
    'started(1)': ['switching', 3, 2],
    'switched(target)': ['steady', 2, 2],
    'switched(other)': ['switching', 3, 2],
    'setCeiling(1)': ['switching', 3, 1],
    'setCeiling(3)': ['steady', 3, 3],
    'setCeiling(0)': ['hidden', 0, 0],
    slow: ['switching', 3, 2],
    'FIRST_BACKOFF_MS later': ['switching', 3, 2],
    'end()': ['ended', 3, 2],
  },
  // A probe 2 to 3: its keyframe starts a trial; given up after KEYFRAME_WAIT_MS, backoff doubled.
  switchingUp: {
    'started(1)': ['switching', 2, 3],
    'switched(target)': ['trial', 3, 3],
    'switched(other)': ['switching', 2, 3],
    'setCeiling(1)': ['switching', 2, 1],
    'setCeiling(3)': ['switching', 2, 3],
    'setCeiling(0)': ['hidden', 0, 0],
    slow: ['switching', 2, 1],
    'FIRST_BACKOFF_MS later': ['steady', 2, 2, 2 * FIRST_BACKOFF_MS],
    'end()': ['ended', 2, 3],
  },
  // Failed (EARLY_FAIL): one down, backoff doubled; passed after TRIAL_MS: steady.
  trial: {
    'started(1)': ['trial', 3, 3],
    'switched(target)': ['trial', 3, 3],
    'switched(other)': ['trial', 3, 3],
    'setCeiling(1)': ['switching', 3, 1],
    'setCeiling(3)': ['trial', 3, 3],
    'setCeiling(0)': ['hidden', 0, 0],
    slow: ['switching', 3, 2, 2 * FIRST_BACKOFF_MS],
    'FIRST_BACKOFF_MS later': ['steady', 3, 3],
    'end()': ['ended', 3, 3],
  },
  // Level 0 under a ceiling of 1: a rise is left to the probe, which comes after the backoff.
  paused: {
    'started(1)': ['steady', 0, 0],
    'switched(target)': ['steady', 0, 0],
    'switched(other)': ['steady', 0, 0],
    'setCeiling(1)': ['steady', 0, 0],
    'setCeiling(3)': ['steady', 0, 0],
    'setCeiling(0)': ['hidden', 0, 0],
    slow: ['steady', 0, 0],
    'FIRST_BACKOFF_MS later': ['switching', 0, 1],
    'end()': ['ended', 0, 0],
  },
  hidden: {
    'started(1)': ['hidden', 0, 0],
    'switched(target)': ['hidden', 0, 0],
    'switched(other)': ['hidden', 0, 0],
    'setCeiling(1)': ['switching', 0, 1],
    'setCeiling(3)': ['switching', 0, 3],
    'setCeiling(0)': ['hidden', 0, 0],
    slow: ['hidden', 0, 0],
    'FIRST_BACKOFF_MS later': ['hidden', 0, 0],
    'end()': ['ended', 0, 0],
  },
  // Shown again, back to 3 from its keyframe however long it takes; from nothing, no trial.
  shown: {
    'started(1)': ['switching', 0, 3],
    'switched(target)': ['steady', 3, 3],
    'switched(other)': ['switching', 0, 3],
    'setCeiling(1)': ['switching', 0, 1],
    'setCeiling(3)': ['switching', 0, 3],
    'setCeiling(0)': ['hidden', 0, 0],
    slow: ['switching', 0, 3],
    'FIRST_BACKOFF_MS later': ['switching', 0, 3],
    'end()': ['ended', 0, 3],
  },
  ended: {
    'started(1)': ['ended', 0, 3],
    'switched(target)': ['ended', 0, 3],
    'switched(other)': ['ended', 0, 3],
    'setCeiling(1)': ['ended', 0, 3],
    'setCeiling(3)': ['ended', 0, 3],
    'setCeiling(0)': ['ended', 0, 3],
    slow: ['ended', 0, 3],
    'FIRST_BACKOFF_MS later': ['ended', 0, 3],
    'end()': ['ended', 0, 3],
  },
}

describe('LayerChoice: every (state, input)', () => {
  const cases = Object.entries(TABLE).flatMap(([from, row]) =>
    Object.entries(row).map(([input, outcome]) => ({ from: from as keyof typeof STATES, input: input as keyof typeof INPUTS, outcome })),
  )

  it('the table covers every state the header names', () => {
    const reached = new Set(Object.values(STATES).map((reach) => {
      const run = choiceOf()
      reach(run)
      return run.choice.state
    }))
    expect([...reached].sort()).toEqual(['ended', 'hidden', 'startedAside', 'starting', 'steady', 'switching', 'trial'])
  })

  it.each(cases)('$from, $input', ({ from, input, outcome }) => {
    const run = choiceOf()
    STATES[from](run)
    INPUTS[input](run)
    const [expectedState, level, target, backoffMs = FIRST_BACKOFF_MS] = outcome
    expect(run.choice).toMatchObject({ state: expectedState, level, target, backoffMs })
  })
})

describe('LayerChoice: a start aside, judged', () => {
  function setUp() {
    const told: boolean[] = []
    const targets: number[] = []
    const choice = new LayerChoice(systemClock, 3, { paused: (paused) => void told.push(paused), targetChanged: (target) => void targets.push(target) })
    const ticks = (ms: number, fraction: number) => {
      for (let at = 0; at < ms; at += TICK) {
        vi.advanceTimersByTime(TICK)
        choice.judge(fraction, JUDGE_MIN_PACKETS, true)
      }
    }
    return { choice, told, targets, ticks }
  }

  it('under its target, a slow link steps down from the layer it forwards (the switch up dropped, no trial\'s doubled backoff), then probes', () => {
    const run = setUp()
    run.choice.started(2)
    run.ticks(STEP_DOWN_MS, 0.3)
    expect(run.choice).toMatchObject({ state: 'startedAside', level: 2, target: 3 })
    run.ticks(TICK, 0.3)
    expect(run.choice).toMatchObject({ state: 'switching', level: 2, target: 1, backoffMs: FIRST_BACKOFF_MS })
    expect(run.targets).toEqual([1])
    run.choice.switched(1)
    expect(run.choice).toMatchObject({ state: 'steady', level: 1 })
    vi.advanceTimersByTime(FIRST_BACKOFF_MS)
    expect(run.choice).toMatchObject({ state: 'switching', level: 1, target: 2 })
  })

  it('on the lowest layer under its target, a slow link pauses (told), and the probe resumes the lowest', () => {
    const run = setUp()
    run.choice.started(1)
    run.ticks(STEP_DOWN_MS + TICK, 0.3)
    expect(run.choice).toMatchObject({ state: 'steady', level: 0, target: 0, forwards: false })
    expect(run.told).toEqual([true])
    vi.advanceTimersByTime(FIRST_BACKOFF_MS)
    run.choice.switched(1)
    expect(run.choice).toMatchObject({ state: 'steady', level: 1 })
    expect(run.told).toEqual([true, false])
  })

  it('loss shorter than STEP_DOWN_MS: the target\'s keyframe still ends the start, steady, no trial', () => {
    const run = setUp()
    run.choice.started(2)
    run.ticks(STEP_DOWN_MS - TICK, 0.3)
    run.choice.switched(3)
    expect(run.choice).toMatchObject({ state: 'steady', level: 3, target: 3, backoffMs: FIRST_BACKOFF_MS })
    expect(run.targets).toEqual([])
  })

  it('over its target, a slow link waits for the switch down already asked, and is judged on that layer afresh', () => {
    const run = setUp()
    run.choice.setCeiling(2)
    run.choice.started(3)
    run.ticks(2 * STEP_DOWN_MS, 0.3)
    expect(run.choice).toMatchObject({ state: 'startedAside', level: 3, target: 2 })
    run.choice.switched(2)
    run.ticks(STEP_DOWN_MS, 0.3)
    expect(run.choice).toMatchObject({ state: 'steady', level: 2 })
    run.ticks(TICK, 0.3)
    expect(run.choice).toMatchObject({ state: 'switching', level: 2, target: 1 })
  })
})
