// view.ts `offerDue`: joining, our first offer not on its way yet (the lock asked for, or the offer being set),
// read from the negotiation's state (no conference snapshot marks its end): what a UI holds a render for.
import { describe, expect, it } from 'vitest'
import { flush } from './test-support/index.js'
import { start } from './test-support/conferenceRun.js'
import { offerDue } from './view.js'

describe('offerDue', () => {
  it('is true from the step into the room until our first offer has left, false before and after', async () => {
    const run = start()
    const due = () => run.conference.offerDue?.(run.conference.actor.getSnapshot())
    run.world.hub.calls.gate('hub.isAllowNegotiate', 'hub.negotiate')
    expect(due()).toBe(false)
    run.conference.join({ displayName: 'Ada', roomName: 'Standup', media: { audio: true, video: true } })
    expect(due()).toBe(false)
    await run.until((s) => s.matches('inRoom'))
    await flush()
    expect(run.world.hub.requests('isAllowNegotiate')).toHaveLength(1)
    expect(due()).toBe(true)
    run.world.hub.calls.find('hub.isAllowNegotiate')!.resolve()
    await flush()
    // The PUT is on its way (held by the fake hub): no longer due.
    expect(run.world.hub.requests('negotiate')).toHaveLength(1)
    expect(due()).toBe(false)
    run.world.hub.calls.find('hub.negotiate')!.resolve()
    await flush()
    expect(due()).toBe(false)
    expect(offerDue(run.conference.actor.getSnapshot())).toBe(false)
  })

  it('is false while a refused lock is waited for (that wait has no bound)', async () => {
    const run = start()
    run.world.hub.next('isAllowNegotiate', { status: 403 })
    run.conference.join({ displayName: 'Ada', roomName: 'Standup', media: { audio: true, video: true } })
    await run.until((s) => s.matches('inRoom'))
    await flush()
    expect(JSON.stringify((run.conference.actor.getSnapshot().children.negotiation?.getSnapshot() as { value?: unknown } | undefined)?.value)).toContain('waitingForLock')
    expect(offerDue(run.conference.actor.getSnapshot())).toBe(false)
  })
})
