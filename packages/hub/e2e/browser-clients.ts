// Shared by the hub's browser specs and the benchmark: open a test client page for one participant,
// click Join, and read the state the client pages expose (`window.__seed` / `window.__current`);
// `useBrowserClients` sets up (and tears down) what a browser spec runs against.
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import {
  assertLoopbackOnly,
  launchChromium,
  newParticipantPage,
  pollUntil,
  startStaticServer,
  waitForDecodedVideo,
  type DecodedVideoFigures,
  type ParticipantPage,
  type RunningServer,
} from '@parley/testkit'
import { startTestHub, type TestHub } from '../src/testing.js'

export const CLIENTS_DIR = fileURLToPath(new URL('./clients/', import.meta.url))

export type ClientKind = 'seed' | 'current'

export interface LogEntry {
  at: number
  what: string
  detail?: unknown
}

/** What both client pages expose, read through `page.evaluate`. */
export interface ClientSnapshot {
  roomId: string | null
  clientId: string | null
  joined: boolean
  connectionState: string | null
  remoteStreamIds: string[]
  remoteTileCount: number
  firstRemoteFrameMs: number | null
  log: LogEntry[]
}

export interface AnnouncedStream {
  name: string
  source: string
  clientId: string
  trackIds: string[]
}

export async function openClient(
  participant: ParticipantPage,
  kind: ClientKind,
  query: { pagesUrl: string; hubUrl: string; roomId?: string; name?: string },
): Promise<Page> {
  const url = new URL(`${query.pagesUrl}/room.html`)
  url.searchParams.set('client', kind)
  url.searchParams.set('hub', query.hubUrl)
  if (query.roomId) url.searchParams.set('roomId', query.roomId)
  if (query.name) url.searchParams.set('name', query.name)
  await participant.page.goto(url.toString())
  return participant.page
}

export async function snapshot(page: Page, kind: ClientKind): Promise<ClientSnapshot> {
  return page.evaluate((which) => {
    interface SeedApi {
      room: { id: string | null }
      client: { id: string | null }
      joined: boolean
      connectionState: string | null
      remoteStreamIds(): string[]
      remoteTileCount(): number
      firstRemoteFrameMs: number | null
      log: { at: number; what: string; detail?: unknown }[]
    }
    interface CurrentApi {
      state: { roomId: string | null; clientId: string | null; joined: boolean; firstRemoteFrameMs: number | null; log: SeedApi['log'] }
      connectionState: string | null
      remoteStreamIds(): string[]
      remoteTileCount(): number
    }
    const scope = globalThis as unknown as { __seed?: SeedApi; __current?: CurrentApi }
    if (which === 'seed') {
      const api = scope.__seed
      if (!api) throw new Error('window.__seed missing: seed.js did not load')
      return {
        roomId: api.room.id,
        clientId: api.client.id,
        joined: api.joined,
        connectionState: api.connectionState,
        remoteStreamIds: api.remoteStreamIds(),
        remoteTileCount: api.remoteTileCount(),
        firstRemoteFrameMs: api.firstRemoteFrameMs,
        log: api.log,
      }
    }
    const api = scope.__current
    if (!api) throw new Error('window.__current missing: current.js did not load')
    return {
      roomId: api.state.roomId,
      clientId: api.state.clientId,
      joined: api.state.joined,
      connectionState: api.connectionState,
      remoteStreamIds: api.remoteStreamIds(),
      remoteTileCount: api.remoteTileCount(),
      firstRemoteFrameMs: api.state.firstRemoteFrameMs,
      log: api.state.log,
    }
  }, kind)
}

/** `tracks_available` as the current client recorded it: stream_id → name/source/client/tracks. */
export async function announcedStreams(page: Page): Promise<Record<string, AnnouncedStream>> {
  return page.evaluate(() => {
    const scope = globalThis as unknown as { __current: { announcedStreams(): Record<string, AnnouncedStream> } }
    return scope.__current.announcedStreams()
  })
}

/** Clicks Join and waits until the client has registered (room and client id known) and holds a peer. */
export async function clickJoin(page: Page, kind: ClientKind, timeoutMs = 20_000): Promise<ClientSnapshot> {
  await page.click('#togglejoin')
  return pollUntil(
    async () => {
      const state = await snapshot(page, kind)
      return state.joined && state.roomId && state.clientId ? state : undefined
    },
    { timeoutMs, description: `${kind} client to join` },
  )
}

