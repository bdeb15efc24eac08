// The ONE place browser globals are bound. They are read when browserPorts() is called, never at
// import, so importing the core in Node (or a test) touches nothing.
import type { ClockLike, EventSourceFactory, FetchLike, MediaDevicesLike, NetworkWatch, PeerConnectionFactory, Ports, TabChannelLike } from './ports.js'

interface BrowserGlobals {
  fetch?: FetchLike
  EventSource?: new (url: string) => ReturnType<EventSourceFactory>
  RTCPeerConnection?: new (config: object) => ReturnType<PeerConnectionFactory>
  navigator?: { mediaDevices?: MediaDevicesLike & EventTarget; sendBeacon?(url: string): boolean; connection?: EventTarget }
  addEventListener?: EventTarget['addEventListener']
  removeEventListener?: EventTarget['removeEventListener']
  BroadcastChannel?: new (name: string) => TabChannelLike
  setTimeout: (fn: (...args: unknown[]) => void, ms: number) => unknown
  clearTimeout: (id: never) => void
}

function unavailable(name: string): never {
  throw new Error(`${name} is not available here: pass it in createConference({ ports }) (see @parley/core/node for Node)`)
}

export function browserPorts(): Ports {
  const g = globalThis as unknown as BrowserGlobals
  const clock: ClockLike = {
    setTimeout: (fn, ms) => g.setTimeout(fn, ms),
    clearTimeout: (id) => g.clearTimeout(id as never),
    now: () => Date.now(),
  }
  return {
    ...(g.addEventListener ? { network: networkWatch(g) } : {}),
    fetch: (url, init) => (g.fetch ? g.fetch(url, init) : unavailable('fetch')),
    eventSource: (url) => (g.EventSource ? new g.EventSource(url) : unavailable('EventSource')),
    peerConnection: (config) => (g.RTCPeerConnection ? new g.RTCPeerConnection(config) : unavailable('RTCPeerConnection')),
    media: {
      getUserMedia: (constraints) => g.navigator?.mediaDevices?.getUserMedia(constraints) ?? unavailable('navigator.mediaDevices'),
      // Only where the browser has it: its absence is what tells the UI screen sharing is unavailable.
      ...(typeof g.navigator?.mediaDevices?.getDisplayMedia === 'function'
        ? { getDisplayMedia: (constraints: { video: boolean; audio?: boolean }) => g.navigator!.mediaDevices!.getDisplayMedia!(constraints) }
        : {}),
      enumerateDevices: () => g.navigator?.mediaDevices?.enumerateDevices() ?? unavailable('navigator.mediaDevices'),
      onDeviceChange: (listener) => {
        const mediaDevices = g.navigator?.mediaDevices
        if (typeof mediaDevices?.addEventListener !== 'function') return () => undefined
        mediaDevices.addEventListener('devicechange', listener)
        return () => mediaDevices.removeEventListener('devicechange', listener)
      },
    },
    clock,
    beacon: g.navigator?.sendBeacon ? (url) => g.navigator!.sendBeacon!(url) : undefined,
    // The other tabs of this profile (one person, two tabs): only where the browser has BroadcastChannel.
    ...(g.BroadcastChannel ? { tabs: (name: string) => new g.BroadcastChannel!(name) } : {}),
  }
}

/**
 * `online` on the window (every browser), and the Network Information API's `change` where there is
 * one (Chromium: another connection type, Wi-Fi to mobile, without going offline in between).
 */
function networkWatch(g: BrowserGlobals): NetworkWatch {
  return (listener) => {
    const connection = g.navigator?.connection
    const changed = () => listener()
    g.addEventListener!('online', changed)
    connection?.addEventListener?.('change', changed)
    return () => {
      g.removeEventListener?.('online', changed)
      connection?.removeEventListener?.('change', changed)
    }
  }
}
