// The processes under this test process, read from /proc: to freeze a browser (or one of its
// services) with SIGSTOP the way a frozen laptop or a stalled network stack would.
import { readdirSync, readFileSync } from 'node:fs'

/** Parent pid → its children's pids, for every process now. */
export function processTree(): Map<number, number[]> {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after ") ".
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
    } catch {
      // The process ended meanwhile.
    }
  }
  return children
}

/** Every process below `root` (not `root` itself), parents before their children. */
export function descendantsOf(root: number): number[] {
  const tree = processTree()
  const found: number[] = []
  const visit = (pid: number) => {
    for (const child of tree.get(pid) ?? []) {
      found.push(child)
      visit(child)
    }
  }
  visit(root)
  return found
}

/** A process's command line with its arguments joined by spaces ('' once it has ended). */
export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '').split('\0').join(' ')
  } catch {
    return ''
  }
}
