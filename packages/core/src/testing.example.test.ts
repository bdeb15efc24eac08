// The README's `@parley/core/testing` example, run as a test: the block between the markers below is
// the README's code block, word for word (readme check at the end of this file).
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
// example:start
import { eventsActors, eventsMachine, createHubClient } from '@parley/core'
import { FAKE_HUB_URL, createFakeWorld, edgeCoveringPaths, flush, journeys, replayTrace, runAsChild, runPath } from '@parley/core/testing'

// My extension: reconnect after 100 ms instead of the back-off.
const quickEvents = eventsMachine.provide({ delays: { reconnectDelay: 100 } })
const RECONNECT = 'xstate.after.reconnectDelay.events.reconnecting'

const model = quickEvents.provide({ actions: { deliverHubEvent: () => {}, notifyOpen: () => {}, notifyReconnecting: () => {}, notifyClosed: () => {} } })
const { paths } = edgeCoveringPaths(model, {
  input: { roomId: 'room1', clientId: 'client1' },
  events: [{ type: 'stream.opened' }, { type: 'stream.error' }, { type: 'xstate.done.actor.checkClient', output: true }, { type: RECONNECT }],
  filterEvents: (snapshot) => (snapshot.context as { attempt: number }).attempt < 2,
})

it.each(paths.map((path) => [path.description, path] as const))('my extension: %s', async (_, path) => {
  const world = createFakeWorld()
  world.hub.clients.add('client1')
  world.hub.calls.gate('hub.getClient')
  const hub = createHubClient({ baseUrl: FAKE_HUB_URL, fetch: world.ports.fetch })
  const machine = quickEvents.provide({ actors: eventsActors({ hub, eventSource: world.ports.eventSource }) })
  const { child } = runAsChild(machine, { roomId: 'room1', clientId: 'client1' }, { clock: world.clock })
  await runPath(
    path,
    {
      'stream.opened': () => world.eventSources.latest().open(),
      'stream.error': () => world.eventSources.latest().fail(),
      'xstate.done.actor.checkClient': () => world.hub.calls.find('hub.getClient')!.resolve(),
      [RECONNECT]: () => world.clock.advance(100),
    },
    async (expected) => {
      await flush()
      expect(child.getSnapshot().value).toEqual(expected.value)
    },
  )
})

it('a recorded journey still replays over my build', async () => {
  expect((await replayTrace(await journeys['sse-reconnect']!())).verdict).toBe('same path')
})
// example:end

it('the README shows this example as it runs here', () => {
  const source = readFileSync(new URL(import.meta.url), 'utf8')
  const example = source.slice(source.indexOf('// example:start\n') + '// example:start\n'.length, source.indexOf('// example:end'))
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const block = /<!-- example:testing:start -->\n```ts\n([\s\S]*?)```\n<!-- example:testing:end -->/.exec(readme)?.[1]
  expect(block, 'README.md: the @parley/core/testing example differs from src/testing.example.test.ts; copy it over').toBe(example)
})
