// The resolution hold as a statechart: asked at once, released RESOLUTION_HOLD_MS after the first ICE
// connect (the sender asked once it has answered the hold), nothing released after a refusal or a stop. Every state
// and transition of the machine is taken by these tests (the last one checks).
import { describe, expect, it } from 'vitest'
import { createActor } from 'xstate'
import { CameraSender, RESOLUTION_HOLD_MS } from '../sendResolution.js'
import type { RtpSenderLike } from '../ports.js'
import { CoverageRecorder } from '../test-support/coverage.js'
import { ManualClock, flush } from '../test-support/index.js'
import { resolutionHoldActors } from './resolutionHoldActors.js'
import { resolutionHoldMachine } from './resolutionHoldMachine.js'

/** A browser's sender: what it was last given is what getParameters answers (its own preference first). */
function browserSender(preference?: string, refuse = false) {
  let parameters: Record<string, unknown> = { transactionId: 'tx-7', encodings: [{ active: true, scaleResolutionDownBy: 1 }], ...(preference ? { degradationPreference: preference } : {}) }
  const given: Record<string, unknown>[] = []
  const sender: RtpSenderLike = {
    track: null,
    replaceTrack: async () => undefined,
    getParameters: () => ({ ...parameters }),
    setParameters: async (next) => {
      given.push(next as Record<string, unknown>)
      if (refuse) throw new Error('InvalidModificationError')
      parameters = { ...(next as Record<string, unknown>) }
    },
  }
  return { sender, given, preference: () => parameters.degradationPreference }
}

const coverage = new CoverageRecorder()

function hold(sender: RtpSenderLike) {
  const clock = new ManualClock()
  const camera = new CameraSender()
  camera.attach(sender)
  const actor = createActor(resolutionHoldMachine.provide({ actors: resolutionHoldActors({ camera }) }), { clock, inspect: coverage.inspector('resolutionHold') }).start()
  const connected = () => actor.send({ type: 'peer.iceConnected' })
  return { clock, actor, connected, state: () => actor.getSnapshot().value }
}

/** Held, then released as the negotiation's peer session would have it: ICE connected, then the delay. */
async function heldThenReleased(sender: RtpSenderLike) {
  const run = hold(sender)
  await flush()
  run.connected()
  run.clock.advance(RESOLUTION_HOLD_MS)
  await flush()
  return run
}

describe('resolutionHoldMachine', () => {
  it("asks at once for 'maintain-resolution' with the sender's own parameters (its transaction id and encodings) unchanged", async () => {
    const { sender, given } = browserSender('balanced')
    const run = hold(sender)
    await flush()
    expect(given).toEqual([{ transactionId: 'tx-7', encodings: [{ active: true, scaleResolutionDownBy: 1 }], degradationPreference: 'maintain-resolution' }])
    expect(run.state()).toEqual({ holding: 'waiting' })
  })

  it("the release gives back the sender's own preference, or 'balanced' when it named none", async () => {
    const own = browserSender('maintain-framerate')
    const none = browserSender()
    const runs = [await heldThenReleased(own.sender), await heldThenReleased(none.sender)]
    expect([own.given[0]?.degradationPreference, none.given[0]?.degradationPreference]).toEqual(['maintain-resolution', 'maintain-resolution'])
    expect([own.preference(), none.preference()]).toEqual(['maintain-framerate', 'balanced'])
    expect(own.given.at(-1)).toMatchObject({ transactionId: 'tx-7', encodings: [{ active: true, scaleResolutionDownBy: 1 }] })
    expect(runs.map((run) => run.state())).toEqual(['released', 'released'])
  })

  it("takes werift's synchronous setParameters (no promise back) and one that throws, without an error", async () => {
    const given: object[] = []
    const werift: RtpSenderLike = { track: null, replaceTrack: async () => undefined, getParameters: () => ({ encodings: [] }), setParameters: (parameters) => void given.push(parameters) }
    await heldThenReleased(werift)
    expect(given).toEqual([
      { encodings: [], degradationPreference: 'maintain-resolution' },
      { encodings: [], degradationPreference: 'balanced' },
    ])
    const throwing: RtpSenderLike = {
      track: null,
      replaceTrack: async () => undefined,
      getParameters: () => {
        throw new Error('closed')
      },
    }
    const run = await heldThenReleased(throwing)
    expect(run.state()).toBe('released')
    expect(run.actor.getSnapshot().status).toBe('active')
  })

  it('leaves a sender without parameters (a replay) alone; after a refusal the release asks nothing', async () => {
    const bare = await heldThenReleased({ track: null, replaceTrack: async () => undefined })
    expect(bare.state()).toBe('released')
    const refusing = browserSender(undefined, true)
    const run = await heldThenReleased(refusing.sender)
    expect(refusing.given.map((parameters) => parameters.degradationPreference)).toEqual(['maintain-resolution'])
    expect(refusing.preference()).toBeUndefined()
    expect(run.state()).toBe('released')
  })

  it(`releases ${RESOLUTION_HOLD_MS} ms after ICE connected, counted from the first connect only`, async () => {
    const { sender, preference } = browserSender('balanced')
    const run = hold(sender)
    await flush()
    expect(run.clock.pendingTimers).toBe(0)
    run.connected()
    run.clock.advance(RESOLUTION_HOLD_MS - 1)
    run.connected()
    expect(run.clock.scheduledDelays()).toEqual([1])
    await flush()
    expect(preference()).toBe('maintain-resolution')
    run.clock.advance(1)
    await flush()
    expect(preference()).toBe('balanced')
    run.connected()
    expect(run.clock.pendingTimers).toBe(0)
    expect(run.state()).toBe('released')
  })

  it('an ICE connect before the sender answered starts the delay; the release is asked of the sender once it answered', async () => {
    let answer: () => void = () => undefined
    const given: string[] = []
    const slow: RtpSenderLike = {
      track: null,
      replaceTrack: async () => undefined,
      getParameters: () => ({}),
      setParameters: (parameters) => {
        given.push(String((parameters as { degradationPreference?: string }).degradationPreference))
        return given.length === 1 ? new Promise<void>((resolve) => (answer = resolve)) : undefined
      },
    }
    const run = hold(slow)
    run.connected()
    expect(run.clock.scheduledDelays()).toEqual([RESOLUTION_HOLD_MS])
    run.clock.advance(RESOLUTION_HOLD_MS)
    await flush()
    expect(run.state()).toBe('released')
    expect(given).toEqual(['maintain-resolution'])
    answer()
    await flush()
    expect(given).toEqual(['maintain-resolution', 'balanced'])
    expect(run.state()).toBe('released')
  })

  it('stopping it cancels the release and its timer, also before ICE connected', async () => {
    const { sender, given } = browserSender('balanced')
    const run = hold(sender)
    run.connected()
    run.actor.stop()
    expect(run.clock.pendingTimers).toBe(0)
    const early = hold(browserSender().sender)
    early.actor.stop()
    expect(early.clock.pendingTimers).toBe(0)
    await flush()
    run.clock.advance(RESOLUTION_HOLD_MS)
    await flush()
    expect(given.map((parameters) => parameters.degradationPreference)).toEqual(['maintain-resolution'])
  })

  // Runs last: what the tests above took.
  it('the tests above took every state and transition', () => {
    const report = coverage.report(resolutionHoldMachine)
    expect(report.states.missing).toEqual([])
    expect(report.transitions.missing).toEqual([])
  })
})
