// The chat machine with its channel actor replaced by a recorder: queueing while connecting, sending
// once open, requeueing what could not go out, receiving and reading.
import type { ChatMessage } from '@parley/protocol'
import { describe, expect, it } from 'vitest'
import { createActor, fromCallback, type AnyEventObject } from 'xstate'
import { chatMachine } from './chatMachine.js'

function start() {
  const transmitted: ChatMessage[] = []
  const ensured = { count: 0 }
  const notified = { count: 0 }
  let toMachine: ((event: AnyEventObject) => void) | undefined
  const machine = chatMachine.provide({
    actors: {
      chatChannel: fromCallback(({ receive, sendBack }) => {
        toMachine = sendBack
        receive((command: AnyEventObject) => {
          if (command.type === 'chat.ensure') ensured.count += 1
          else transmitted.push((command as unknown as { message: ChatMessage }).message)
        })
      }) as never,
    },
    // The conference hears every change (its view reads this child); counted here instead.
    actions: { notifyParent: () => void (notified.count += 1) },
  })
  const actor = createActor(machine, { input: { roomId: 'r', clientId: 'me', name: 'Ada', roomCreator: false } }).start()
  return { actor, transmitted, ensured, notified, channel: (event: AnyEventObject) => toMachine?.(event), log: () => actor.getSnapshot().context.log }
}

const theirs = (id: string, text = 'hi'): ChatMessage => ({ type: 'chat', id, from: 'bo', name: 'Bo', time: 5, text })

describe('chatMachine', () => {
  it('queues what is written before the channel opens, then sends it in order', () => {
    const run = start()
    run.actor.send({ type: 'user.sendChat', text: 'first', at: 1 })
    run.actor.send({ type: 'user.sendChat', text: 'second', at: 2 })
    expect(run.transmitted).toEqual([])
    expect(run.log().entries.map((e) => [e.text, e.status])).toEqual([['first', 'queued'], ['second', 'queued']])
    // Writing while not open asks the channel actor to make sure the room has a chat channel.
    expect(run.ensured.count).toBe(2)
    run.channel({ type: 'chat.open' })
    expect(run.transmitted.map((m) => m.text)).toEqual(['first', 'second'])
    expect(run.transmitted[0]).toMatchObject({ type: 'chat', id: 'me-1', from: 'me', name: 'Ada', time: 1 })
    expect(run.log().entries.every((e) => e.status === 'sent')).toBe(true)
    expect(run.actor.getSnapshot().context.outbox).toEqual([])
  })

  it('sends at once while open; a refused message is not sent and says why', () => {
    const run = start()
    run.channel({ type: 'chat.open' })
    run.actor.send({ type: 'user.sendChat', text: '   ', at: 1 })
    run.actor.send({ type: 'user.sendChat', text: 'ok', at: 2 })
    expect(run.transmitted.map((m) => m.text)).toEqual(['ok'])
    expect(run.log().notice).toEqual({ kind: 'refused', reason: 'must not be empty' })
  })

  it('requeues a message the channel could not send and sends it when it opens again', () => {
    const run = start()
    run.channel({ type: 'chat.open' })
    run.actor.send({ type: 'user.sendChat', text: 'lost?', at: 1 })
    const [message] = run.transmitted.splice(0)
    run.channel({ type: 'chat.unsent', message })
    expect(run.actor.getSnapshot().value).toBe('connecting')
    expect(run.log().entries[0]?.status).toBe('queued')
    run.channel({ type: 'chat.unsent', message: { ...message!, id: 'me-9' } })
    run.channel({ type: 'chat.open' })
    expect(run.transmitted.map((m) => m.id)).toEqual(['me-1', 'me-9'])
    run.channel({ type: 'chat.closed' })
    expect(run.actor.getSnapshot().value).toBe('connecting')
  })

  it('receives in any state, counts unread until read', () => {
    const run = start()
    run.channel({ type: 'chat.frame', message: theirs('1'), at: 0 })
    run.channel({ type: 'chat.open' })
    run.channel({ type: 'chat.frame', message: theirs('2', '<b>bold</b>'), at: 1 })
    expect(run.log()).toMatchObject({ unread: 2 })
    expect(run.log().entries[1]).toMatchObject({ text: '<b>bold</b>', status: 'received' })
    const before = run.notified.count
    run.actor.send({ type: 'user.readChat' })
    expect(run.log().unread).toBe(0)
    expect(run.notified.count).toBe(before + 1)
  })
})
