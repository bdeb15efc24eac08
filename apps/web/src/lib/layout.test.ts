import { describe, expect, it } from 'vitest'
import { makeParticipant, makeView } from '../testing/fakeConference'
import { activeSpeakerOf, arrange, noteUnmuted } from './layout'
import { buildTiles } from './tiles'

function sharing(index: number, name = `Person ${index}`) {
  const participant = makeParticipant(index, { name, streamIds: [`stream-${index}`, `screen-${index}`] })
  participant.tracks = [...participant.tracks, { trackId: `sv-${index}`, streamId: `screen-${index}`, kind: 'video', source: 'screen', live: true }]
  return participant
}

const tilesOf = (participants = [makeParticipant(1), makeParticipant(2)]) => buildTiles(makeView({ participants, displayName: 'Ada' }), 'Ada')

describe('arrange', () => {
  it('is a grid of everyone by default', () => {
    const result = arrange({ tiles: tilesOf(), preference: 'grid', selfMinimised: false })
    expect(result.mode).toBe('grid')
    expect(result.others.map((t) => t.key)).toEqual(['local', 'client-1', 'client-2'])
  })

  it('presents a share automatically, large, with the people in the strip; released when it ends', () => {
    const withShare = tilesOf([makeParticipant(1), sharing(2, 'Bo')])
    const presented = arrange({ tiles: withShare, preference: 'grid', selfMinimised: false })
    expect(presented.mode).toBe('presentation')
    expect(presented.main?.label).toBe("Bo's screen")
    expect(presented.others.map((t) => t.key)).toEqual(['local', 'client-1', 'client-2'])
    expect(arrange({ tiles: tilesOf(), preference: 'grid', selfMinimised: false }).mode).toBe('grid')
  })

  it('a pin beats the automatic presentation; a pin of a tile that left is ignored', () => {
    const withShare = tilesOf([makeParticipant(1), sharing(2)])
    const pinned = arrange({ tiles: withShare, preference: 'grid', pinned: 'client-1', selfMinimised: false })
    expect(pinned).toMatchObject({ mode: 'pinned', main: { key: 'client-1' } })
    expect(pinned.others.map((t) => t.key)).toEqual(['local', 'client-2', 'screen:client-2'])
    expect(arrange({ tiles: withShare, preference: 'grid', pinned: 'gone', selfMinimised: false }).mode).toBe('presentation')
  })

  it('your own share is not presented to you (it would mirror itself)', () => {
    const tiles = buildTiles(makeView({ participants: [makeParticipant(1)], screenShare: { state: 'sharing', streamId: 'mine' } }), 'Ada')
    expect(arrange({ tiles, preference: 'grid', selfMinimised: false }).mode).toBe('grid')
  })

  it('speaker: the active speaker large, others in the strip; alone it stays a grid', () => {
    const result = arrange({ tiles: tilesOf(), preference: 'speaker', activeSpeaker: 'client-2', selfMinimised: false })
    expect(result).toMatchObject({ mode: 'speaker', main: { key: 'client-2' } })
    expect(arrange({ tiles: tilesOf(), preference: 'speaker', selfMinimised: false }).main?.key).toBe('client-1')
    expect(arrange({ tiles: tilesOf([]), preference: 'speaker', selfMinimised: false }).mode).toBe('grid')
  })

  it('a minimised self view floats outside the layout', () => {
    const result = arrange({ tiles: tilesOf(), preference: 'grid', selfMinimised: true })
    expect(result.floating?.key).toBe('local')
    expect(result.others.map((t) => t.key)).toEqual(['client-1', 'client-2'])
  })
})

describe('activeSpeakerOf', () => {
  it("takes the view's active speaker when the core reports one", () => {
    const view = { ...makeView({ participants: [makeParticipant(1), makeParticipant(2)] }), activeSpeaker: 'client-2' }
    expect(activeSpeakerOf(view, ['client-1'])).toBe('client-2')
  })

  it('else the most recently unmuted participant whose microphone is still on', () => {
    const view = makeView({ participants: [makeParticipant(1, { audioEnabled: false }), makeParticipant(2)] })
    expect(activeSpeakerOf(view, ['client-1', 'client-2'])).toBe('client-2')
    expect(activeSpeakerOf(makeView(), [])).toBeUndefined()
  })

  it('noteUnmuted puts whoever turned their microphone on first', () => {
    const before = makeView({ participants: [makeParticipant(1), makeParticipant(2, { audioEnabled: false })] })
    const after = makeView({ participants: [makeParticipant(1), makeParticipant(2)] })
    expect(noteUnmuted(undefined, before, [])).toEqual(['client-1'])
    expect(noteUnmuted(before, after, ['client-1'])).toEqual(['client-2', 'client-1'])
    const order = ['client-2', 'client-1']
    // The same array when nothing changed: the layout store's ref is then not set to a new value.
    expect(noteUnmuted(after, after, order)).toBe(order)
  })
})
