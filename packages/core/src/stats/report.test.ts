import { describe, expect, it } from 'vitest'
import { combinedReport, recordedSamples, type FixtureName } from './fixtures.js'
import { readSample, sampleFieldsOf } from './report.js'

describe('sampleFieldsOf (what a call trace keeps of a getStats report)', () => {
  it.each<FixtureName>(['good', 'lossy', 'frozen'])('keeps every figure readSample reads: the %s recording reads the same reduced', (name) => {
    for (const sample of recordedSamples(name)) {
      const report = combinedReport(sample)
      const reduced = sampleFieldsOf(report)
      expect(readSample(reduced, sample.atMs)).toEqual(readSample(report, sample.atMs))
      expect(JSON.stringify(reduced).length).toBeLessThan(JSON.stringify(report).length / 2)
    }
  })
})
