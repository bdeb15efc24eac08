import { describe, expect, it } from 'vitest'
import { parseJoinArgs } from './join-args.js'

describe('parseJoinArgs', () => {
  it('defaults to 9 trials, 1 warm-up, every client, one participant present', () => {
    expect(parseJoinArgs([])).toEqual({ trials: 9, warmup: 1, withoutServiceWorker: false, clients: ['parley', 'sdk', 'tutorial'], present: 1 })
  })

  it('reads the lead’s comparison run (after pnpm’s --)', () => {
    expect(parseJoinArgs(['--', '--present', '3', '--clients', 'parley', '--before-dist', 'main=/tmp/main-dist', '--before-hub', '/tmp/testing.ts', '--trials', '8', '--warmup', '0'])).toEqual({
      trials: 8,
      warmup: 0,
      withoutServiceWorker: false,
      clients: ['parley'],
      present: 3,
      beforeDist: { label: 'main', dir: '/tmp/main-dist' },
      beforeHub: '/tmp/testing.ts',
    })
  })

  it('reads --without-service-worker, which takes no value', () => {
    expect(parseJoinArgs(['--without-service-worker', '--present', '2'])).toMatchObject({ withoutServiceWorker: true, present: 2 })
  })

  it('reads --compare-media-worker, which takes no value', () => {
    expect(parseJoinArgs(['--compare-media-worker', '--clients', 'parley,sdk'])).toMatchObject({ compareMediaWorker: true, clients: ['parley', 'sdk'] })
  })

  it('rejects --compare-media-worker with another second hub (it is one)', () => {
    expect(() => parseJoinArgs(['--compare-media-worker', '--before-hub', '/tmp/testing.ts'])).toThrow(/one second hub/)
    expect(() => parseJoinArgs(['--compare-media-worker', '--before-dist', '/tmp/dist'])).toThrow(/one second hub/)
  })

  it('reads --compare-hub-nice with a nice value, alone among the second hubs', () => {
    expect(parseJoinArgs(['--compare-hub-nice', '-10', '--clients', 'sdk'])).toMatchObject({ compareHubNice: -10, clients: ['sdk'] })
    expect(() => parseJoinArgs(['--compare-hub-nice', '-21'])).toThrow(/unknown or bad option --compare-hub-nice/)
    expect(() => parseJoinArgs(['--compare-hub-nice', 'high'])).toThrow(/unknown or bad option/)
    expect(() => parseJoinArgs(['--compare-hub-nice', '-10', '--compare-media-worker'])).toThrow(/one second hub/)
  })

  it('reads p2p, the floor, beside the hub’s clients, for a call of two only', () => {
    expect(parseJoinArgs(['--clients', 'parley,sdk,p2p'])).toMatchObject({ clients: ['parley', 'sdk', 'p2p'] })
    expect(() => parseJoinArgs(['--clients', 'p2p', '--present', '2'])).toThrow(/call of two pages/)
  })

  it.each([
    [['--present', '0']],
    [['--present', '4']],
    [['--present', '1.5']],
    [['--present']],
    [['--trials', '0']],
    [['--clients', 'parley,janus']],
    [['--colour', 'red']],
  ])('rejects %j', (argv) => {
    expect(() => parseJoinArgs(argv)).toThrow(/unknown or bad option/)
  })
})
