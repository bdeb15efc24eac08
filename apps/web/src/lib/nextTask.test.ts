import { describe, expect, it } from 'vitest'
import { messageChannelTasks } from './nextTask'

describe('messageChannelTasks', () => {
  it('runs what one task queued later, in order, with one message', () => {
    const port1: { onmessage: unknown } = { onmessage: null }
    const posted: unknown[] = []
    const nextTask = messageChannelTasks({ port1, port2: { postMessage: (message) => posted.push(message) } })
    const ran: string[] = []
    nextTask(() => ran.push('a'))
    nextTask(() => ran.push('b'))
    expect(ran).toEqual([])
    expect(posted).toHaveLength(1)
    ;(port1.onmessage as () => void)()
    expect(ran).toEqual(['a', 'b'])
    nextTask(() => ran.push('c'))
    expect(posted).toHaveLength(2)
  })

  it('runs in a later task of the page', async () => {
    const nextTask = messageChannelTasks()
    const ran = await new Promise<string[]>((resolve) => {
      const order: string[] = []
      nextTask(() => resolve([...order, 'task']))
      queueMicrotask(() => order.push('microtask'))
    })
    expect(ran).toEqual(['microtask', 'task'])
  })
})
