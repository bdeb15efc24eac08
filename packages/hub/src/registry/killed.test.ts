// A hub killed with SIGKILL in the middle of writing leaves a valid registry holding every write it
// had acknowledged. The writer is a real child process running this package's sqlite registry
// (transpiled from source with TypeScript), killed while it writes as fast as it can.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'
import { openSqliteRegistry, sqliteModule } from './sqlite.js'

const packageDir = fileURLToPath(new URL('../..', import.meta.url))
// Under the package's node_modules so the child resolves node-sqlite3-wasm as the hub does.
const childDir = join(packageDir, 'node_modules', '.parley-test', `killed-${process.pid}`)
const dataDir = mkdtempSync(join(tmpdir(), 'parley-killed-'))
afterAll(() => {
  rmSync(childDir, { recursive: true, force: true })
  rmSync(dataDir, { recursive: true, force: true })
})

/** Writes forever: a room head every 7th write, else one metadata key; prints `ack <n>` after each commit. */
const WRITER = `
import { writeSync } from 'node:fs'
import { openSqliteRegistry } from './sqlite.mjs'
const [path, round] = process.argv.slice(2)
const registry = openSqliteRegistry(path)
const options = { bitrates: {}, quality_presets: {}, codecs: [], pli_interval_ns: 0, empty_room_timeout_ns: 1 }
registry.saveRoom({ id: 'r', name: 'r', options, channels: [], parley: {} })
const padding = 'x'.repeat(300)
for (let n = 0; ; n++) {
  if (n % 7 === 0) registry.saveRoom({ id: 'r', name: 'r' + round + '-' + n, options, channels: [{ label: 'c' + n, ordered: true }], parley: { n } })
  else registry.setMeta('r', { ['k' + round + '-' + n]: { n, padding } })
  writeSync(1, 'ack ' + n + '\\n')
}
`

function startWriter(path: string, round: number): { child: ChildProcess; acked: () => number } {
  const child = spawn(process.execPath, [join(childDir, 'writer.mjs'), path, String(round)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let text = ''
  child.stdout!.on('data', (chunk: Buffer) => void (text += chunk.toString()))
  return {
    child,
    acked: () => {
      const complete = text.slice(0, text.lastIndexOf('\n') + 1)
      const last = /ack (\d+)\n$/.exec(complete)
      return last ? Number(last[1]) : -1
    },
  }
}

describe('a registry written by a process killed with SIGKILL', () => {
  it('opens valid, with every acknowledged write, after each of several kills', async () => {
    mkdirSync(childDir, { recursive: true })
    const source = readFileSync(fileURLToPath(new URL('./sqlite.ts', import.meta.url)), 'utf8')
    const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText
    writeFileSync(join(childDir, 'sqlite.mjs'), js)
    writeFileSync(join(childDir, 'writer.mjs'), WRITER)
    const path = join(dataDir, 'rooms.sqlite')
    const { Database } = sqliteModule()

    for (let round = 0; round < 3; round++) {
      const writer = startWriter(path, round)
      // Kill it at a different moment each round, well into its writes.
      const target = 500 + round * 397
      await new Promise<void>((resolve, reject) => {
        const poll = setInterval(() => {
          if (writer.acked() >= target) {
            clearInterval(poll)
            resolve()
          }
        }, 1)
        writer.child.once('exit', (code) => {
          clearInterval(poll)
          reject(new Error(`the writer exited by itself (${code})`))
        })
      })
      writer.child.kill('SIGKILL')
      await new Promise((resolve) => writer.child.once('exit', resolve))
      const acked = writer.acked()

      // The registry opens it (clearing the dead writer's lock, rolling back its unfinished transaction)...
      const registry = openSqliteRegistry(path)
      const [room] = registry.loadAll()
      registry.close()
      // ...and SQLite finds the file sound.
      const db = new Database(path)
      expect(JSON.stringify(db.all('PRAGMA integrity_check'))).toBe(JSON.stringify([{ integrity_check: 'ok' }]))
      db.close()
      const lastHead = acked - (acked % 7)
      const headN = (room!.parley as { n: number }).n
      expect(headN).toBeGreaterThanOrEqual(lastHead)
      for (let n = 0; n <= acked; n++) {
        if (n % 7 !== 0) expect(room!.meta[`k${round}-${n}`], `write ${n} of round ${round} (acked up to ${acked})`).toMatchObject({ n })
      }
    }
  }, 60_000)
})
