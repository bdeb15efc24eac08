// Device choice end to end, against the app as `npm start` serves it (built app on the real hub and
// its werift SFU), three Chromium participants with Chromium's fake devices (asked for three cameras:
// `--use-fake-device-for-media-stream=device-count=3`; the microphones are the fake audio inputs).
// Chromium's fake_device_1 is a Y16 (depth) camera whose frames WebRTC does not send, so the camera
// switch goes to the last one listed, fake_device_2 (MJPEG).
// Bo switches microphone mid-call through More → Devices…, then camera when a second one is listed:
// Ada and Cy keep Bo's one tile, and Bo's audio (video) keeps arriving on the same receiver, the
// transceivers' mids unchanged, and Bo's page makes no new offer (replaceTrack, no renegotiation).
// Asserted on stats and the DOM, never on sleeps. Printed: the switch gap at each receiver (the
// longest pause between received audio packets / decoded frames around the switch, next to the
// longest pause before it). Finally Bo leaves and opens the app again: the pre-join's select shows
// the microphone chosen (remembered in localStorage).
import { chromium, type Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { chromiumArgs, pollUntil } from '@parley/testkit'
import { REMOTE_TILE, type AppParticipant, oneRemoteDecoding, remoteTiles, useAppCall } from './web-app'

const ROOM_NAME = 'Device check'

/** Before the app loads: every RTCPeerConnection in `__pcs`, and every offer this page makes counted in `__offers`. */
function exposePeerConnections() {
  const scope = globalThis as unknown as { __pcs: RTCPeerConnection[]; __offers: number; RTCPeerConnection: typeof RTCPeerConnection }
  const Native = scope.RTCPeerConnection
  scope.__pcs = []
  scope.__offers = 0
  const createOffer = Native.prototype.createOffer
  Native.prototype.createOffer = function (this: RTCPeerConnection, ...args: unknown[]) {
    scope.__offers += 1
    return (createOffer as (...a: unknown[]) => Promise<RTCSessionDescriptionInit>).apply(this, args)
  } as typeof createOffer
  const setLocalDescription = Native.prototype.setLocalDescription
  Native.prototype.setLocalDescription = function (this: RTCPeerConnection, ...args: unknown[]) {
    // An implicit offer (no description, from stable) is an offer too.
    if (args.length === 0 && this.signalingState === 'stable') scope.__offers += 1
    return (setLocalDescription as (...a: unknown[]) => Promise<void>).apply(this, args)
  } as typeof setLocalDescription
  scope.RTCPeerConnection = class extends Native {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args)
      scope.__pcs.push(this)
    }
  }
}

interface ReceiverProbe {
  samples: { at: number; count: number }[]
}

/**
 * In an observer's page: samples, every 20 ms, the counter of the receiver that plays `participant`'s
 * `kind` track (audio: inbound-rtp packetsReceived; video: framesDecoded), found through the tile's element.
 */
async function armReceiverProbe(page: Page, participant: string, kind: 'audio' | 'video'): Promise<void> {
  await page.evaluate(
    ({ selector, kind }) => {
      const scope = globalThis as unknown as { __pcs: RTCPeerConnection[]; __probe?: ReceiverProbe & { stop(): void } }
      const video = document.querySelector<HTMLVideoElement>(selector)
      const track = (video?.srcObject as MediaStream | null)?.getTracks().find((candidate) => candidate.kind === kind)
      const receiver = scope.__pcs.flatMap((pc) => pc.getReceivers()).find((candidate) => candidate.track === track)
      if (!track || !receiver) throw new Error(`no ${kind} receiver plays the tile ${selector}`)
      const samples: { at: number; count: number }[] = []
      let busy = false
      const timer = setInterval(async () => {
        if (busy) return
        busy = true
        const report = await receiver.getStats()
        report.forEach((stat: { type: string; kind?: string; packetsReceived?: number; framesDecoded?: number }) => {
          if (stat.type !== 'inbound-rtp' || stat.kind !== kind) return
          samples.push({ at: performance.now(), count: (kind === 'audio' ? stat.packetsReceived : stat.framesDecoded) ?? 0 })
        })
        busy = false
      }, 20)
      scope.__probe = { samples, stop: () => clearInterval(timer) }
    },
    { selector: `${REMOTE_TILE}[data-participant="${participant}"] [data-testid="tile-video"]`, kind },
  )
}

async function probeSamples(page: Page): Promise<{ at: number; count: number }[]> {
  return page.evaluate(() => [...(globalThis as unknown as { __probe: ReceiverProbe }).__probe.samples])
}

async function stopProbe(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as { __probe: { stop(): void } }).__probe.stop())
}

