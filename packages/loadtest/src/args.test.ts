import { describe, expect, it } from 'vitest'
import { parseCliArgs } from './args.js'

describe('parseCliArgs', () => {
  it('reads the flags of the README example (after pnpm’s --)', () => {
    const options = parseCliArgs(['--', '--sizes', '2,4,8', '--resolution', '640x480', '--fps=15', '--seconds', '3'])
    expect(options).toEqual({ sizes: [2, 4, 8], video: { width: 640, height: 480, fps: 15, kbps: 900 }, seconds: 3, compare: false, comparePlanes: false, rooms: 1, mediaWorkers: undefined, mediaPlane: 'werift', help: false })
  })

  it('defaults to 320x240@20 at 300 kbit/s, sizes 2..16, 10 s', () => {
    expect(parseCliArgs([])).toEqual({ sizes: [2, 4, 8, 12, 16], video: { width: 320, height: 240, fps: 20, kbps: 300 }, seconds: 10, compare: false, comparePlanes: false, rooms: 1, mediaWorkers: undefined, mediaPlane: 'werift', help: false })
  })

  it('reads --compare-planes, which takes no value and excludes --compare', () => {
    expect(parseCliArgs(['--compare-planes', '--sizes', '4'])).toMatchObject({ sizes: [4], compare: false, comparePlanes: true })
    expect(() => parseCliArgs(['--compare', '--compare-planes'])).toThrow(/one comparison per run/)
  })

  it('reads --compare, which takes no value', () => {
    expect(parseCliArgs(['--compare', '--sizes', '4'])).toMatchObject({ sizes: [4], compare: true })
  })

  it('reads --before-hub DIR, alone', () => {
    expect(parseCliArgs(['--before-hub', '/tmp/before', '--sizes', '12,12'])).toMatchObject({ sizes: [12, 12], beforeHub: '/tmp/before' })
    expect(() => parseCliArgs(['--before-hub', '/tmp/before', '--compare'])).toThrow(/give it alone/)
  })

  it('reads --media-plane, for one hub or both --before-hub hubs only', () => {
    expect(parseCliArgs(['--media-plane', 'ndc', '--before-hub', '/tmp/before'])).toMatchObject({ mediaPlane: 'ndc', beforeHub: '/tmp/before' })
    expect(() => parseCliArgs(['--media-plane', 'janus'])).toThrow(/neither werift nor ndc/)
    expect(() => parseCliArgs(['--media-plane', 'ndc', '--compare-planes'])).toThrow(/one hub or --before-hub/)
  })

  it('reads --rooms and the --media-workers list', () => {
    expect(parseCliArgs(['--rooms', '2', '--media-workers', '0,2', '--sizes', '8'])).toMatchObject({ sizes: [8], rooms: 2, mediaWorkers: [0, 2] })
  })

  it.each([
    [['--rooms', '0'], /not a positive number/],
    [['--media-workers', '0,x'], /not a whole number/],
    [['--compare', '--media-workers', '0,2'], /give one of them/],
    [['--sizes', '1,2'], /at least 2/],
    [['--sizes', '2,x'], /not a positive number/],
    [['--resolution', '320'], /320x240/],
    [['--fps'], /needs a value/],
    [['--colour', 'red'], /unknown flag --colour/],
    [['stray'], /unexpected argument/],
  ])('rejects %j with a clear message', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(message)
  })
})
