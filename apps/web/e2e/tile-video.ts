// What the tile-size specs read in a page, as functions handed to `page.evaluate` (the same in Chromium
// through playwright and in Firefox through puppeteer): the inbound video's decoded frames and width, a
// tile's box, and a document told it is hidden. Plus the one wait both specs share: decoding stopped.
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

/** The page's own camera: its top layer (`high`) as its sender's stats give it, and the estimate of its uplink. */
export interface OutboundTop {
  /** 0 when `high` has sent no frame. */
  frameWidth: number
  framesEncoded: number
  /** Every other layer active as well (false: the core's send-layers rule stopped them). */
  allLayers: boolean
  /** kbit/s, the selected pair's `availableOutgoingBitrate` (0 when absent). */
  estimateKbps: number
}

/** In the page: its camera's top layer, from the peer connections `recordPeerConnections` keeps. */
export async function readOutboundTop(): Promise<OutboundTop> {
  const top = { frameWidth: 0, framesEncoded: 0, allLayers: false, estimateKbps: 0 }
  for (const pc of (globalThis as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []) {
    if (pc.connectionState === 'closed') continue
    for (const sender of pc.getSenders()) {
      if (sender.track?.kind === 'video' && sender.getParameters().encodings.length > 1) top.allLayers = sender.getParameters().encodings.every((encoding) => encoding.active !== false)
    }
    ;(await pc.getStats()).forEach((stat: Record<string, unknown>) => {
      if (stat.type === 'outbound-rtp' && stat.kind === 'video' && stat.rid === 'high') Object.assign(top, { frameWidth: Number(stat.frameWidth ?? 0), framesEncoded: Number(stat.framesEncoded ?? 0) })
      if (stat.type === 'candidate-pair' && stat.nominated === true && stat.state === 'succeeded') top.estimateKbps = Math.round(Number(stat.availableOutgoingBitrate ?? 0) / 1000)
    })
  }
  return top
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
