// The layouts at 0/1/2/3/4/9 other people, with and without a shared screen, on a desktop window and a
// 390×844 phone. happy-dom does not lay out, so this checks what the markup promises (which layout,
// which tile is large, the grid shape the CSS sizes from, the phone shape variables); the geometry
// itself is looked at in Chromium (e2e/screenshare.spec.ts screenshots).
import { describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import type { Participant } from '../conference/types'
import { makeParticipant } from '../testing/fakeConference'
import { TILE_MEDIA, tileMediaOf } from '../composables/tileMedia'
import { fakeSizeWindow } from '../testing/sizeWindow'
import { createTestApp } from '../testing/testApp'
import { useAutoplayStore } from '../stores/autoplay'
import { useSessionStore } from '../stores/session'
import MeetingStage from './MeetingStage.vue'

const room = { id: 'r1', name: 'Team' }

function people(count: number, share: boolean): Participant[] {
  return Array.from({ length: count }, (_, i) => {
    const participant = makeParticipant(i + 1)
    if (share && i === 0) {
      participant.streamIds = [...participant.streamIds, 'screen-1']
      participant.tracks = [...participant.tracks, { trackId: 'sv', streamId: 'screen-1', kind: 'video', source: 'screen', live: true }]
    }
    return participant
  })
}

const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const
const PHONE_SHAPES: Record<number, [number, number]> = { 1: [1, 1], 2: [1, 2], 3: [2, 2], 4: [2, 2], 5: [2, 3], 10: [2, 3] }

async function mountStage(others: number, share: boolean, viewport: { width: number; height: number }, sizeWindow?: ReturnType<typeof fakeSizeWindow>) {
  const app = createTestApp()
  ;(window as unknown as { happyDOM: { setViewport(size: object): void } }).happyDOM.setViewport(viewport)
  app.start()
  app.fake.setView({
    status: 'connected',
    room,
    displayName: 'Ada',
    clientId: 'me',
    local: { audioEnabled: true, videoEnabled: true, audioAvailable: true, videoAvailable: true, streamId: 'local' },
    participants: people(others, share),
  })
  const provide = sizeWindow ? { [TILE_MEDIA]: { ...tileMediaOf(useSessionStore(app.pinia), useAutoplayStore(app.pinia)), sizeWindow: sizeWindow.win } } : {}
  const stage = app.mount(MeetingStage, { attachTo: document.body, global: { provide } })
  await nextTick()
  return { app, stage }
}

describe('MeetingStage layouts', () => {
  for (const [device, viewport] of Object.entries(VIEWPORTS)) {
    for (const others of [0, 1, 2, 3, 4, 9]) {
      it(`${device}: ${others} others without a share is a grid of ${others + 1} tiles`, async () => {
        const { stage } = await mountStage(others, false, viewport)
        expect(stage.get('[data-testid="meeting-stage"]').attributes('data-layout')).toBe('grid')
        const grid = stage.get('[data-testid="video-grid"]')
        expect(grid.findAll('[data-testid="tile"]')).toHaveLength(others + 1)
        const [columns, rows] = PHONE_SHAPES[others + 1]!
        expect(grid.attributes('style')).toContain(`--phone-cols: ${columns}`)
        expect(grid.attributes('style')).toContain(`--phone-rows: ${rows}`)
        expect(stage.get('[data-participant="local"] [data-testid="tile-name"]').text()).toBe('Ada (you)')
        stage.unmount()
      })

      if (others > 0) {
        it(`${device}: ${others} others with a share presents the screen large, the ${others + 1} people in the strip`, async () => {
          const { stage } = await mountStage(others, true, viewport)
          expect(stage.get('[data-testid="meeting-stage"]').attributes('data-layout')).toBe('presentation')
          const main = stage.get('[data-testid="stage-main"]')
          expect(main.findAll('[data-testid="tile"]')).toHaveLength(1)
          expect(main.get('[data-testid="tile"]').attributes('data-kind')).toBe('screen')
          expect(main.get('[data-testid="tile-name"]').text()).toBe("Person 1's screen")
          expect(stage.get('[data-testid="stage-strip"]').findAll('[data-testid="tile"]')).toHaveLength(others + 1)
          stage.unmount()
        })
      }
    }
  }

  it('pinning a person beats the share, unpinning gives the share back', async () => {
    const { stage } = await mountStage(2, true, VIEWPORTS.desktop)
    await stage.get('[data-testid="stage-strip"] [data-participant="client-2"] [data-testid="pin-tile"]').trigger('click')
    expect(stage.get('[data-testid="meeting-stage"]').attributes('data-layout')).toBe('pinned')
    expect(stage.get('[data-testid="stage-main"] [data-testid="tile"]').attributes('data-participant')).toBe('client-2')
    const unpin = stage.get('[data-testid="stage-main"] [data-testid="pin-tile"]')
    expect(unpin.attributes('aria-pressed')).toBe('true')
    expect(unpin.attributes('aria-label')).toMatch(/^Unpin /)
    expect(stage.findAll('[data-testid="stage-strip"] [data-testid="pin-tile"]').map((pin) => pin.attributes('aria-pressed'))).not.toContain('true')
    await unpin.trigger('click')
    expect(stage.get('[data-testid="meeting-stage"]').attributes('data-layout')).toBe('presentation')
    stage.unmount()
  })

  it('the share ending releases the presentation back to the grid', async () => {
    const { app, stage } = await mountStage(2, true, VIEWPORTS.desktop)
    app.fake.setView({ status: 'connected', room, displayName: 'Ada', participants: people(2, false) })
    await nextTick()
    expect(stage.get('[data-testid="meeting-stage"]').attributes('data-layout')).toBe('grid')
    stage.unmount()
  })

  it('your tile minimises to a floating view and comes back', async () => {
    const { stage } = await mountStage(2, false, VIEWPORTS.phone)
    await stage.get('[data-participant="local"] [data-testid="minimise-self"]').trigger('click')
    expect(stage.get('[data-testid="video-grid"]').findAll('[data-testid="tile"]')).toHaveLength(2)
    expect(stage.find('[data-testid="floating-self"] [data-participant="local"]').exists()).toBe(true)
    await stage.get('[data-testid="restore-self"]').trigger('click')
    expect(stage.find('[data-testid="floating-self"]').exists()).toBe(false)
    expect(stage.get('[data-testid="video-grid"]').findAll('[data-testid="tile"]')).toHaveLength(3)
    stage.unmount()
  })

  it('your avatar has the colour the others see for you (from your client id)', async () => {
    const { app, stage } = await mountStage(1, false, VIEWPORTS.desktop)
    app.fake.setView({ status: 'connected', room, displayName: 'Ada', clientId: 'client-1', local: { audioEnabled: true, videoEnabled: false, audioAvailable: true, videoAvailable: true }, participants: [makeParticipant(1)] })
    await nextTick()
    const { hueOf } = await import('../lib/grid')
    expect(stage.get('[data-participant="local"] .tile__avatar').attributes('style')).toContain(`--hue: ${hueOf('client-1')}`)
    stage.unmount()
  })

  // Pinning draws the tile in another place (the grid's tile unmounted, the stage's mounted): the hub must
  // not hear 0×0 in between, which paused that video for a moment (stop 48); unpinning alike.
  it("pinning and unpinning a tile tell the core its new size, never 0x0 in between", async () => {
    const sizes = fakeSizeWindow()
    const { app, stage } = await mountStage(2, false, VIEWPORTS.desktop, sizes)
    sizes.resize(298, 168)
    await nextTick()
    expect(app.fake.videoSizes).toEqual(['stream-1-v 298x168', 'stream-2-v 298x168'])
    await stage.get('[data-testid="video-grid"] [data-participant="client-1"] [data-testid="pin-tile"]').trigger('click')
    expect(stage.get('[data-testid="meeting-stage"]').attributes('data-layout')).toBe('pinned')
    await nextTick()
    sizes.resize(428, 241)
    await nextTick()
    await stage.get('[data-testid="stage-main"] [data-testid="pin-tile"]').trigger('click')
    expect(stage.get('[data-testid="meeting-stage"]').attributes('data-layout')).toBe('grid')
    await nextTick()
    sizes.resize(298, 168)
    await nextTick()
    expect(app.fake.videoSizes).toEqual(['stream-1-v 298x168', 'stream-2-v 298x168', 'stream-1-v 428x241', 'stream-2-v 428x241', 'stream-1-v 298x168', 'stream-2-v 298x168'])
    // A tile that really goes still says so.
    stage.unmount()
    await nextTick()
    expect(app.fake.videoSizes.slice(-2).sort()).toEqual(['stream-1-v 0x0', 'stream-2-v 0x0'])
  })
})
