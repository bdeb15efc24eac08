import { describe, expect, it } from 'vitest'
import { assertLoopbackOnly, isLoopbackAddress, nonLoopbackInterfaces } from './loopback.js'

const lo = [
  { address: '127.0.0.1', internal: true },
  { address: '::1', internal: true },
]

describe('assertLoopbackOnly', () => {
  it('accepts a table holding only lo', () => {
    expect(() => assertLoopbackOnly({ lo })).not.toThrow()
  })

  it('names every other interface in the error', () => {
    const table = { lo, eth0: [{ address: '10.0.0.5', internal: false }], wlan0: [{ address: '192.168.1.2', internal: false }] }
    expect(() => assertLoopbackOnly(table)).toThrow(/other than lo are present \(eth0, wlan0\).*unshare -n/)
  })

  it('refuses a namespace where lo is down (no addresses)', () => {
    expect(() => assertLoopbackOnly({})).toThrow(/lo is down or missing/)
    expect(() => assertLoopbackOnly({ lo: [] })).toThrow(/lo is down or missing/)
  })

  it('refuses a non-loopback address on lo', () => {
    expect(() => assertLoopbackOnly({ lo: [...lo, { address: '10.1.1.1', internal: true }] })).toThrow(/10\.1\.1\.1/)
  })

  it('ignores interfaces without addresses', () => {
    expect(nonLoopbackInterfaces({ lo, eth0: [] , tun0: undefined })).toEqual([])
  })
})

describe('isLoopbackAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.3.4.5', true],
    ['::1', true],
    ['128.0.0.1', false],
    ['10.0.0.1', false],
    ['fe80::1', false],
  ])('%s → %s', (address, expected) => {
    expect(isLoopbackAddress(address)).toBe(expected)
  })
})
