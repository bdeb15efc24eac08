// Shared by the HTTP API tests (src/http/app.*.test.ts): a minimal client offer, the error envelope's
// check, and the closing of each test's hub.
import { afterEach, expect } from 'vitest'
import type { TestHub } from './harness.js'

export const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n' }

/** Closes the hub a test made (`current()`: the file's `hub`, if a test set it) after each test. */
export function closeAfterEach(current: () => TestHub | undefined): void {
  afterEach(async () => {
    await current()?.close()
  })
}

export function expectEnvelope(response: { status: number; headers: Headers; body: { code: number; message: string } }, status: number, message?: RegExp) {
  expect(response.status).toBe(status)
  expect(response.body.code).toBe(status)
  expect(response.headers.get('content-type')).toMatch(/^application\/json/)
  expect(typeof response.body.message).toBe('string')
  if (message) expect(response.body.message).toMatch(message)
}
