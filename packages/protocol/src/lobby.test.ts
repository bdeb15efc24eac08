import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import {
  AnswerKnockRequestSchema,
  KNOCK_STREAM_EVENTS,
  PARLEY_KNOCK_ANSWER_EVENT,
  PARLEY_KNOCK_WAITING_EVENT,
  PARLEY_KNOCKS_EVENT,
  RegisteredClientSchema,
  parseKnockEvent,
  parseSseEvent,
  pathFor,
  routes,
} from './index.js'

describe('the lobby of a locked room', () => {
  it('has a knock stream and a host answer route', () => {
    expect(pathFor('knock', { roomId: 'r 1' })).toBe('/v1/rooms/r%201/parley/knock')
    expect(routes.knock).toMatchObject({ method: 'GET', auth: false, status: 200 })
    expect(pathFor('answerKnock', { roomId: 'r', knockId: 'k' })).toBe('/v1/rooms/r/parley/knock/k')
    expect(routes.answerKnock).toMatchObject({ method: 'PUT', auth: false, status: 200 })
  })

  it('parses the knock stream: waiting, then admitted with a pass or refused with a reason', () => {
    expect(KNOCK_STREAM_EVENTS).toEqual([PARLEY_KNOCK_WAITING_EVENT, PARLEY_KNOCK_ANSWER_EVENT])
    expect(parseKnockEvent(PARLEY_KNOCK_WAITING_EVENT, '{"knock_id":"k1"}')).toEqual({ ok: true, data: { knock_id: 'k1' } })
    expect(parseKnockEvent(PARLEY_KNOCK_ANSWER_EVENT, '{"admitted":true,"pass":"p","by":{"client_id":"a","name":"Ada"}}')).toEqual({
      ok: true,
      data: { admitted: true, pass: 'p', by: { client_id: 'a', name: 'Ada' } },
    })
    expect(parseKnockEvent(PARLEY_KNOCK_ANSWER_EVENT, '{"admitted":false,"reason":"declined"}')).toEqual({ ok: true, data: { admitted: false, reason: 'declined' } })
    // Admitted without a pass could not register; refused without a reason could not be worded.
    expect(parseKnockEvent(PARLEY_KNOCK_ANSWER_EVENT, '{"admitted":true}')).toMatchObject({ ok: false })
    expect(parseKnockEvent(PARLEY_KNOCK_ANSWER_EVENT, '{"admitted":false,"reason":"bored"}')).toMatchObject({ ok: false })
    expect(parseKnockEvent(PARLEY_KNOCK_WAITING_EVENT, 'not json')).toEqual({ ok: false, error: 'parley_knock_waiting: data is not JSON' })
  })

  it('parses the waiting list on the room stream, with the answer that changed it', () => {
    const data = '{"waiting":[{"knock_id":"k2","name":"Cy","since":1700000000000}],"answered":{"knock_id":"k1","name":"Bo","admitted":true,"by":{"client_id":"a","name":"Ada"}}}'
    expect(parseSseEvent(PARLEY_KNOCKS_EVENT, data)).toMatchObject({ ok: true, data: { waiting: [{ name: 'Cy' }], answered: { name: 'Bo', admitted: true } } })
    expect(parseSseEvent(PARLEY_KNOCKS_EVENT, '{"waiting":[]}')).toMatchObject({ ok: true, data: { waiting: [] } })
    expect(parseSseEvent(PARLEY_KNOCKS_EVENT, '{}')).toMatchObject({ ok: false })
  })

  it('validates the answer body, and keeps the pass register answers', () => {
    expect(v.safeParse(AnswerKnockRequestSchema, { admit: true, by_client_id: 'a' }).success).toBe(true)
    expect(v.safeParse(AnswerKnockRequestSchema, {}).success).toBe(false)
    expect(v.parse(v.pick(RegisteredClientSchema, ['parley_pass']), { parley_pass: 'p' })).toEqual({ parley_pass: 'p' })
    expect(v.safeParse(v.pick(RegisteredClientSchema, ['parley_pass']), { parley_pass: '' }).success).toBe(false)
  })
})
