// Fakes of every port, for unit and model tests (no globals stubbed, nothing mocked).
import type { Ports } from '../ports.js'
import { FakeEventSources } from './fakeEventSource.js'
import { FakeHub } from './fakeHub.js'
import { FakeMediaDevices } from './fakeMedia.js'
import { FakeNetwork } from './fakeNetwork.js'
import { FakePeerConnections } from './fakePeerConnection.js'
import { ManualClock } from './manualClock.js'

export * from './fakeDataChannel.js'
export * from './fakeEventSource.js'
export * from './fakeHub.js'
export * from './fakeMedia.js'
export * from './fakeNetwork.js'
export * from './fakeTabChannels.js'
export * from './fakePeerConnection.js'
export * from './manualClock.js'
export * from './pendingCalls.js'

export interface FakeWorld {
  ports: Ports
  hub: FakeHub
  clock: ManualClock
  peers: FakePeerConnections
  eventSources: FakeEventSources
  devices: FakeMediaDevices
  beacons: string[]
  network: FakeNetwork
  /** Everything that would leak if left open: peer connections, live local tracks, SSE streams, timers. */
  openResources(): { peerConnections: number; liveTracks: number; eventStreams: number; timers: number }
}

export function createFakeWorld(): FakeWorld {
  const hub = new FakeHub()
  const clock = new ManualClock()
  const peers = new FakePeerConnections()
  const eventSources = new FakeEventSources()
  const devices = new FakeMediaDevices()
  const beacons: string[] = []
  const network = new FakeNetwork()
  return {
    ports: {
      fetch: hub.fetch,
      eventSource: eventSources.factory,
      peerConnection: peers.factory,
      media: devices,
      clock,
      beacon: (url) => {
        beacons.push(url)
        return true
      },
      network: network.watch,
    },
    hub,
    clock,
    peers,
    eventSources,
    devices,
    beacons,
    network,
    openResources: () => ({
      peerConnections: peers.openCount,
      liveTracks: devices.liveTrackCount + devices.liveScreenTrackCount,
      eventStreams: eventSources.openCount,
      timers: clock.pendingTimers,
    }),
  }
}