/** The longest pause (ms) between two samples whose counter grew, before and after `switchedAt`. */
function longestPauses(samples: { at: number; count: number }[], switchedAt: number): { before: number; around: number } {
  let lastGrowth: number | undefined
  let before = 0
  let around = 0
  for (const [i, sample] of samples.entries()) {
    if (i === 0 || sample.count <= samples[i - 1]!.count) continue
    if (lastGrowth !== undefined) {
      const pause = sample.at - lastGrowth
      if (sample.at < switchedAt) before = Math.max(before, pause)
      else around = Math.max(around, pause)
    }
    lastGrowth = sample.at
  }
  return { before, around }
}

/** What the observer's peer connection receives: transceiver mids (a renegotiation that added or moved one shows here). */
async function receiverMids(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    (globalThis as unknown as { __pcs: RTCPeerConnection[] }).__pcs.flatMap((pc) => (pc.connectionState === 'closed' ? [] : pc.getTransceivers().map((t) => `${t.mid}:${t.receiver.track.kind}`))),
  )
}

async function offersMade(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as { __offers: number }).__offers)
}

/** The device id Bo's sender of `kind` sends now (its track's settings). */
async function sentDeviceId(page: Page, kind: 'audio' | 'video'): Promise<string | undefined> {
  return page.evaluate(
    (kind) =>
      (globalThis as unknown as { __pcs: RTCPeerConnection[] }).__pcs
        .flatMap((pc) => (pc.connectionState === 'closed' ? [] : pc.getSenders()))
        .find((sender) => sender.track?.kind === kind)
        ?.track?.getSettings().deviceId,
    kind,
  )
}

