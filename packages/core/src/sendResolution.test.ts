import { describe, expect, it } from 'vitest'
import { holdResolution } from './sendResolution.js'
import { PeerSession } from './peerSession.js'
import { FakeMediaStream, FakeMediaStreamTrack, FakePeerConnections, flush } from './test-support/index.js'
import type { RtpSenderLike } from './ports.js'

function browserSender(setParameters: (parameters: object) => Promise<void>): RtpSenderLike {
  return {
    track: null,
    replaceTrack: async () => undefined,
    getParameters: () => ({ transactionId: 'tx-7', encodings: [{ active: true, scaleResolutionDownBy: 1 }], degradationPreference: 'balanced' }),
    setParameters,
  }
}

describe('holdResolution', () => {
  it("asks for 'maintain-resolution' with the sender's own parameters (its transaction id and encodings) unchanged", async () => {
    const given: object[] = []
    holdResolution(browserSender(async (parameters) => void given.push(parameters)))
    await flush()
    expect(given).toEqual([{ transactionId: 'tx-7', encodings: [{ active: true, scaleResolutionDownBy: 1 }], degradationPreference: 'maintain-resolution' }])
  })

  it("takes werift's synchronous setParameters (no promise back) and one that throws, without an error", async () => {
    const given: object[] = []
    const werift: RtpSenderLike = { track: null, replaceTrack: async () => undefined, getParameters: () => ({ encodings: [] }), setParameters: (parameters) => void given.push(parameters) }
    expect(() => holdResolution(werift)).not.toThrow()
    const throwing: RtpSenderLike = {
      track: null,
      replaceTrack: async () => undefined,
      getParameters: () => {
        throw new Error('closed')
      },
    }
    expect(() => holdResolution(throwing)).not.toThrow()
    await flush()
    expect(given).toEqual([{ encodings: [], degradationPreference: 'maintain-resolution' }])
  })

  it('leaves a sender without parameters (a replay) alone, and swallows a refusal', async () => {
    expect(() => holdResolution({ track: null, replaceTrack: async () => undefined })).not.toThrow()
    let refused = false
    holdResolution(
      browserSender(async () => {
        refused = true
        throw new Error('InvalidModificationError')
      }),
    )
    await flush()
    expect(refused).toBe(true)
  })
})

describe('PeerSession and the camera’s resolution', () => {
  it('holds the resolution of the video it sends, and only of that', async () => {
    const peers = new FakePeerConnections()
    const tracks = [new FakeMediaStreamTrack('audio'), new FakeMediaStreamTrack('video')]
    new PeerSession(peers.factory({}), { stream: new FakeMediaStream(tracks), tracks }, { event: () => undefined, track: () => undefined })
    await flush()
    const parameters = peers.latest().transceivers.map((t) => [t.sender.track?.kind ?? null, (t.sender as unknown as { parameters: Record<string, unknown> }).parameters.degradationPreference])
    expect(parameters).toEqual([
      ['audio', undefined],
      ['video', 'maintain-resolution'],
    ])
  })
})
