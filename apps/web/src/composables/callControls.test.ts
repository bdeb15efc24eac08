import { describe, expect, it } from 'vitest'
import { movedControlNotes } from './callControls'

describe('movedControlNotes', () => {
  it('says nothing when nothing moved into More is on', () => {
    expect(movedControlNotes({ sharing: false, handRaised: false, raisedHands: 0 })).toEqual([])
  })

  it('says your share and your hand, and counts the others\' hands without yours', () => {
    expect(movedControlNotes({ sharing: true, handRaised: true, raisedHands: 1 })).toEqual(['you are sharing your screen', 'your hand is raised'])
    expect(movedControlNotes({ sharing: false, handRaised: true, raisedHands: 2 })).toEqual(['your hand is raised', '1 other raised hand'])
    expect(movedControlNotes({ sharing: false, handRaised: false, raisedHands: 3 })).toEqual(['3 other raised hands'])
  })
})
