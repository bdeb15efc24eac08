// End-to-end encryption, in real browsers on the built app against the real hub (werift SFU): Ada (Chromium)
// makes her new room encrypted on the pre-join; Bo opens her invite, key and all, in Firefox ESR, and each
// decodes the other through the other browser's RTCRtpScriptTransform; both read the same safety code. Dan
// (Chromium) opens the link with another key: the hub forwards him both videos (packets arrive) and he decodes
// not one frame, and every tile involved says "Can't decrypt"; Bo reads Ada's chat, Dan cannot. Dan then
// comes back without any key: he sends in the clear, and Ada's encrypted call does not show him ("Not
// encrypted"), while his own call shows Ada and Bo as encrypted for a key he lacks, silent. Loopback-only namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchFirefox, pollUntil, recordPeerConnections, waitForDecodedVideo, waitForDecodedVideoInFirefox, type FirefoxBrowser } from '@parley/testkit'
import {
  appStatus,
  artifactPath,
  failureExplainer,
  newFirefoxAppParticipant,
  REMOTE_TILE,
  readRemoteTiles,
  remoteTiles,
  remoteVideoSelector,
  type FirefoxAppParticipant,
  useAppCall,
} from './web-app'

/** In the page: the texts its chat panel shows. */
function chatTexts(): string[] {
  return [...document.querySelectorAll('[data-testid="chat-text"]')].map((node) => node.textContent ?? '')
}

