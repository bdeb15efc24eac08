import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { commandLineOf, descendantsOf, processTree } from './processes.js'

describe('the processes under this one', () => {
  it('finds a child and its own child, with their command lines', async () => {
    // A shell that starts a sleep: two generations below this process.
    const shell = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' })
    try {
      const sleepPid = await new Promise<number>((resolve, reject) => {
        const started = Date.now()
        const look = () => {
          const child = (processTree().get(shell.pid!) ?? []).find((pid) => commandLineOf(pid).startsWith('sleep 30'))
          if (child !== undefined) resolve(child)
          else if (Date.now() - started > 5_000) reject(new Error('the shell never started its sleep'))
          else setTimeout(look, 20)
        }
        look()
      })
      const below = descendantsOf(process.pid)
      expect(below).toContain(shell.pid)
      expect(below).toContain(sleepPid)
      expect(below.indexOf(shell.pid!)).toBeLessThan(below.indexOf(sleepPid))
      expect(commandLineOf(sleepPid)).toBe('sleep 30')
    } finally {
      shell.kill('SIGKILL')
    }
  })

  it('reads an ended process as an empty command line', () => {
    expect(commandLineOf(2 ** 22 + 1)).toBe('')
  })
})
