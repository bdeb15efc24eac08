import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { conferenceMachine, negotiationMachine } from '@parley/core'
import type { Trace } from '@parley/core/trace'
import { activeSet, allStates, machineGraph, takenTransition } from './machineGraph'
import { momentAt } from './traceCursor'
import { MAX_TRACE_FILE_BYTES, loadTraceFile } from './traceFile'

const fixtures = fileURLToPath(new URL('../../../../packages/core/src/trace/fixtures/', `file://${__filename}`))
const fixture = (name: string) => JSON.parse(readFileSync(`${fixtures}${name}.json`, 'utf8')) as Trace

describe('machineGraph', () => {
  it('reads nested and parallel states and labelled transitions from the definition', () => {
    const graph = machineGraph(conferenceMachine)
    const states = allStates(graph.root)
    expect(states.find((s) => s.id === 'inRoom')?.kind).toBe('parallel')
    expect(states.find((s) => s.id === 'inRoom.connection.connected')?.kind).toBe('compound')
    expect(states.find((s) => s.id === 'inRoom.connection.connected.settled')?.kind).toBe('atomic')
    expect(graph.transitions).toContainEqual(expect.objectContaining({ source: 'inRoom.connection.connected.settling', target: 'inRoom.connection.connected.settled', label: 'always [noOfferDue]' }))
    expect(graph.transitions).toContainEqual(expect.objectContaining({ source: 'joining.registered', target: 'inRoom', label: 'always [canReusePreview]' }))
    expect(graph.transitions).toContainEqual(expect.objectContaining({ source: 'leaving', target: 'left', label: 'after leaveTimeout' }))
    expect(graph.transitions).toContainEqual(expect.objectContaining({ source: 'leaving', target: 'left', label: 'always [not needsLeaveRequest]' }))
    expect(states.find((s) => s.id === 'inRoom.connection.connected')?.handles).toEqual(['negotiation.reconnecting', 'events.reconnecting'])
    // A timer without a target (it raises negotiation.failed) is no arrow here, like every self-loop: listed on click.
    expect(states.find((s) => s.id === 'inRoom.connection.connecting')?.handles).toContain('after connectDeadline')
  })

  it('finds the transition an event took between two configurations', () => {
    const graph = machineGraph(negotiationMachine)
    const before = activeSet(['signaling.free.stable', 'localCandidates.sending'])
    const after = activeSet(['signaling.free.seekingLock.requestingLock', 'localCandidates.sending'])
    expect(takenTransition(graph, 'negotiation.change', before, after)?.target).toBe('signaling.free.seekingLock')
    // Through raised or eventless transitions: the one that entered the new state.
    expect(takenTransition(graph, 'exchange.done', before, after)?.target).toBe('signaling.free.seekingLock')
    // An event that only ran actions took no transition.
    expect(takenTransition(graph, 'peer.iceCandidate', before, before)).toBeUndefined()
  })
})

describe('momentAt (time travel)', () => {
  it('gives each statechart its state at an entry, with what moved it', () => {
    const trace = fixture('sse-reconnect')
    const reconnecting = trace.entries.findIndex((e) => e.kind === 'state' && JSON.stringify(e.value) === '"reconnecting"')
    const moment = momentAt(trace, reconnecting)
    expect(moment.machines.find((m) => m.actor === 'conference/events')).toMatchObject({ paths: ['reconnecting'], previousPaths: ['checking'] })
    expect(moment.cause).toMatchObject({ kind: 'http.response', status: 200 })
    const end = momentAt(trace, trace.entries.length + 10)
    expect(end.index).toBe(trace.entries.length - 1)
    expect(end.machines.find((m) => m.actor === 'conference')?.paths).toEqual(['left'])
  })
})

describe('loadTraceFile', () => {
  it('refuses a file over the limit before reading it, saying why', async () => {
    const huge = { size: 200 * 1024 * 1024, name: 'call.json', text: () => Promise.reject(new Error('must not be read')) } as unknown as Blob & { name: string }
    const parser = { parse: () => Promise.reject(new Error('must not be parsed')) }
    expect(await loadTraceFile(huge, parser)).toEqual({ ok: false, error: `call.json is 200 MB: over the ${MAX_TRACE_FILE_BYTES / 1024 / 1024} MB limit for a trace (a 30-minute call's trace is a few MB)` })
  })

  it('hands a file under the limit to the parser', async () => {
    const parser = { parse: async (file: Blob) => ({ ok: false as const, error: `parsed ${file.size}` }) }
    expect(await loadTraceFile(new Blob(['{}']), parser)).toEqual({ ok: false, error: 'parsed 2' })
  })
})
