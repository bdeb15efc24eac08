#!/usr/bin/env node
// Times `npm start` from the command to the hub's first HTTP answer: the figure behind "a second start
// with nothing changed is serving within 3 s". Run 0 is whatever start this checkout needs first (on a
// fresh clone: install and every build) and is reported apart; runs 1..N are second starts.
//   node scripts/bench-start.mjs [--runs 5] [--port 18480]
// Prints every run and min / median / max of the second starts. It measures, it never judges.
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, port: { type: 'string', default: '18480' } } })
const runs = Number(values.runs)
const url = `http://127.0.0.1:${values.port}/`

async function answers() {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) })
    return true
  } catch {
    return false
  }
}

/** One `npm start`: seconds until the hub answers; then it is stopped the way Ctrl-C stops it. */
async function timeStart() {
  if (await answers()) throw new Error(`something already answers on ${url}: pick another --port`)
  const started = performance.now()
  // Its own process group, so that SIGINT reaches npm, parley.mjs and the hub together, as from a terminal.
  const child = spawn('npm', ['start', '--', '--port', values.port, '--quiet'], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const exited = new Promise((resolve) => child.on('exit', resolve))
  let gone = false
  exited.then(() => (gone = true))
  while (!(await answers())) {
    if (gone) throw new Error(`npm start exited before serving:\n${output}`)
    if (performance.now() - started > 600_000) throw new Error(`npm start not serving after 600 s:\n${output}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const seconds = (performance.now() - started) / 1000
  process.kill(-child.pid, 'SIGINT')
  await exited
  // A hub that outlives its npm (a wrapper that exits first) must be gone before the next run.
  for (let waited = 0; waited < 10_000 && (await answers()); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50))
  return seconds
}

const first = await timeStart()
console.log(`run 0 (first start in this checkout): ${first.toFixed(2)} s`)
const seconds = []
for (let run = 1; run <= runs; run++) {
  seconds.push(await timeStart())
  console.log(`run ${run} (nothing changed): ${seconds.at(-1).toFixed(2)} s`)
}
if (seconds.length > 0) {
  const sorted = [...seconds].sort((a, b) => a - b)
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2
  console.log(`second start, npm start to first HTTP answer, ${runs} runs: min ${sorted[0].toFixed(2)} s, median ${median.toFixed(2)} s, max ${sorted.at(-1).toFixed(2)} s`)
}
