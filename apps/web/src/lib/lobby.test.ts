import { describe, expect, it } from 'vitest'
import { lobbyAnnouncement, madeHostAnnouncement, waitingNotice } from './lobby'

const bo = { knockId: 'k1', name: 'Bo', since: 1 }
const cy = { knockId: 'k2', name: 'Cy', since: 2 }
const host = (overrides = {}) => ({ canModerate: true, waiting: [], answeredCount: 0, madeHostCount: 0, ...overrides })

describe('the host’s waiting notice', () => {
  it('names one person (answered right there), counts several, and says nothing when nobody waits', () => {
    expect(waitingNotice([])).toBeUndefined()
    expect(waitingNotice([bo])).toEqual({ text: 'Bo wants to join.', person: bo })
    expect(waitingNotice([{ ...bo, name: '' }])).toMatchObject({ text: 'Someone wants to join.' })
    expect(waitingNotice([bo, cy])).toEqual({ text: '2 people want to join.' })
  })
})

describe('what a host hears of the lobby', () => {
  it('says who started waiting, once each', () => {
    expect(lobbyAnnouncement(host(), host({ waiting: [bo] }), 'me')).toBe('Bo is asking to join.')
    expect(lobbyAnnouncement(host({ waiting: [bo] }), host({ waiting: [bo, cy] }), 'me')).toBe('Cy is asking to join.')
    expect(lobbyAnnouncement(host(), host({ waiting: [bo, cy] }), 'me')).toBe('Bo, Cy are asking to join.')
    expect(lobbyAnnouncement(host({ waiting: [bo, cy] }), host({ waiting: [cy] }), 'me')).toBeUndefined()
  })

  it('says each answer: by us, by another host, or by the hub (an unlock let them in)', () => {
    const answered = (by?: { clientId: string; name: string }, admitted = true) => host({ answeredCount: 1, lastAnswered: { knockId: 'k1', name: 'Bo', admitted, ...(by ? { by } : {}) } })
    expect(lobbyAnnouncement(host({ waiting: [bo] }), answered({ clientId: 'me', name: 'Ada' }), 'me')).toBe('You let Bo in.')
    expect(lobbyAnnouncement(host({ waiting: [bo] }), answered({ clientId: 'c2', name: 'Di' }, false), 'me')).toBe('Di declined Bo.')
    expect(lobbyAnnouncement(host({ waiting: [bo] }), answered(), 'me')).toBe('Bo joined from the lobby.')
  })

  it('says nothing to someone who cannot answer, nor before there was a state to compare', () => {
    expect(lobbyAnnouncement(host({ canModerate: false }), host({ canModerate: false, waiting: [bo] }), 'me')).toBeUndefined()
    expect(lobbyAnnouncement(undefined, host({ waiting: [bo] }), 'me')).toBeUndefined()
  })
})

describe('being made a host', () => {
  it('is said once per grant, naming who did it', () => {
    expect(madeHostAnnouncement(0, { madeHostCount: 1, madeHostBy: { clientId: 'c1', name: 'Ada' } })).toBe('Ada made you a host. You can let people in, mute and remove.')
    expect(madeHostAnnouncement(0, { madeHostCount: 1 })).toBe('A host made you a host. You can let people in, mute and remove.')
    expect(madeHostAnnouncement(1, { madeHostCount: 1 })).toBeUndefined()
    expect(madeHostAnnouncement(undefined, { madeHostCount: 1 })).toBeUndefined()
  })

  it('says the host left when the hub handed the host on', () => {
    expect(madeHostAnnouncement(0, { madeHostCount: 1, madeHostBy: { clientId: 'c1', name: 'Ada' }, madeHostReason: 'host_left' })).toBe("You're the host now: Ada left. You can let people in, mute and remove.")
    expect(madeHostAnnouncement(0, { madeHostCount: 1, madeHostReason: 'host_left' })).toBe("You're the host now: the host left. You can let people in, mute and remove.")
    expect(madeHostAnnouncement(1, { madeHostCount: 2, madeHostBy: { clientId: 'c1', name: 'Ada' } })).toBe('Ada made you a host. You can let people in, mute and remove.')
  })
})