describe('device choice (built app on the real hub, three Chromium participants)', () => {
  const call = useAppCall(['Ada', 'Bo', 'Cy'], {
    launch: () =>
      chromium.launch({
        executablePath: process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium',
        headless: true,
        // Three fake cameras (the fake microphones come as they are), instead of chromiumArgs' plain flag.
        args: [...chromiumArgs().filter((arg) => arg !== '--use-fake-device-for-media-stream'), '--use-fake-device-for-media-stream=device-count=3'],
      }),
  })
  const { participants, explain } = call
  let ada: AppParticipant
  let bo: AppParticipant
  let cy: AppParticipant
  let boId = ''
  let chosenMicrophone = ''

  beforeAll(async () => {
    ;[ada, bo, cy] = participants as [AppParticipant, AppParticipant, AppParticipant]
    for (const participant of participants) await participant.page.addInitScript(exposePeerConnections)
  })

  it('three people are in the call; Ada and Cy each decode Bo', async () => {
    await ada.page.goto(`${call.hub.url}/`)
    await ada.page.getByTestId('display-name').fill('Ada')
    await ada.page.getByTestId('room-name').fill(ROOM_NAME)
    await ada.page.getByTestId('join-button').click()
    const invite = ada.page.getByTestId('invite-link-text')
    await invite.waitFor({ timeout: 20_000 }).catch(explain)
    const inviteUrl = (await invite.textContent())?.trim() ?? ''
    await bo.page.goto(inviteUrl)
    await bo.page.getByTestId('display-name').fill('Bo')
    // The pre-join lists the fake devices by name once the preview has permission.
    await expect.poll(() => bo.page.getByTestId('select-microphone').locator('option').count(), { timeout: 20_000 }).toBeGreaterThan(1)
    const listed = await bo.page.evaluate(async () => (await navigator.mediaDevices.enumerateDevices()).map((d) => `${d.kind}: ${d.label}`))
    console.log(`[parley e2e] devices Chromium's fake media lists: ${listed.join('; ')}`)
    await bo.page.getByTestId('join-button').click()
    await bo.page.getByTestId('call').waitFor({ timeout: 20_000 }).catch(explain)
    await oneRemoteDecoding(bo, 'Ada', explain)
    boId = await oneRemoteDecoding(ada, 'Bo', explain)
    await cy.page.goto(inviteUrl)
    await cy.page.getByTestId('display-name').fill('Cy')
    await cy.page.getByTestId('join-button').click()
    await cy.page.getByTestId('call').waitFor({ timeout: 20_000 }).catch(explain)
    for (const participant of participants) {
      await pollUntil(async () => ((await participant.page.locator('[data-testid="tile"][data-local="false"][data-video="on"]').count()) === 2 ? true : undefined), {
        timeoutMs: 30_000,
        description: `${participant.name} to show two remote videos`,
      }).catch(explain)
    }
  })

  async function switchOnBo(kind: 'audio' | 'video', testId: 'select-microphone' | 'select-camera'): Promise<string | undefined> {
    const observers = [ada, cy]
    // The tiles compared after the switch are read once every remote tile carries its owner's name: a
    // stream that arrives before the hub says whose it is shows as an unnamed tile first (its id and name
    // change when the owner is known), which is no renegotiation of Bo's.
    const tilesBefore = await Promise.all(
      observers.map((observer) => {
        const others = participants.filter((participant) => participant !== observer).map((participant) => participant.name).sort()
        let seen: Awaited<ReturnType<typeof remoteTiles>> = []
        return pollUntil(
          async () => {
            seen = await remoteTiles(observer.page)
            return JSON.stringify(seen.map((tile) => tile.name).sort()) === JSON.stringify(others) ? seen : undefined
          },
          { timeoutMs: 10_000, description: `${observer.name}'s remote tiles named ${others.join(', ')}`, seen: () => seen },
        ).catch(explain)
      }),
    )
    const midsBefore = await Promise.all(observers.map((o) => receiverMids(o.page)))
    const offersBefore = await offersMade(bo.page)
    const sentBefore = await sentDeviceId(bo.page, kind)

    await bo.page.getByTestId('more-button').click()
    await bo.page.getByTestId('menu-devices').click()
    const select = bo.page.getByTestId('devices-dialog').getByTestId(testId)
    await select.waitFor({ timeout: 5_000 }).catch(explain)
    const current = await select.inputValue()
    const options = await select.locator('option').evaluateAll((nodes) => nodes.map((node) => (node as HTMLOptionElement).value))
    // Chromium's `default` entry names the same device as the first one: pick another real device (the
    // last one listed: for cameras, not the depth camera fake_device_1).
    const target = options.reverse().find((value) => value !== current && value !== 'default' && value !== 'communications' && value !== sentBefore)
    if (!target) return undefined

    for (const observer of observers) await armReceiverProbe(observer.page, boId, kind)
    // Let each probe see the flow before the switch.
    for (const observer of observers) {
      let samples = 0
      await pollUntil(async () => {
        samples = (await probeSamples(observer.page)).length
        return samples >= 10 ? true : undefined
      }, {
        timeoutMs: 10_000,
        description: `${observer.name}'s probe of Bo's ${kind} to take 10 samples`,
        seen: () => `${samples} samples`,
      }).catch(explain)
    }
    const switchedAt = await Promise.all(observers.map((o) => o.page.evaluate(() => performance.timeOrigin + performance.now())))
    await select.selectOption(target)
    await expect.poll(() => sentDeviceId(bo.page, kind), { timeout: 15_000 }).toBe(target)
    await bo.page.getByTestId('devices-close').click()

    for (const [i, observer] of observers.entries()) {
      // Still arriving after the switch: the counter grows by a good margin past where it was once Bo's sender had the new track.
      const afterSwitch = (await probeSamples(observer.page)).at(-1)!.count
      await pollUntil(async () => ((await probeSamples(observer.page)).at(-1)!.count > afterSwitch + (kind === 'audio' ? 50 : 15) ? true : undefined), {
        timeoutMs: 20_000,
        description: `${observer.name} to keep receiving Bo's ${kind} after the switch`,
      }).catch(explain)
      await stopProbe(observer.page)
      const origin = await observer.page.evaluate(() => performance.timeOrigin)
      const pauses = longestPauses(await probeSamples(observer.page), switchedAt[i]! - origin)
      console.log(
        `[parley e2e] ${kind} device switch gap at ${observer.name}: ${pauses.around.toFixed(0)} ms longest pause in received ${kind === 'audio' ? 'packets' : 'decoded frames'} ` +
          `after Bo chose it (longest before: ${pauses.before.toFixed(0)} ms; sampled every 20 ms)`,
      )
      // The same one tile for Bo, and the same transceivers: nothing was renegotiated.
      expect(await remoteTiles(observer.page)).toEqual(tilesBefore[i])
      expect(await receiverMids(observer.page)).toEqual(midsBefore[i])
    }
    expect(await offersMade(bo.page)).toBe(offersBefore)
    return target
  }

  it('Bo switches microphone mid-call: Ada and Cy keep receiving Bo on the same tile, with no new offer', async () => {
    const target = await switchOnBo('audio', 'select-microphone')
    expect(target, 'a second fake microphone to switch to').toBeDefined()
    chosenMicrophone = target!
  })

  it('Bo switches camera mid-call (when Chromium lists its third fake camera): the same tile keeps decoding', async () => {
    const cameras = await bo.page.evaluate(async () => (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput').length)
    if (cameras < 3) {
      console.log(`[parley e2e] camera switch not measured: Chromium lists ${cameras} fake camera(s)`)
      return
    }
    expect(await switchOnBo('video', 'select-camera')).toBeDefined()
  })

  it("the choice is remembered: Bo leaves, opens the app again, and the pre-join's select shows that microphone", async () => {
    await bo.page.getByTestId('leave-button').click()
    await bo.page.goto(`${call.hub.url}/`)
    await expect.poll(() => bo.page.getByTestId('select-microphone').inputValue(), { timeout: 20_000 }).toBe(chosenMicrophone)
  })

  it('no page logged an error', () => {
    expect(participants.map((p) => ({ name: p.name, errors: p.errors }))).toEqual(participants.map((p) => ({ name: p.name, errors: [] })))
  })
})