/** In the page: every inbound video's packets and decoded frames, summed (peer connections from `recordPeerConnections`). */
async function readInboundTotals(): Promise<{ packets: number; decoded: number }> {
  const totals = { packets: 0, decoded: 0 }
  for (const pc of (globalThis as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []) {
    if (pc.connectionState === 'closed') continue
    ;(await pc.getStats()).forEach((stat: Record<string, unknown>) => {
      if (stat.type !== 'inbound-rtp' || stat.kind !== 'video') return
      totals.packets += Number(stat.packetsReceived ?? 0)
      totals.decoded += Number(stat.framesDecoded ?? 0)
    })
  }
  return totals
}

describe('end-to-end encryption (built app, real hub; Ada and Dan in Chromium, Bo in Firefox ESR)', () => {
  const call = useAppCall(['Ada', 'Dan'])
  let firefox: FirefoxBrowser | undefined
  let bo: FirefoxAppParticipant | undefined
  const explain = (error: unknown): never => failureExplainer([...call.participants, ...(bo ? [bo] : [])], () => call.hub)(error)

  beforeAll(async () => {
    for (const participant of call.participants) await participant.context.addInitScript(recordPeerConnections)
    firefox = await launchFirefox({ origins: [call.hub.url] })
    bo = await newFirefoxAppParticipant(firefox, 'Bo')
  })
  afterAll(async () => {
    await bo?.close().catch(() => undefined)
    await firefox?.close()
  })

  it('encrypts a new room: Chromium and Firefox decode each other with the key; another key decodes nothing; no key is not shown', async () => {
    const ada = call.page('Ada')
    const dan = call.page('Dan')
    const boPage = bo!.page

    // Every URL Ada's page asks for (documents, scripts, the worker, the API, the event streams): none may carry the key.
    const requested: string[] = []
    ada.page.on('request', (request) => requested.push(request.url()))
    // Ada makes the room encrypted on the pre-join: the key goes into the address, and so into the invite.
    await ada.page.goto(`${call.hub.url}/`)
    await ada.page.getByTestId('display-name').fill('Ada')
    await ada.page.getByTestId('room-name').fill('Sealed')
    await ada.page.getByTestId('e2ee-toggle').check()
    await pollUntil(async () => (ada.page.url().includes('#e2ee=') ? true : undefined), { timeoutMs: 10_000, description: "the key in Ada's address" }).catch(explain)
    await ada.page.getByTestId('join-button').click()
    const inviteText = ada.page.getByTestId('invite-link-text')
    await inviteText.waitFor({ timeout: 20_000 }).catch(explain)
    const invite = (await inviteText.textContent())?.trim() ?? ''
    const key = new URLSearchParams(new URL(invite).hash.slice(1)).get('e2ee')
    expect(key, invite).toMatch(/^[A-Za-z0-9_-]{22}$/)
    // The hub never saw the key: it is in no request the page made (the fragment is never sent).
    expect(requested.length).toBeGreaterThan(5)
    expect(requested.filter((url) => url.includes(key!))).toEqual([])
    await ada.page.getByTestId('e2ee-mark').waitFor({ timeout: 10_000 }).catch(explain)

    // Bo, in Firefox, opens the invite with its key: told it is encrypted, he joins, and each decodes the other.
    await boPage.goto(invite)
    await boPage.waitForSelector('[data-testid="prejoin-e2ee"]', { timeout: 20_000 }).catch(explain)
    await boPage.locator('[data-testid="display-name"]').fill('Bo')
    await boPage.locator('[data-testid="join-button"]').click()
    const adaAtBo = await pollUntil(
      async () => {
        const tiles = await boPage.evaluate(readRemoteTiles, REMOTE_TILE)
        return tiles.length === 1 && tiles[0]!.name === 'Ada' ? tiles[0] : undefined
      },
      { timeoutMs: 30_000, description: "Bo shows Ada's tile" },
    ).catch(explain)
    await waitForDecodedVideoInFirefox(boPage, remoteVideoSelector(adaAtBo.participant), { minFramesGrowth: 10, timeoutMs: 30_000 }).catch(explain)
    const boAtAda = await pollUntil(
      async () => {
        const tiles = await remoteTiles(ada.page)
        return tiles.length === 1 && tiles[0]!.name === 'Bo' ? tiles[0] : undefined
      },
      { timeoutMs: 30_000, description: "Ada shows Bo's tile" },
    ).catch(explain)
    await waitForDecodedVideo(ada.page, remoteVideoSelector(boAtAda.participant), { minFramesGrowth: 10, timeoutMs: 30_000 }).catch(explain)
    expect(await ada.page.locator('[data-testid="tile-e2ee"]').count()).toBe(0)

    // The same key gives the same safety code, in both browsers (each derives it when its Encrypted card opens).
    await ada.page.locator('[data-testid="e2ee-mark"] summary').click()
    const adaCode = ada.page.getByTestId('e2ee-safety-code')
    await adaCode.waitFor({ timeout: 10_000 }).catch(explain)
    const code = (await adaCode.textContent())?.trim()
    expect(code).toMatch(/^\d{4}( \d{4}){4}$/)
    await ada.page.screenshot({ path: artifactPath('e2ee-call.png') })
    await boPage.locator('[data-testid="e2ee-mark"] summary').click()
    const boCode = await pollUntil(
      async () => (await boPage.evaluate(() => document.querySelector('[data-testid="e2ee-safety-code"]')?.textContent?.trim())) || undefined,
      { timeoutMs: 10_000, description: "Bo's safety code" },
    ).catch(explain)
    expect(boCode).toBe(code)

    // The chat is encrypted too: Bo reads what Ada writes.
    await ada.page.getByTestId('chat-button').click()
    await ada.page.getByTestId('chat-input').fill('Sealed hello')
    await ada.page.getByTestId('chat-send').click()
    await boPage.locator('[data-testid="chat-button"]').click()
    await pollUntil(async () => ((await boPage.evaluate(chatTexts)).includes('Sealed hello') ? true : undefined), { timeoutMs: 20_000, description: "Bo reads Ada's message" }).catch(explain)
    expect(await boPage.evaluate(() => document.querySelector('[data-testid="chat-since"]')?.textContent)).toContain('End-to-end encrypted.')

    // Dan holds another key: the hub sends him both videos, he decodes none of it, and every tile says why.
    const wrongInvite = invite.replace(`#e2ee=${key}`, '#e2ee=AnotherKeyAnotherKey00')
    await dan.page.goto(wrongInvite)
    await dan.page.getByTestId('display-name').fill('Dan')
    await dan.page.getByTestId('join-button').click()
    await pollUntil(async () => ((await appStatus(dan.page)) === 'connected' ? true : undefined), { timeoutMs: 30_000, description: 'Dan connected' }).catch(explain)
    await pollUntil(
      async () => ((await dan.page.locator('[data-testid="tile"][data-e2ee="undecryptable"]').count()) === 2 ? true : undefined),
      { timeoutMs: 30_000, description: "both of Dan's remote tiles say Can't decrypt" },
    ).catch(explain)
    const danInbound = await pollUntil(
      async () => {
        const totals = await dan.page.evaluate(readInboundTotals)
        return totals.packets >= 200 ? totals : undefined
      },
      { timeoutMs: 30_000, description: 'Dan receives video packets' },
    ).catch(explain)
    expect(danInbound.decoded, JSON.stringify(danInbound)).toBe(0)
    expect(await dan.page.getByTestId('tile-e2ee').first().textContent()).toContain("Can't decrypt")
    await dan.page.screenshot({ path: artifactPath('e2ee-another-key.png') })
    // Nor can he read the chat: Bo reads Ada's next message, Dan's panel says one could not be decrypted.
    await dan.page.getByTestId('chat-button').click()
    await dan.page.getByTestId('chat-connecting').waitFor({ state: 'detached', timeout: 20_000 }).catch(explain)
    await ada.page.getByTestId('chat-input').fill('Not for Dan')
    await ada.page.getByTestId('chat-send').click()
    await pollUntil(async () => ((await boPage.evaluate(chatTexts)).includes('Not for Dan') ? true : undefined), { timeoutMs: 20_000, description: "Bo reads Ada's second message" }).catch(explain)
    await dan.page.getByTestId('chat-e2ee-dropped').waitFor({ timeout: 20_000 }).catch(explain)
    expect(await dan.page.evaluate(chatTexts)).not.toContain('Not for Dan')
    const danAtAda = await pollUntil(
      async () => (await remoteTiles(ada.page)).find((tile) => tile.name === 'Dan'),
      { timeoutMs: 30_000, description: "Ada shows Dan's tile" },
    ).catch(explain)
    await pollUntil(
      async () => ((await ada.page.locator(`[data-participant="${danAtAda.participant}"]`).getAttribute('data-e2ee')) === 'undecryptable' ? true : undefined),
      { timeoutMs: 30_000, description: "Ada's tile of Dan says Can't decrypt" },
    ).catch(explain)

    // Dan comes back with no key at all: he sends in the clear, and Ada's encrypted call does not show him.
    await dan.page.goto('about:blank')
    await dan.page.goto(invite.replace(`#e2ee=${key}`, ''))
    await dan.page.getByTestId('display-name').fill('Dan')
    await dan.page.getByTestId('join-button').click()
    await pollUntil(
      async () => {
        const danTile = (await remoteTiles(ada.page)).find((tile) => tile.name === 'Dan')
        return danTile && (await ada.page.locator(`[data-participant="${danTile.participant}"]`).getAttribute('data-e2ee')) === 'unencrypted' ? true : undefined
      },
      { timeoutMs: 30_000, description: "Ada's tile of the keyless Dan says Not encrypted" },
    ).catch(explain)
    await ada.page.screenshot({ path: artifactPath('e2ee-not-encrypted.png') })
    expect(requested.filter((url) => url.includes(key!))).toEqual([])
    // And Dan, without the key, is told why Ada and Bo do not show (their media states say they encrypt): silent, not noise.
    await pollUntil(
      async () => ((await dan.page.locator('[data-testid="tile"][data-e2ee="locked"]').count()) === 2 ? true : undefined),
      { timeoutMs: 30_000, description: "both of keyless Dan's remote tiles say Encrypted" },
    ).catch(explain)
    expect(await dan.page.getByTestId('tile-e2ee').first().textContent()).toContain('open the full invite link')
    await dan.page.screenshot({ path: artifactPath('e2ee-keyless.png') })
  })
})
