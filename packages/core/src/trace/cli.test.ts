import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runCli } from './cli.js'

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.json`, import.meta.url))

async function run(...argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line) })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe('parley-trace', () => {
  it('replay: a recorded call replays as the same path (exit 0)', async () => {
    const result = await run('replay', fixture('hub-two-person-host'))
    expect(result.code).toBe(0)
    expect(result.out).toMatch(/^Same path: \d+ inputs replayed/)
  })

  it('replay: an edited trace reports where it diverged (exit 1)', async () => {
    const trace = JSON.parse(readFileSync(fixture('leave-from-room'), 'utf8')) as { entries: { kind: string; status?: number }[] }
    const created = trace.entries.find((e) => e.kind === 'http.response')!
    created.status = 503
    const file = join(mkdtempSync(join(tmpdir(), 'parley-trace-')), 'edited.json')
    writeFileSync(file, JSON.stringify(trace))
    const result = await run('replay', file)
    expect(result.code).toBe(1)
    expect(result.out).toMatch(/^Diverged after http.response 503 to POST \/v1\/rooms\/create/)
    expect(result.out).toContain('expected:')
  })

  it('show: prints a timeline with requests, SSE events and states', async () => {
    const result = await run('show', fixture('sse-reconnect'))
    expect(result.code).toBe(0)
    expect(result.out).toMatch(/^Parley trace v2, started /)
    expect(result.out).toMatch(/http\s+→ #1 POST \/v1\/rooms\/create/)
    expect(result.out).toMatch(/conference\/events\s+reconnecting/)
    const states = await run('show', fixture('sse-reconnect'), '--only', 'state')
    expect(states.out).not.toMatch(/→ #/)
  })

  it('refuses a file that is not a trace, saying why (exit 2)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'parley-trace-')), 'broken.json')
    writeFileSync(file, '{"format":"parley-trace","version":2,"entr')
    const result = await run('replay', file)
    expect(result.code).toBe(2)
    expect(result.err).toMatch(/not valid JSON \(truncated or damaged\?\)/)
    expect((await run('frobnicate')).err).toMatch(/^Usage:/)
  })
})
