import { describe, expect, it } from 'vitest'
import { cycle, focusableIn } from './focus'

describe('cycle', () => {
  it('moves forwards and backwards, wrapping at both ends', () => {
    const items = ['a', 'b', 'c']
    expect(cycle(items, 'a', 1)).toBe('b')
    expect(cycle(items, 'c', 1)).toBe('a')
    expect(cycle(items, 'a', -1)).toBe('c')
    expect(cycle(items, 'b', -1)).toBe('a')
  })

  it('enters from outside at the first item, or the last going backwards', () => {
    expect(cycle(['a', 'b'], null, 1)).toBe('a')
    expect(cycle(['a', 'b'], 'z', -1)).toBe('b')
    expect(cycle([], 'a', 1)).toBeUndefined()
  })
})

describe('focusableIn', () => {
  it('lists what Tab reaches, skipping disabled and hidden elements', () => {
    const root = document.createElement('div')
    root.innerHTML =
      '<button id="one">1</button><button id="off" disabled>2</button><input id="field" />' +
      '<span tabindex="-1" id="skip">3</span><span tabindex="0" id="span">4</span><button id="hidden" hidden>5</button>'
    expect(focusableIn(root).map((element) => element.id)).toEqual(['one', 'field', 'span'])
  })
})
