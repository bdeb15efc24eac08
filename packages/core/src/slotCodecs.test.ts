import { describe, expect, it } from 'vitest'
import { offerSlotCodecsOnly } from './slotCodecs.js'
import { FakeMediaStreamTrack } from './test-support/fakeMedia.js'

/** A browser's receiver class, as far as capabilities go (Chromium's list, shortened). */
class BrowserReceiver {
  readonly track = new FakeMediaStreamTrack('video')
  static getCapabilities(kind: string) {
    return kind === 'audio'
      ? { codecs: [{ mimeType: 'audio/opus', clockRate: 48000, channels: 2 }, { mimeType: 'audio/red', clockRate: 48000 }, { mimeType: 'audio/G722', clockRate: 8000 }] }
      : { codecs: [{ mimeType: 'video/VP8', clockRate: 90000 }, { mimeType: 'video/rtx', clockRate: 90000 }, { mimeType: 'video/H264', clockRate: 90000 }, { mimeType: 'video/AV1', clockRate: 90000 }] }
  }
}

function slot(receiver: object, setCodecPreferences?: (codecs: { mimeType: string }[]) => void) {
  const preferred: { mimeType: string }[][] = []
  const transceiver = {
    mid: null,
    sender: { track: null, replaceTrack: async () => undefined },
    receiver: receiver as { track: FakeMediaStreamTrack },
    direction: 'recvonly',
    setCodecPreferences: setCodecPreferences ?? ((codecs: { mimeType: string }[]) => void preferred.push(codecs)),
  }
  return { transceiver, preferred }
}

describe('offerSlotCodecsOnly', () => {
  it.each([
    ['video', ['video/VP8']],
    ['audio', ['audio/opus']],
  ] as const)("narrows a browser's %s slot to what the hub forwards", (kind, expected) => {
    const { transceiver, preferred } = slot(new BrowserReceiver())
    offerSlotCodecsOnly(transceiver, kind)
    expect(preferred.map((codecs) => codecs.map((codec) => codec.mimeType))).toEqual([expected])
  })

  it('leaves a slot whole where the receiver has no capabilities (werift) or the transceiver takes no preferences', () => {
    const werift = slot({ track: new FakeMediaStreamTrack('video') })
    offerSlotCodecsOnly(werift.transceiver, 'video')
    expect(werift.preferred).toEqual([])
    const { transceiver } = slot(new BrowserReceiver())
    const withoutPreferences = { ...transceiver, setCodecPreferences: undefined }
    expect(() => offerSlotCodecsOnly(withoutPreferences, 'video')).not.toThrow()
  })

  it('leaves a slot whole when the browser refuses the preferences', () => {
    const { transceiver } = slot(new BrowserReceiver(), () => {
      throw new Error('InvalidModificationError')
    })
    expect(() => offerSlotCodecsOnly(transceiver, 'video')).not.toThrow()
  })
})
