import { describe, expect, it } from 'vitest'
import { parseRampArgs, roundOrder } from './ramp-args.js'

const HUBS = ['current', 'low-floor']

describe('parseRampArgs', () => {
  it('defaults to what the bench measured before --clients existed: the tutorial client, both publishers, clean and constrained, one round', () => {
    expect(parseRampArgs([], HUBS)).toEqual({
      publishers: ['chromium', 'firefox'],
      links: ['clean', 'constrained'],
      clients: ['tutorial'],
      hubs: ['current'],
      beforeHub: '',
      beforeDists: [],
      rounds: 1,
      uplinkRate: '800kbit',
      slowRates: ['300kbit'],
      slowSeconds: 45,
      slowUntil: null,
      goodSubscribers: 1,
      trace: false,
      simulcast: false,
      lateJoinS: null,
    })
  })

  it('reads --late-join (s after the publisher connected, before the last sample) and refuses bad ones', () => {
    expect(parseRampArgs(['--late-join', '6'], HUBS).lateJoinS).toBe(6)
    expect(() => parseRampArgs(['--late-join', '0'], HUBS)).toThrow('--late-join')
    expect(() => parseRampArgs(['--late-join', '15'], HUBS)).toThrow('--late-join')
    expect(() => parseRampArgs(['--late-join', 'soon'], HUBS)).toThrow('--late-join')
  })

  it('reads the client list, as --clients or --client', () => {
    expect(parseRampArgs(['--clients', 'tutorial,parley'], HUBS).clients).toEqual(['tutorial', 'parley'])
    expect(parseRampArgs(['--client', 'parley'], HUBS).clients).toEqual(['parley'])
  })

  it('reads every other flag', () => {
    const args = parseRampArgs(['--publishers', 'firefox', '--links', 'clean,uplink', '--rounds', '2', '--uplink-rate', '400kbit', '--hubs', 'low-floor,current', '--before-hub', '/tmp/b', '--trace', '--simulcast'], HUBS)
    expect(args).toMatchObject({ simulcast: true, publishers: ['firefox'], links: ['clean', 'uplink'], rounds: 2, uplinkRate: '400kbit', hubs: ['low-floor', 'current'], beforeHub: '/tmp/b', trace: true })
  })

  it('reads the slow subscriber\'s rates and run length, and refuses bad ones', () => {
    expect(parseRampArgs(['--links', 'slow-subscriber', '--slow-rate', '300kbit,600kbit', '--slow-seconds', '30'], HUBS)).toMatchObject({ links: ['slow-subscriber'], slowRates: ['300kbit', '600kbit'], slowSeconds: 30 })
    expect(() => parseRampArgs(['--slow-rate', '300k'], HUBS)).toThrow('--slow-rate')
    expect(() => parseRampArgs(['--slow-rate', '300kbit,300kbit'], HUBS)).toThrow('--slow-rate')
    expect(() => parseRampArgs(['--slow-seconds', '10'], HUBS)).toThrow('--slow-seconds')
    expect(parseRampArgs(['--slow-seconds', '90', '--slow-until', '40'], HUBS)).toMatchObject({ slowSeconds: 90, slowUntil: 40 })
    expect(parseRampArgs([], HUBS).slowUntil).toBeNull()
    expect(() => parseRampArgs(['--slow-until', '50'], HUBS)).toThrow('--slow-until')
    expect(parseRampArgs(['--good-subscribers', '2'], HUBS).goodSubscribers).toBe(2)
    expect(() => parseRampArgs(['--good-subscribers', '0'], HUBS)).toThrow('--good-subscribers')
    expect(() => parseRampArgs(['--good-subscribers', '5'], HUBS)).toThrow('--good-subscribers')
  })

  it('reads --before-dist as labelled or numbered builds, and refuses a label that is a hub name or given twice', () => {
    expect(parseRampArgs(['--before-dist', 'main=/tmp/a,/tmp/b'], HUBS).beforeDists).toEqual([
      { label: 'main', dir: '/tmp/a' },
      { label: 'dist2', dir: '/tmp/b' },
    ])
    expect(() => parseRampArgs(['--before-dist', 'current=/tmp/a'], HUBS)).toThrow('--before-dist')
    expect(() => parseRampArgs(['--before-dist', 'a=/tmp/a,a=/tmp/b'], HUBS)).toThrow('--before-dist')
    expect(() => parseRampArgs(['--before-dist', 'a='], HUBS)).toThrow('--before-dist')
  })

  it('refuses a name it does not know, a name given twice, and bad numbers', () => {
    expect(() => parseRampArgs(['--clients', 'sdk'], HUBS)).toThrow("--clients: 'sdk' is not one of tutorial, parley")
    expect(() => parseRampArgs(['--clients', 'parley,parley'], HUBS)).toThrow('names one twice')
    expect(() => parseRampArgs(['--hubs', 'remb-only'], HUBS)).toThrow('--hubs')
    expect(() => parseRampArgs(['--links', 'lossy'], HUBS)).toThrow('--links')
    expect(() => parseRampArgs(['--rounds', '0'], HUBS)).toThrow('--rounds')
    expect(() => parseRampArgs(['--rounds', '1.5'], HUBS)).toThrow('--rounds')
    expect(() => parseRampArgs(['--uplink-rate', '1mbit'], HUBS)).toThrow('--uplink-rate')
  })
})

describe('roundOrder', () => {
  it('keeps the order in odd rounds and reverses it in even ones, without touching the list', () => {
    const clients = ['tutorial', 'parley']
    expect(roundOrder(clients, 1)).toEqual(['tutorial', 'parley'])
    expect(roundOrder(clients, 2)).toEqual(['parley', 'tutorial'])
    expect(roundOrder(clients, 3)).toEqual(['tutorial', 'parley'])
    expect(clients).toEqual(['tutorial', 'parley'])
  })
})
