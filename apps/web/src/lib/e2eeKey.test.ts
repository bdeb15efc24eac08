import { describe, expect, it } from 'vitest'
import { e2eeKeyFromUrl, newE2eeKey, withE2eeKey } from './e2eeKey'

describe("the call's end-to-end encryption key in the address's fragment", () => {
  it('reads the key a link carries, and nothing from a link without one', () => {
    expect(e2eeKeyFromUrl('https://meet.example/?roomId=r#e2ee=Zm9vYmFyYmF6cXV4')).toBe('Zm9vYmFyYmF6cXV4')
    expect(e2eeKeyFromUrl('https://meet.example/?roomId=r')).toBeUndefined()
    expect(e2eeKeyFromUrl('https://meet.example/?roomId=r#top')).toBeUndefined()
    // A key in the query would reach the server: only the fragment counts.
    expect(e2eeKeyFromUrl('https://meet.example/?roomId=r&e2ee=Zm9vYmFyYmF6cXV4')).toBeUndefined()
  })

  it('ignores a key too short, too long or with spaces and control characters (a mangled link)', () => {
    expect(e2eeKeyFromUrl('http://h/#e2ee=short')).toBeUndefined()
    expect(e2eeKeyFromUrl(`http://h/#e2ee=${'a'.repeat(257)}`)).toBeUndefined()
    expect(e2eeKeyFromUrl('http://h/#e2ee=two%20words%20here')).toBeUndefined()
  })

  it('puts a key in the fragment and takes it out, leaving the rest of the address alone', () => {
    const withKey = withE2eeKey('http://127.0.0.1:5173/?roomId=r&roomName=A+B', 'k3y-_with~chars')
    expect(withKey).toBe('http://127.0.0.1:5173/?roomId=r&roomName=A+B#e2ee=k3y-_with%7Echars')
    expect(e2eeKeyFromUrl(withKey)).toBe('k3y-_with~chars')
    expect(withE2eeKey(withKey, undefined)).toBe('http://127.0.0.1:5173/?roomId=r&roomName=A+B')
  })

  it('makes 22-character base64url keys from 16 random bytes, a different one each time', () => {
    const fixed = newE2eeKey((bytes) => bytes.fill(0xfb))
    expect(fixed).toBe('-_v7-_v7-_v7-_v7-_v7-w')
    const keys = new Set(Array.from({ length: 20 }, () => newE2eeKey()))
    expect(keys.size).toBe(20)
    for (const key of keys) {
      expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/)
      expect(e2eeKeyFromUrl(withE2eeKey('http://h/', key))).toBe(key)
    }
  })
})
