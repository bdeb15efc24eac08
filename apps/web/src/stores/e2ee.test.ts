// End-to-end encryption across the app's stores: the key in the address reaches every conference the app
// starts, a new room can be made encrypted on the pre-join, and the encryption's status reaches the screen.
import { describe, expect, it } from 'vitest'
import { makeParticipant } from '../testing/fakeConference'
import { createTestApp } from '../testing/testApp'
import { useAppStore } from './app'
import { useInviteStore } from './invite'
import { useScreenStore } from './screen'
import { useSessionStore } from './session'

const KEY = 'Zm9vYmFyYmF6cXV4cXV1eA'

describe('end-to-end encryption in the app', () => {
  it("starts the invited call's conference with the link's key, and every later one (Join again) too; New room drops it", () => {
    const app = createTestApp({ href: `http://localhost/?roomId=r1#e2ee=${KEY}`, canEncryptMedia: true })
    app.start()
    expect(app.fake.options?.e2ee).toEqual({ passphrase: KEY })
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: 'Team' } })
    expect(useInviteStore().inviteUrl).toBe(`http://localhost/?roomId=r1&roomName=Team#e2ee=${KEY}`)
    app.fake.setView({ status: 'left', room: { id: 'r1', name: 'Team' } })
    const firstEncryption = app.fake.e2ee!
    useAppStore().joinAgain()
    expect(firstEncryption.closed).toBe(true)
    expect(app.fake.options?.e2ee).toEqual({ passphrase: KEY })
    expect(app.page.href()).toContain(`#e2ee=${KEY}`)

    useAppStore().newRoom()
    expect(app.fake.options?.e2ee).toBeUndefined()
    expect(app.fake.handle.e2ee).toBeUndefined()
    expect(app.page.href()).toBe('http://localhost/')
  })

  it('makes a new room encrypted on the pre-join: a fresh key in the address and a conference for it; off again drops both', () => {
    const app = createTestApp({ canEncryptMedia: true })
    app.start()
    expect(app.fake.options?.e2ee).toBeUndefined()
    const flows = useAppStore()
    flows.encryptNewRoom(true)
    expect(app.fake.created).toBe(2)
    const key = app.fake.options?.e2ee?.passphrase
    expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(app.page.href()).toBe(`http://localhost/#e2ee=${key}`)
    // The new conference previews the camera again (the old one's preview went with it).
    expect(app.fake.calls.at(-1)?.method).toBe('preview')
    flows.encryptNewRoom(true)
    expect(app.fake.created).toBe(2)

    flows.encryptNewRoom(false)
    expect(app.fake.created).toBe(3)
    expect(app.fake.options?.e2ee).toBeUndefined()
    expect(app.page.href()).toBe('http://localhost/')
  })

  it("never changes an invited room's key (the invite decides)", () => {
    const app = createTestApp({ href: 'http://localhost/?roomId=r1', canEncryptMedia: true })
    app.start()
    useAppStore().encryptNewRoom(true)
    expect(app.fake.created).toBe(1)
    expect(app.page.href()).toBe('http://localhost/?roomId=r1')
  })

  it("mirrors the encryption's status and safety code, and shows a stream encrypted with another key, or not at all, as such", async () => {
    const app = createTestApp({ href: `http://localhost/?roomId=r1#e2ee=${KEY}`, canEncryptMedia: true })
    app.start()
    const session = useSessionStore()
    expect(session.e2ee).toEqual({ key: 'deriving', sending: 'idle', streams: {}, chat: { undecryptable: 0, unencrypted: 0, unsent: 0 } })
    // The safety code is derived when asked for (the Encrypted card's first opening), once per call.
    await Promise.resolve()
    expect(session.safetyCode).toBeUndefined()
    expect(app.fake.e2ee!.safetyCodeDerived).toBe(0)
    session.requestSafetyCode()
    session.requestSafetyCode()
    await Promise.resolve()
    expect(session.safetyCode).toBe(`code of ${KEY}`)
    expect(app.fake.e2ee!.safetyCodeDerived).toBe(1)

    const ada = makeParticipant(1, { name: 'Ada' })
    // No frame of Bo's decodes, so the core finds his video stalled: that is not a connection problem here.
    const bo = makeParticipant(2, { name: 'Bo', videoPaused: true })
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: '' }, participants: [ada, bo] })
    app.fake.e2ee!.setStatus({ key: 'ready', sending: 'encrypting', streams: { 'stream-1': 'decrypting', 'stream-2': 'undecryptable' } })
    const screen = useScreenStore()
    const remote = (name: string) => screen.tiles.find((tile) => tile.name === name)!
    expect(remote('Ada')).toMatchObject({ showVideo: true })
    expect(remote('Ada').e2ee).toBeUndefined()
    expect(remote('Bo')).toMatchObject({ showVideo: false, e2ee: 'undecryptable' })
    expect(remote('Bo').connectionWarning).toBeFalsy()
    app.fake.e2ee!.setStatus({ streams: { 'stream-1': 'unencrypted', 'stream-2': 'decrypting' } })
    expect(remote('Ada')).toMatchObject({ showVideo: false, e2ee: 'unencrypted' })
    expect(remote('Bo')).toMatchObject({ showVideo: true, connectionWarning: true })

    const encryption = app.fake.e2ee!
    session.stop()
    expect(encryption.closed).toBe(true)
    expect(session.e2ee).toBeUndefined()
    expect(session.safetyCode).toBeUndefined()
    // The next call's code is asked for anew.
    app.start()
    session.requestSafetyCode()
    await Promise.resolve()
    expect(app.fake.e2ee).not.toBe(encryption)
    expect(app.fake.e2ee!.safetyCodeDerived).toBe(1)
    expect(session.safetyCode).toBe(`code of ${KEY}`)
  })

  it("without the key, shows whoever encrypts as locked (the avatar, silent), and the others as usual", () => {
    const app = createTestApp({ href: 'http://localhost/?roomId=r1', canEncryptMedia: true })
    app.start()
    // Nothing of Ada's decodes here, so the core finds her video stalled: that is not a connection problem.
    app.fake.setView({ status: 'connected', room: { id: 'r1', name: '' }, participants: [makeParticipant(1, { name: 'Ada', encrypted: true, videoPaused: true }), makeParticipant(2, { name: 'Bo' })] })
    const tiles = useScreenStore().tiles
    expect(tiles.find((tile) => tile.name === 'Ada')).toMatchObject({ showVideo: false, e2ee: 'locked', videoPaused: false })
    expect(tiles.find((tile) => tile.name === 'Ada')?.connectionWarning).toBeFalsy()
    expect(tiles.find((tile) => tile.name === 'Bo')).toMatchObject({ showVideo: true })
    expect(tiles.find((tile) => tile.name === 'Bo')?.e2ee).toBeUndefined()
    expect(tiles.find((tile) => tile.local)?.e2ee).toBeUndefined()
  })

  it('has no encryption in a call without a key', () => {
    const app = createTestApp({ href: 'http://localhost/?roomId=r1', canEncryptMedia: true })
    app.start()
    expect(app.fake.options?.e2ee).toBeUndefined()
    expect(useSessionStore().e2ee).toBeUndefined()
  })
})
