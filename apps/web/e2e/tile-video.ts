// What the tile-size specs read in a page, as functions handed to `page.evaluate` (the same in Chromium
// through playwright and in Firefox through puppeteer): the inbound video's decoded frames and width, the
// camera's layers, a tile's box, and a document told it is hidden. Plus the one wait both specs share:
// decoding stopped.
import { pollUntil } from '@parley/testkit'
import type { InboundVideo } from './web-app'

/** In the page: its one inbound video (width, frames decoded), from the peer connections `recordPeerConnections` keeps. */
export async function readInboundVideo(): Promise<InboundVideo> {
  const inbound = { frameWidth: 0, framesDecoded: 0 }
  for (const pc of (globalThis as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []) {
    if (pc.connectionState === 'closed') continue
    ;(await pc.getStats()).forEach((stat: Record<string, unknown>) => {
      if (stat.kind === 'video' && stat.type === 'inbound-rtp') Object.assign(inbound, { frameWidth: Number(stat.frameWidth ?? 0), framesDecoded: Number(stat.framesDecoded ?? 0) })
    })
  }
  return inbound
}

/** One layer of the page's camera, by its sender's stats and encoding. */
export interface CameraLayer {
  frameWidth: number
  framesEncoded: number
  /** The encoding's `active` (false: the core's send-layers rule stopped it); null when no encoding has this rid. */
  active: boolean | null
  fps: number
  targetKbps: number
  limit: string
}

/** The page's own camera as layers: what each sends, which its sender has, what the hub's descriptions name. */
export interface CameraLayers {
  /** By rid (`-` for a camera without layers): each layer that has sent. */
  layers: Record<string, CameraLayer>
  /** The camera sender's encodings' rids when it has more than one (a renegotiation bug leaves `high` alone). */
  rids: string[]
  /** Every encoding of the camera's sender active: false while the send-layers rule keeps `high` alone. */
  allLayers: boolean
  /** The `a=simulcast:recv` lines of the hub's descriptions the page holds. */
  recv: string[]
  /** kbit/s, the selected pair's `availableOutgoingBitrate` (undefined when absent). */
  estimateKbps: number | undefined
  /** By participant id: the inbound video each remote tile (`tileSelector`) shows; empty without a selector. */
  remotes: Record<string, InboundVideo>
}

/**
 * In the page: its camera's layers, from the peer connections `recordPeerConnections` keeps, and with
 * `tileSelector` the remote tiles' inbound video from the same stats (one getStats per connection a sample).
 */
export async function readCameraLayers(tileSelector?: string): Promise<CameraLayers> {
  const camera: CameraLayers = { layers: {}, rids: [], allLayers: false, recv: [], estimateKbps: undefined, remotes: {} }
  const trackOwner = new Map<string, string>()
  for (const tile of tileSelector ? document.querySelectorAll(tileSelector) : []) {
    const track = (tile.querySelector('video')?.srcObject as MediaStream | null)?.getVideoTracks()[0]
    if (track) trackOwner.set(track.id, tile.getAttribute('data-participant') ?? '')
  }
  for (const pc of (globalThis as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []) {
    if (pc.connectionState === 'closed') continue
    const active = new Map<string, boolean>()
    for (const sender of pc.getSenders()) {
      if (sender.track?.kind !== 'video') continue
      const { encodings } = sender.getParameters()
      for (const encoding of encodings) active.set(encoding.rid ?? '-', encoding.active !== false)
      if (encodings.length > 1) {
        camera.rids = encodings.map((encoding) => encoding.rid ?? '-')
        camera.allLayers = encodings.every((encoding) => encoding.active !== false)
      }
    }
    for (const line of pc.currentRemoteDescription?.sdp.split(/\r?\n/) ?? []) if (line.startsWith('a=simulcast:recv ')) camera.recv.push(line.slice('a=simulcast:recv '.length))
    ;(await pc.getStats()).forEach((stat: Record<string, unknown>) => {
      if (stat.type === 'candidate-pair' && stat.nominated === true && stat.state === 'succeeded' && typeof stat.availableOutgoingBitrate === 'number') camera.estimateKbps = Math.round(stat.availableOutgoingBitrate / 1000)
      const owner = stat.type === 'inbound-rtp' && stat.kind === 'video' ? trackOwner.get(String(stat.trackIdentifier ?? '')) : undefined
      if (owner) camera.remotes[owner] = { frameWidth: Number(stat.frameWidth ?? 0), framesDecoded: Number(stat.framesDecoded ?? 0) }
      if (stat.type !== 'outbound-rtp' || stat.kind !== 'video') return
      const rid = String(stat.rid ?? '-')
      camera.layers[rid] = {
        frameWidth: Number(stat.frameWidth ?? 0),
        framesEncoded: Number(stat.framesEncoded ?? 0),
        active: active.get(rid) ?? null,
        fps: Number(stat.framesPerSecond ?? 0),
        targetKbps: Math.round(Number(stat.targetBitrate ?? 0) / 1000),
        limit: String(stat.qualityLimitationReason ?? ''),
      }
    })
  }
  return camera
}

/** In the page: the CSS size of the element `selector` names (a tile, as its ResizeObserver sees it). */
export function readBox(selector: string): string {
  const box = document.querySelector(selector)?.getBoundingClientRect()
  return box ? `${Math.round(box.width)}x${Math.round(box.height)}` : 'none'
}

/** In the page: its document says it is hidden (or visible again), as a background tab's does. */
export function setDocumentHidden(hidden: boolean): void {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') })
  document.dispatchEvent(new Event('visibilitychange'))
}

/**
 * Resolves with the frame count once `read` shows no frame decoded over 2 s (10 samples 200 ms apart,
 * each one the same count): the hub stopped sending the video.
 */
export async function decodingStops(read: () => Promise<InboundVideo>, description: string): Promise<number> {
  let still: number[] = []
  await pollUntil(
    async () => {
      still = [...still, (await read()).framesDecoded].slice(-11)
      return still.length === 11 && still.every((count) => count === still[0]) ? true : undefined
    },
    { timeoutMs: 15_000, intervalMs: 200, description, seen: () => still },
  )
  return still[0]!
}
