import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { hubSourceDir } from './hub-source.js'

const repo = fileURLToPath(new URL('../../..', import.meta.url))
const hubSrc = fileURLToPath(new URL('../../hub/src', import.meta.url))

describe('hubSourceDir', () => {
  it('finds the hub src from a checkout, its packages/hub or the src itself', () => {
    expect(hubSourceDir(repo)).toBe(hubSrc)
    expect(hubSourceDir(`${repo}/packages/hub`)).toBe(hubSrc)
    expect(hubSourceDir(hubSrc)).toBe(hubSrc)
  })

  it('refuses a directory without hub source', () => {
    expect(() => hubSourceDir(`${repo}/packages/loadtest`)).toThrow(/no hub source there/)
  })
})
