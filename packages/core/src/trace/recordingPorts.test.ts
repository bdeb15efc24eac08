// The recording decorators against a stack that changes what it is handed: werift's sender renames the
// track given to addTransceiver (`registerTrack`), and a replay matches the recorded arguments.
import { describe, expect, it } from 'vitest'
import type { PeerConnectionLike, Ports, RtpTransceiverLike } from '../ports.js'
import { FakeMediaDevices, FakeMediaStreamTrack } from '../test-support/fakeMedia.js'
import { ManualClock } from '../test-support/manualClock.js'
import { recordingPorts, type RecordSink } from './recordingPorts.js'

function renamingPeerConnection(): PeerConnectionLike {
  const pc = {
    addTransceiver(trackOrKind: unknown): RtpTransceiverLike {
      const track = typeof trackOrKind === 'string' ? null : (trackOrKind as { id: string })
      if (track) track.id = 'renamed-by-the-stack'
      return { sender: { track, replaceTrack: async () => undefined, getParameters: () => ({}) } } as unknown as RtpTransceiverLike
    },
    addEventListener() {},
    removeEventListener() {},
    close() {},
  }
  return pc as unknown as PeerConnectionLike
}

describe('recordingPorts', () => {
  it("records addTransceiver's track as it was given, and whether the sender has parameters", () => {
    const records: unknown[][] = []
    const sink: RecordSink = (record) => records.push([...record])
    const ports = recordingPorts({ peerConnection: () => renamingPeerConnection(), media: new FakeMediaDevices(), clock: new ManualClock() } as unknown as Ports, sink)
    const track = new FakeMediaStreamTrack('audio', 'microphone-1')
    ports.peerConnection({ iceServers: [] }).addTransceiver(track, { direction: 'sendonly' })
    const call = records.find((record) => record[0] === 'pc.call' && record[3] === 'addTransceiver')
    expect(call?.[4]).toEqual({ track: { id: 'microphone-1', kind: 'audio' }, direction: 'sendonly', parameters: true })
  })

  it('hands an open its options (a probe) as given', async () => {
    const media = new FakeMediaDevices()
    const ports = recordingPorts({ media, clock: new ManualClock() } as unknown as Ports, () => undefined)
    await ports.media.getUserMedia({ audio: false, video: true }, { probe: true })
    expect(media.probes).toEqual([{ audio: false, video: true }])
  })
})
