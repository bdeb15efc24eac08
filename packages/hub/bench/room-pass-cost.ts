// Micro-benchmark (figures printed, nothing asserted): what the room pass adds to a register. In a room
// with host controls each register without a valid pass stores a new pass hash, a write of the room's whole
// head (its `parley` record holds up to MAX_PASSES_PER_ROOM hashes, ~25 KB of JSON when full); a plain
// room's register writes nothing. In-process requests (`app.request`, fake media plane) against a SQLite
// registry in a temporary directory: `node --import ./bench/register-ts.mjs bench/room-pass-cost.ts` in packages/hub.
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathFor, ROOM_PASS_HEADER } from '@parley/protocol'
import { createApp } from '../src/http/app.js'
import { openSqliteRegistry } from '../src/registry/sqlite.js'
import { issueRoomPasses, MAX_PASSES_PER_ROOM } from '../src/roomPass.js'
import { FakeMediaPlane } from '../src/test-support/fakeMediaPlane.js'

const REGISTERS = 2_000
const ROUNDS = 3

const dir = mkdtempSync(join(tmpdir(), 'parley-pass-bench-'))
const app = createApp({ mediaPlane: new FakeMediaPlane(), registry: openSqliteRegistry(join(dir, 'rooms.sqlite')) })

async function json(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await app.request(path, { method, headers: { 'Content-Type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) })
  return (await response.json()) as { code: number; data: Record<string, unknown> }
}

/** One register (its leave after it is not timed), in milliseconds. */
async function timedRegister(roomId: string, uid: string, headers: Record<string, string> = {}): Promise<number> {
  const start = performance.now()
  const answer = await json('POST', pathFor('register', { roomId }), { uid }, headers)
  const spent = performance.now() - start
  if (answer.code !== 200) throw new Error(`register: ${answer.code}`)
  await json('DELETE', pathFor('leave', { roomId, clientId: uid }))
  return spent
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

await json('POST', pathFor('createRoom', {}), { id: 'plain' })
await json('POST', pathFor('createRoom', {}), { id: 'hosted', options: { parley: { host_controls: true } } })
const hosted = app.hub.room('hosted')
issueRoomPasses(hosted, MAX_PASSES_PER_ROOM)
/** A pass among the newest (each new pass stored pushes the oldest out). */
async function freshPass(round: number): Promise<string> {
  const pass = (await json('POST', pathFor('register', { roomId: 'hosted' }), { uid: `keeper${round}` })).data.parley_pass as string
  await json('DELETE', pathFor('leave', { roomId: 'hosted', clientId: `keeper${round}` }))
  return pass
}
console.log(`room pass cost, median ms of ${REGISTERS} per kind and round; load ${loadavg()[0]!.toFixed(1)}`)
console.log(`the hosted room holds ${hosted.parley.passes?.length} hashes (${JSON.stringify(hosted.parley).length} characters of JSON)`)
// Without writes (interleaved: the load is shared), then registers that store a new pass.
for (let round = 1; round <= ROUNDS; round++) {
  const pass = await freshPass(round)
  const plain: number[] = []
  const ownPass: number[] = []
  for (let index = 0; index < REGISTERS; index++) {
    plain.push(await timedRegister('plain', `p${index}`))
    ownPass.push(await timedRegister('hosted', `o${index}`, { [ROOM_PASS_HEADER]: pass }))
  }
  const newPass: number[] = []
  for (let index = 0; index < REGISTERS; index++) newPass.push(await timedRegister('hosted', `n${index}`))
  console.log(`round ${round}: plain room ${median(plain).toFixed(3)}; host controls, back with a pass ${median(ownPass).toFixed(3)}; host controls, a new pass stored ${median(newPass).toFixed(3)}`)
}
// The write alone, by how many hashes the room holds.
for (const stored of [0, 100, MAX_PASSES_PER_ROOM]) {
  const spent: number[] = []
  for (let index = 0; index < 500; index++) {
    hosted.setExtension('passes', stored === 0 ? undefined : hosted.parley.passes!.slice(-(stored - 1)))
    const start = performance.now()
    issueRoomPasses(hosted, 1)
    spent.push(performance.now() - start)
  }
  console.log(`one pass stored beside ${stored} hashes (one SQLite write of the head): ${median(spent).toFixed(3)}`)
}
await app.hub.close()
rmSync(dir, { recursive: true, force: true })
