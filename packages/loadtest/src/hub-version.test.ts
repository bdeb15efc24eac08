import { describe, expect, it } from 'vitest'
import { hubVersionLabels } from './hub-version.js'

describe('hubVersionLabels', () => {
  it('labels one version `before` and several `before1`, `before2`…', () => {
    expect(hubVersionLabels('/a')).toEqual([{ label: 'before', path: '/a' }])
    expect(hubVersionLabels('/a,/b,')).toEqual([
      { label: 'before1', path: '/a' },
      { label: 'before2', path: '/b' },
    ])
    expect(hubVersionLabels('')).toEqual([])
  })
})
