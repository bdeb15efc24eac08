// SimulcastLayers.layerAt walks the layers without active()'s arrays (it runs per forwarded packet and
// subscriber): it must pick what active() ranks, whatever the widths, silences, frame rates and starvation.
import { describe, expect, it } from 'vitest'
import { systemClock } from '../clock.js'
import { LAYER_IDLE_MS, SimulcastLayers } from './werift-simulcast.js'
import { seededRandom } from '../test-support/seededRandom.js'

describe('SimulcastLayers.layerAt and isActive', () => {
  it('is active(now)[min(level, its length) − 1] over random layer states, ties in width included', () => {
    const random = seededRandom(35)
    const now = 1_000_000
    let nonEmpty = 0
    for (let round = 0; round < 3000; round++) {
      const count = 1 + Math.floor(random() * 3)
      const layers = new SimulcastLayers(['q', 'h', 'f'].slice(0, count), systemClock, () => true)
      for (const layer of layers.layers) {
        // Few widths, so that ties and unranked (0) layers come up often.
        layer.width = [0, 160, 320, 320, 640][Math.floor(random() * 5)]!
        layer.lastPacketAt = now - Math.floor(random() * (LAYER_IDLE_MS * 1.5))
        layer.framesPerSecond = random() < 0.3 ? undefined : random() * 30
        layer.starved = random() < 0.4
      }
      const active = layers.active(now)
      if (active.length > 0) nonEmpty++
      for (const level of [0, 1, 2, 3, 4, Number.POSITIVE_INFINITY]) {
        const expected = level <= 0 ? undefined : active[Math.min(level, active.length) - 1]
        expect(layers.layerAt(level, now)).toBe(expected)
      }
      for (const layer of layers.layers) expect(layers.isActive(layer, now)).toBe(active.includes(layer))
      layers.end()
    }
    // The rounds cover both: some layers sending, and none.
    expect(nonEmpty).toBeGreaterThan(500)
    expect(nonEmpty).toBeLessThan(3000)
  })
})
