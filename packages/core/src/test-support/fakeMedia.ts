import type { MediaConstraintsLike, MediaDeviceInfoLike, MediaDevicesLike, MediaOpenOptions, MediaStreamLike, MediaStreamTrackLike } from '../ports.js'
import { PendingCalls } from './pendingCalls.js'

let counter = 0
const nextId = (prefix: string) => `${prefix}-${++counter}`

export class FakeMediaStreamTrack extends EventTarget implements MediaStreamTrackLike {
  enabled = true
  readyState: 'live' | 'ended' = 'live'

  constructor(
    readonly kind: 'audio' | 'video',
    readonly id: string = nextId(kind),
    /** The fake device it came from ('' when the constraints named none). */
    readonly deviceId: string = '',
  ) {
    super()
  }

  override addEventListener(type: 'ended' | 'mute' | 'unmute', listener: () => void): void {
    super.addEventListener(type, listener)
  }

  override removeEventListener(type: 'ended' | 'mute' | 'unmute', listener: () => void): void {
    super.removeEventListener(type, listener)
  }

  /** Local stop: like a browser, no 'ended' event. */
  stop(): void {
    this.readyState = 'ended'
  }

  /** The remote side ended the track. */
  end(): void {
    this.readyState = 'ended'
    this.dispatchEvent(new Event('ended'))
  }
}

export class FakeMediaStream extends EventTarget implements MediaStreamLike {
  constructor(
    private readonly tracks: FakeMediaStreamTrack[],
    readonly id: string = nextId('stream'),
  ) {
    super()
  }

  getTracks(): FakeMediaStreamTrack[] {
    return [...this.tracks]
  }

  override addEventListener(type: 'addtrack' | 'removetrack', listener: () => void): void {
    super.addEventListener(type, listener)
  }

  override removeEventListener(type: 'addtrack' | 'removetrack', listener: () => void): void {
    super.removeEventListener(type, listener)
  }

  addTrack(track: FakeMediaStreamTrack): void {
    if (this.tracks.includes(track)) return
    this.tracks.push(track)
  }

  removeTrack(track: FakeMediaStreamTrack): void {
    const index = this.tracks.indexOf(track)
    if (index < 0) return
    this.tracks.splice(index, 1)
    this.dispatchEvent(new Event('removetrack'))
  }
}

export class DeviceError extends Error {
  constructor(override readonly name: string) {
    super(`${name} (fake device)`)
  }
}

/** Camera and microphone that work, fail with a DOMException-like name, or wait for the test. */
export class FakeMediaDevices implements MediaDevicesLike {
  readonly calls = new PendingCalls()
  readonly tracks: FakeMediaStreamTrack[] = []
  readonly requests: MediaConstraintsLike[] = []
  failures: { audio?: string; video?: string } = {}
  /** The DOMException-like name the next screen pickers fail with (e.g. NotAllowedError: cancelled). */
  displayFailure: string | undefined
  /** Every screen capture handed out (a 'video' track, and an 'audio' one like Chromium's tab audio). */
  readonly screens: FakeMediaStream[] = []

  /** The browser's screen picker: held under the label 'getDisplayMedia' when gated. */
  getDisplayMedia(constraints: { video: boolean; audio?: boolean }): Promise<MediaStreamLike> {
    return this.calls.call('getDisplayMedia', (value) => {
      if (value instanceof Error) throw value
      if (this.displayFailure) throw new DeviceError(this.displayFailure)
      const tracks = [new FakeMediaStreamTrack('video'), ...(constraints.audio ? [new FakeMediaStreamTrack('audio')] : [])]
      const stream = new FakeMediaStream(tracks)
      this.screens.push(stream)
      return stream
    })
  }

  /** What enumerateDevices lists; change it and call `plug`/`unplug` (or `deviceChange()`) like a person at the USB port. */
  // None listed by default, as a trace replay lists none (recorded journeys must replay the same); device tests plug theirs.
  devices: MediaDeviceInfoLike[] = []
  /** Devices (by id) that fail to open with this DOMException-like name. */
  failingDevices: Record<string, string> = {}
  /** Devices (by id) that go away as they open: their tracks come already ended, their `ended` heard by nobody. */
  readonly goneWhileOpening = new Set<string>()
  private readonly deviceChangeListeners = new Set<() => void>()

  onDeviceChange(listener: () => void): () => void {
    this.deviceChangeListeners.add(listener)
    return () => this.deviceChangeListeners.delete(listener)
  }

  deviceChange(): void {
    for (const listener of [...this.deviceChangeListeners]) listener()
  }

  plug(device: MediaDeviceInfoLike): void {
    this.devices = [...this.devices, device]
    this.deviceChange()
  }

  /** The device goes: its live tracks end (as a browser ends them), then `devicechange`. */
  unplug(deviceId: string): void {
    this.devices = this.devices.filter((device) => device.deviceId !== deviceId)
    for (const track of this.tracks) if (track.deviceId === deviceId && track.readyState === 'live') track.end()
    this.deviceChange()
  }

  /** The constraints of the opens marked as probes (only to learn whether the device opens). */
  readonly probes: MediaConstraintsLike[] = []

  getUserMedia(constraints: MediaConstraintsLike, options?: MediaOpenOptions): Promise<MediaStreamLike> {
    this.requests.push(constraints)
    if (options?.probe) this.probes.push(constraints)
    return this.calls.call('getUserMedia', (value) => {
      if (value instanceof Error) throw value
      const wanted = (['audio', 'video'] as const).filter((kind) => constraints[kind])
      const failing = wanted.find((kind) => this.failures[kind])
      if (failing) throw new DeviceError(this.failures[failing]!)
      const deviceIdOf = (kind: 'audio' | 'video') => {
        const constraint = constraints[kind]
        const requested = typeof constraint === 'object' ? (constraint.deviceId as { exact?: string; ideal?: string } | undefined) : undefined
        const listed = this.devices.filter((device) => device.kind === `${kind}input`)
        if (requested?.exact !== undefined) {
          if (this.failingDevices[requested.exact]) throw new DeviceError(this.failingDevices[requested.exact]!)
          if (!listed.some((device) => device.deviceId === requested.exact)) throw new DeviceError('OverconstrainedError')
          return requested.exact
        }
        // `ideal` or nothing: the wanted device when it exists, else the first one (the default).
        return listed.find((device) => device.deviceId === requested?.ideal)?.deviceId ?? listed[0]?.deviceId ?? ''
      }
      const tracks = wanted.map((kind) => new FakeMediaStreamTrack(kind, undefined, deviceIdOf(kind)))
      this.tracks.push(...tracks)
      for (const track of tracks) if (this.goneWhileOpening.has(track.deviceId)) track.end()
      return new FakeMediaStream(tracks)
    })
  }

  async enumerateDevices(): Promise<MediaDeviceInfoLike[]> {
    return this.devices.map((device) => ({ ...device }))
  }

  get liveTrackCount(): number {
    return this.tracks.filter((t) => t.readyState === 'live').length
  }

  get liveScreenTrackCount(): number {
    return this.screens.flatMap((s) => s.getTracks()).filter((t) => t.readyState === 'live').length
  }
}
