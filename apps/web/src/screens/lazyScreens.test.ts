import { getActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { defineComponent } from 'vue'
import { createTestApp } from '../testing/testApp'
import { lazyScreen } from './lazyScreens'

const Screen = defineComponent({ render: () => null })

describe('lazyScreen', () => {
  it('loads the chunk once and runs its prepare only when asked (the idle prefetch), not on a plain load', async () => {
    let loads = 0
    let prepared = 0
    const screen = lazyScreen(async () => {
      loads++
      return { default: Screen, prepare: () => prepared++ }
    })
    expect(await screen.load()).toBe(Screen)
    expect([loads, prepared]).toEqual([1, 0])
    await screen.prepare()
    expect([loads, prepared, screen.component.value === Screen]).toEqual([1, 1, true])
  })

  it('prepares a chunk without a prepare export as a plain load', async () => {
    const screen = lazyScreen(async () => ({ default: Screen }))
    await screen.prepare()
    expect(screen.component.value).toBe(Screen)
  })
})

describe("the call screen's prepare", () => {
  it('creates the call-only stores before the call is drawn, so its first render finds them', async () => {
    createTestApp().start()
    const pinia = getActivePinia()!
    const { prepare } = await import('../components/CallView.vue')
    expect(['chat', 'layout', 'participantsPanel', 'presence', 'shortcuts'].filter((id) => pinia.state.value[id] !== undefined)).toEqual([])
    prepare()
    expect(['chat', 'layout', 'participantsPanel', 'presence', 'shortcuts'].filter((id) => pinia.state.value[id] !== undefined)).toEqual(['chat', 'layout', 'participantsPanel', 'presence', 'shortcuts'])
  })
})
