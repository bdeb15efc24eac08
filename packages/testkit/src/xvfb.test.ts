import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { displayFromFd, startVirtualDisplay } from './xvfb.js'

describe('displayFromFd', () => {
  it('reads the number Xvfb writes once it is ready, only when its line is complete', () => {
    expect(displayFromFd('99\n')).toBe(':99')
    expect(displayFromFd('1')).toBeUndefined()
    expect(displayFromFd('')).toBeUndefined()
    expect(displayFromFd('no\n')).toBeUndefined()
  })
})

describe('startVirtualDisplay', () => {
  it('starts Xvfb on a display it chose (its socket there), and stops it', async () => {
    const x = await startVirtualDisplay()
    const socket = `/tmp/.X11-unix/X${x.display.slice(1)}`
    try {
      expect(x.display).toMatch(/^:\d+$/)
      expect(existsSync(socket)).toBe(true)
    } finally {
      await x.close()
    }
    expect(existsSync(socket)).toBe(false)
    await x.close()
  }, 20_000)
})