export async function clickLeave(page: Page, kind: ClientKind, timeoutMs = 20_000): Promise<ClientSnapshot> {
  await page.click('#togglejoin')
  return pollUntil(
    async () => {
      const state = await snapshot(page, kind)
      return !state.joined && state.log.some((entry) => entry.what === 'left') ? state : undefined
    },
    { timeoutMs, description: `${kind} client to leave` },
  )
}

/** A short, readable trace of a client's log for assertion messages. */
export function describeLog(log: readonly LogEntry[]): string {
  return log.map((entry) => `${entry.at} ${entry.what}${entry.detail === undefined ? '' : ` ${JSON.stringify(entry.detail)}`}`).join('\n')
}

/** A participant whose client has joined: the ids it registered under. */
export interface JoinedParticipant extends ParticipantPage {
  readonly name: string
  readonly roomId: string
  readonly clientId: string
}

export interface BrowserClients {
  /** The in-process hub (werift media plane); valid inside tests. */
  readonly hub: TestHub
  /** A new Chromium participant showing the client page (not joined yet); closed after the suite. */
  open(query?: { roomId?: string; name?: string }): Promise<ParticipantPage>
  /**
   * One participant per name, joined one after the other: the first clicks Join without a room id
   * (the clients then create the room), the others join that room.
   */
  join<const Names extends readonly string[]>(...names: Names): Promise<{ [Index in keyof Names]: JoinedParticipant }>
  /** For `.catch()` on a wait: fails with the client's log and the hub's log added to the message. */
  explain(participant: ParticipantPage, who: string): (error: Error) => Promise<never>
  /** Waits until every participant decodes a remote video (20 more frames), in parallel. */
  decoding(...participants: JoinedParticipant[]): Promise<DecodedVideoFigures[]>
  /** Waits until the participant's remote tiles are all gone and it saw a remote track end. */
  remotesGone(participant: JoinedParticipant, why: string): Promise<ClientSnapshot>
}

/**
 * For a `describe` of a browser spec: in `beforeAll` a hub, a static server for `clients/` and Chromium
 * (loopback-only namespace required), in `afterAll` everything closed again.
 */
export function useBrowserClients(kind: ClientKind, hubOptions: Parameters<typeof startTestHub>[0] = {}): BrowserClients {
  let hub: TestHub | undefined
  let pages: RunningServer | undefined
  let browser: Browser | undefined
  const participants: ParticipantPage[] = []

  beforeAll(async () => {
    assertLoopbackOnly()
    hub = await startTestHub(hubOptions)
    pages = await startStaticServer(CLIENTS_DIR)
    browser = await launchChromium()
  })

  afterAll(async () => {
    for (const participant of participants) await participant.close().catch(() => undefined)
    await browser?.close()
    await pages?.close()
    await hub?.close()
  })

  const started = () => {
    if (!hub || !pages || !browser) throw new Error('useBrowserClients: use it inside a test (set up in beforeAll)')
    return { hub, pages, browser }
  }
  const explain = (participant: ParticipantPage, who: string) => async (error: Error): Promise<never> => {
    const log = await snapshot(participant.page, kind).then((state) => describeLog(state.log), (reason: Error) => reason.message)
    throw new Error(`${error.message}\n${who} client log:\n${log}\nhub log:\n${started().hub.describeLogs()}`)
  }

  return {
    get hub() {
      return started().hub
    },
    async open(query = {}) {
      const { hub, pages, browser } = started()
      const participant = await newParticipantPage(browser)
      participants.push(participant)
      await openClient(participant, kind, { pagesUrl: pages.url, hubUrl: hub.url, ...query })
      return participant
    },
    async join<const Names extends readonly string[]>(...names: Names) {
      const joined: JoinedParticipant[] = []
      for (const name of names) {
        const participant = await this.open({ roomId: joined[0]?.roomId, name })
        const state = await clickJoin(participant.page, kind)
        joined.push(Object.assign(participant, { name, roomId: state.roomId!, clientId: state.clientId! }))
      }
      return joined as { [Index in keyof Names]: JoinedParticipant }
    },
    explain,
    decoding: (...participants) =>
      Promise.all(
        participants.map((participant) =>
          waitForDecodedVideo(participant.page, 'video.remote', { minFramesGrowth: 20, timeoutMs: 40_000 }).catch(explain(participant, participant.name)),
        ),
      ),
    remotesGone: (participant, why) =>
      pollUntil(
        async () => {
          const state = await snapshot(participant.page, kind)
          const sawEnd = state.log.some((entry) => entry.what === 'ended' || entry.what === 'removetrack')
          return state.remoteTileCount === 0 && sawEnd ? state : undefined
        },
        { timeoutMs: 20_000, description: `${participant.name} to see ${why}` },
      ).catch(explain(participant, participant.name)),
  }
}
