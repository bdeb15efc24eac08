// The README's statechart diagrams must say what the machines do: each block is regenerated here
// with the same pure function the writer script uses, and compared.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { and, fromPromise, not, raise, setup, type AnyStateMachine } from 'xstate'
import { DIAGRAM_MACHINES, diagramBlock, readmeBlock, replaceDiagramBlocks, toMermaid, type DiagramName } from './diagrams.js'
import { conferenceMachine } from './machines/conferenceMachine.js'
import { eventsMachine } from './machines/eventsMachine.js'
import { negotiationMachine } from './machines/negotiationMachine.js'
import { screenShareMachine } from './machines/screenShareMachine.js'
import { reconnectMachine } from './machines/reconnectMachine.js'
import { tabsMachine } from './machines/tabsMachine.js'
import { resolutionHoldMachine } from './machines/resolutionHoldMachine.js'
import { sendLayersMachine } from './machines/sendLayersMachine.js'
import { videoSizeMachine } from './machines/videoSizeMachine.js'

const machines: Record<DiagramName, AnyStateMachine> = {
  conference: conferenceMachine,
  negotiation: negotiationMachine,
  screenShare: screenShareMachine,
  events: eventsMachine,
  reconnect: reconnectMachine,
  tabs: tabsMachine,
  resolutionHold: resolutionHoldMachine,
  sendLayers: sendLayersMachine,
  videoSize: videoSizeMachine,
}

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const REGENERATE = 'the README diagram is out of date: run `node packages/core/scripts/diagrams.mjs` and commit README.md'

describe('README diagrams', () => {
  for (const name of Object.keys(DIAGRAM_MACHINES) as DiagramName[]) {
    it(`${name}: the README block is what the machine generates`, () => {
      const block = readmeBlock(readme, name)
      expect(block, `README.md has no <!-- diagram:${name}:start/end --> markers`).toBeDefined()
      expect(block, REGENERATE).toBe(diagramBlock(name, toMermaid(machines[name])))
    })
  }

  it('the writer script would leave the README as it is', () => {
    const generated = Object.fromEntries((Object.keys(machines) as DiagramName[]).map((name) => [name, toMermaid(machines[name])]))
    expect(replaceDiagramBlocks(readme, generated) === readme, REGENERATE).toBe(true)
  })

  it('the generator draws what a machine says: guards, delays, invokes, entry/exit actions, finals, root transitions', () => {
    const machine = setup({
      actions: { markBusy: () => {} },
      actors: { load: fromPromise(async () => 1) },
      guards: { ready: () => true, fresh: () => true },
      delays: { patience: 100 },
    }).createMachine({
      id: 'demo',
      initial: 'waiting',
      on: { 'user.quit': '.done' },
      states: {
        waiting: {
          on: { go: { guard: and(['ready', not('fresh')]), target: 'loading' }, ping: {} },
          after: { patience: 'done' },
        },
        loading: { entry: ['markBusy'], exit: [raise({ type: 'loaded' })], invoke: { id: 'load', src: 'load', onDone: 'done', onError: 'waiting' } },
        done: { type: 'final' },
      },
    })
    expect(toMermaid(machine).split('\n')).toEqual([
      'stateDiagram-v2',
      '  [*] --> demo_waiting',
      '  state "waiting" as demo_waiting',
      '  state "loading" as demo_loading',
      '  demo_loading: invoke load',
      '  demo_loading: entry markBusy',
      '  demo_loading: exit raise loaded',
      '  state "done" as demo_done',
      '  demo_done --> [*]',
      '  state "any state" as demo_anyState',
      '  demo_waiting --> demo_loading: go [ready and not fresh]',
      '  demo_waiting --> demo_done: after patience',
      '  demo_loading --> demo_done: done load',
      '  demo_loading --> demo_waiting: error load',
      '  demo_anyState --> demo_done: user.quit',
    ])
  })

  it('draws a targetless `after` (a timer that only runs actions) as a self-loop labelled with its delay; other targetless transitions not', () => {
    const machine = setup({
      actions: { count: () => {} },
      guards: { armed: () => true },
      delays: { tick: 100, deadline: 500 },
    }).createMachine({
      id: 'timer',
      initial: 'running',
      after: { deadline: { actions: raise({ type: 'timer.expired' }) } },
      states: {
        running: {
          after: { tick: { actions: 'count' }, deadline: { guard: 'armed', actions: 'count' } },
          on: { 'timer.expired': 'stopped', ping: { actions: 'count' } },
        },
        stopped: { type: 'final' },
      },
    })
    expect(toMermaid(machine).split('\n')).toEqual([
      'stateDiagram-v2',
      '  [*] --> timer_running',
      '  state "running" as timer_running',
      '  state "stopped" as timer_stopped',
      '  timer_stopped --> [*]',
      '  state "any state" as timer_anyState',
      '  timer_running --> timer_stopped: timer.expired',
      '  timer_running --> timer_running: after tick, after deadline [armed]',
      '  timer_anyState --> timer_anyState: after deadline',
    ])
  })
})
