// Background blur, in Chromium on the built app against the real hub (werift SFU): Ada turns "Blur background"
// on in the pre-join and her own preview goes soft; she joins, and the frames Bo DECODES of her camera are
// measurably blurred (Chromium's fake camera draws sharp edges and a moving pattern, and no person: all of it
// is background) while they keep coming; she turns it off in More → Devices and Bo's frames are sharp again.
// Sharpness: the mean absolute Laplacian of a grey copy of the <video>'s current frame drawn into a canvas (sharpness.ts).
// MediaPipe's files come from the app's own build: every request the page makes is to the hub's origin.
// Loopback-only namespace.
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { waitForDecodedVideo } from '@parley/testkit'
import { medianSharpness as medianOf, readSharpness, sharpnessUntil as sharpnessOfUntil } from './sharpness'
import { joinWithoutMedia, oneRemoteDecoding, openRoom, remoteVideoSelector, useAppCall } from './web-app'

const medianSharpness = (page: Page, selector: string) => medianOf(() => page.evaluate(readSharpness, selector), selector)
const sharpnessUntil = (page: Page, selector: string, test: (edges: number) => boolean, description: string) =>
  sharpnessOfUntil(() => page.evaluate(readSharpness, selector), selector, test, description)

const OWN_VIDEO = '[data-testid="tile-video"]'

describe('background blur (built app, real hub, Chromium)', () => {
  const call = useAppCall(['Ada', 'Bo'])

  it('blurs the preview and what the other participant decodes; turned off in the call, the camera is sharp again', async () => {
    const ada = call.page('Ada')
    const bo = call.page('Bo')
    const started = Date.now()
    const marks: string[] = []
    const mark = (what: string) => marks.push(`${what} ${((Date.now() - started) / 1000).toFixed(1)} s`)
    const requested: string[] = []
    ada.page.on('request', (request) => requested.push(request.url()))
    // What the blur said (a failed start is a warning, not a page error: the plain camera goes on).
    const blurNotes: string[] = []
    ada.page.on('console', (message) => {
      if (message.text().includes('background blur')) blurNotes.push(message.text())
    })

    // The pre-join: the plain preview, then blur on, beside it.
    await ada.page.goto(`${call.hub.url}/`)
    await waitForDecodedVideo(ada.page, OWN_VIDEO).catch(call.explain)
    const plainPreview = await medianSharpness(ada.page, OWN_VIDEO).catch(call.explain)
    mark('preview')
    await ada.page.getByTestId('blur-background').check()
    const blurredPreview = await sharpnessUntil(ada.page, OWN_VIDEO, (edges) => edges < plainPreview.edges / 3, 'Ada’s preview blurred').catch(call.explain)
    expect(await ada.page.evaluate(() => localStorage.getItem('parley.blur'))).toBe('on')
    mark('preview blurred')

    // She joins with it; Bo decodes her camera blurred, and it keeps coming.
    const invite = await openRoom(ada, call.hub.url, 'Soft focus', call.explain)
    await joinWithoutMedia(bo, invite)
    const adaId = await oneRemoteDecoding(bo, 'Ada', call.explain)
    const adaVideo = remoteVideoSelector(adaId)
    mark('Bo decodes Ada')
    const blurredAtBo = await medianSharpness(bo.page, adaVideo).catch(call.explain)
    const stillBlurred = await medianSharpness(bo.page, adaVideo).catch(call.explain)
    expect(stillBlurred.frames).toBeGreaterThan(blurredAtBo.frames)
    mark('Bo measured')

    // More → Devices: blur off. The core reopens the camera and swaps the sent track; Bo's frames are sharp again.
    await ada.page.getByTestId('more-button').click()
    await ada.page.getByTestId('menu-devices').click()
    const box = ada.page.getByTestId('devices-dialog').getByTestId('blur-background')
    // Still on: a blur that failed in the call turns the choice off (stores/blur.ts); its page errors say why.
    expect(await box.isChecked(), `blur still wanted; what it said: ${JSON.stringify(blurNotes)}`).toBe(true)
    await box.uncheck()
    const sharpAtBo = await sharpnessUntil(bo.page, adaVideo, (edges) => edges > 3 * stillBlurred.edges, 'Bo decoding Ada sharp again').catch(call.explain)
    expect(sharpAtBo.frames).toBeGreaterThan(stillBlurred.frames)
    mark('sharp again')

    console.log(
      `background blur: mean |Laplacian| preview ${plainPreview.edges.toFixed(2)} → ${blurredPreview.edges.toFixed(2)}; ` +
        `at Bo blurred ${blurredAtBo.edges.toFixed(2)}, off ${sharpAtBo.edges.toFixed(2)}; ${marks.join(', ')}`,
    )
    // MediaPipe's script, wasm, model and graph came from the app's own origin, like everything else.
    const origin = new URL(call.hub.url).origin
    expect(requested.filter((url) => !url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:'))).toEqual([])
    expect(requested.some((url) => url.includes('selfie_segmentation_landscape'))).toBe(true)
    expect(ada.errors).toEqual([])
    expect(bo.errors).toEqual([])
  })
})
