// The hub as a process (its built `parley-hub` bin) over a registry file: SIGTERM tells every client
// `left` `shutdown` and exits 0; SIGKILL loses nothing that was answered. Each restart on the same file
// still has the room and its metadata. (npm test builds the hub before the e2e run.)
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pathFor } from '@parley/protocol'
import { assertLoopbackOnly } from '@parley/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call } from './support/hub-participant.js'

const mainJs = fileURLToPath(new URL('../dist/main.js', import.meta.url))
const dataDir = mkdtempSync(join(tmpdir(), 'parley-hub-process-'))
const running: ChildProcess[] = []

async function startHubProcess(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [mainJs, '--port', '0', '--quiet', '--no-static', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] })
  running.push(child)
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(out)
      if (match) resolve(match[1]!)
    })
    child.once('exit', (code) => reject(new Error(`the hub exited (${code}) before listening: ${out}`)))
  })
  return { child, url }
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => (child.exitCode !== null || child.signalCode ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))))

describe('the hub process over its registry file', () => {
  beforeAll(() => {
    assertLoopbackOnly()
    if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: build the hub first (npm run pnpm -- --filter @parley/hub... build)`)
  })
  afterAll(() => {
    for (const child of running) child.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('SIGTERM: every client gets left shutdown, exit 0, and the room comes back with its metadata', async () => {
    const first = await startHubProcess()
    expect((await call(first.url, 'POST', pathFor('createRoom', {}), { id: 'kept', name: 'Kept' })).status).toBe(201)
    expect((await call(first.url, 'POST', pathFor('setMeta', { roomId: 'kept' }), { topic: 'before SIGTERM' })).status).toBe(200)
    expect((await call(first.url, 'POST', pathFor('register', { roomId: 'kept' }), { uid: 'a' })).status).toBe(200)
    const stream = await fetch(`${first.url}${pathFor('events', { roomId: 'kept', clientId: 'a' })}`)
    const text = stream.text()
    first.child.kill('SIGTERM')
    expect(await text).toMatch(/id: \d+\nevent: left\ndata: \{"reason":"shutdown"\}\n\n$/)
    expect(await exited(first.child)).toBe(0)

    const second = await startHubProcess()
    expect((await call(second.url, 'GET', pathFor('getRoom', { roomId: 'kept' }))).body.data).toMatchObject({ id: 'kept', name: 'Kept' })
    expect((await call(second.url, 'GET', pathFor('getMeta', { roomId: 'kept', key: 'topic' }))).body.data).toEqual({ topic: 'before SIGTERM' })
    expect((await call(second.url, 'GET', pathFor('getClient', { roomId: 'kept', clientId: 'a' }))).status).toBe(404)

    // SIGKILL right after an answered write: the write is there after the restart.
    expect((await call(second.url, 'POST', pathFor('setMeta', { roomId: 'kept' }), { topic: 'before SIGKILL' })).status).toBe(200)
    second.child.kill('SIGKILL')
    await exited(second.child)
    const third = await startHubProcess()
    expect((await call(third.url, 'GET', pathFor('getMeta', { roomId: 'kept', key: 'topic' }))).body.data).toEqual({ topic: 'before SIGKILL' })
    third.child.kill('SIGTERM')
    expect(await exited(third.child)).toBe(0)
  }, 60_000)
})
