// Linux's nice value per thread, read from /proc (the media workers' priority, thread-priority.ts).
import { readdirSync, readFileSync } from 'node:fs'

/** A thread's nice value: field 19 of its `stat`, counted after the command's closing paren. Default: the calling thread. */
export function threadNice(statPath = '/proc/thread-self/stat'): number {
  return Number(readFileSync(statPath, 'utf8').split(') ')[1]!.split(' ')[16])
}

/** The nice value of the thread `tid` of this process. */
export const niceOfThread = (tid: number): number => threadNice(`/proc/self/task/${tid}/stat`)

/** The nice value of every thread of this process. */
export const threadNices = (): number[] => readdirSync('/proc/self/task').map((tid) => niceOfThread(Number(tid)))
