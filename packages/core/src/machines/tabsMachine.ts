// One person, two tabs: the tabs of one browser profile tell each other (over a broadcast channel,
// tabsActors.ts) which room each is in, so that the same person never sits in one call twice and
// hears themselves echo. While a pre-join shows a room (`tabs.watch`) we ask whether another tab is
// in it and tell the conference (`tabs.elsewhere` / `tabs.alone`). A join (`tabs.claim`) asks again
// (or, while the pre-join's question is still out, waits for the rest of its window);
// when another tab is in the room it is asked to leave (`takeOver`) and we join once it says it has
// (`gone`), or after `takeOverTimeout` when it is gone or hung. In the room we answer every tab that
// asks, and yield to a tab that takes over (`tabs.takenOver` to the conference, which leaves). Two
// tabs that join at once both claim; the one whose id ranks lower yields. Other rooms never match.
// Without a channel (Node) there is nobody to ask: a claim is granted at once.
import { and, assign, raise, sendParent, sendTo, setup } from 'xstate'
import { notProvided } from './notProvided.js'
import type { TabChannelCommand, TabChannelEvent, TabMessage, TabsActors } from './tabsActors.js'

export const TAB_QUERY_WINDOW_MS = 250
export const TAKE_OVER_TIMEOUT_MS = 3000

export interface TabsInput {
  /** This tab's id (random per conference), compared when two tabs join at once. */
  tabId: string
}

export interface TabsContext {
  tabId: string
  /** The room watched, claimed or held. */
  roomId: string | null
  /** The other tab in that room, once one answered. */
  otherTab: string | null
}

export type TabsEvent =
  /** The pre-join shows this room: is another tab in it? */
  | { type: 'tabs.watch'; roomId: string }
  /** We are about to join this room: another tab in it leaves first. */
  | { type: 'tabs.claim'; roomId: string }
  /** We are in this room (one we created: nobody else can be in it yet). */
  | { type: 'tabs.hold'; roomId: string }
  /** We left the room. */
  | { type: 'tabs.release' }
  /** The pre-join's question had its window (raised by `watching.asking`; its sub-state decides). */
  | { type: 'tabs.queryWindowEnded' }
  | TabChannelEvent

/** What the tabs machine tells the conference. */
export type TabsParentEvent =
  | { type: 'tabs.elsewhere'; roomId: string }
  | { type: 'tabs.alone' }
  | { type: 'tabs.claimed' }
  | { type: 'tabs.takenOver' }

const roomOf = (event: TabsEvent) => ('roomId' in event ? event.roomId : null)

export const tabsMachine = setup({
  types: {} as { context: TabsContext; events: TabsEvent; input: TabsInput },
  actors: {
    tabChannel: notProvided<TabsActors['tabChannel']>('tabChannel'),
  },
  delays: {
    queryWindow: TAB_QUERY_WINDOW_MS,
    takeOverTimeout: TAKE_OVER_TIMEOUT_MS,
  },
  guards: {
    /** A broadcast channel exists here (provided with the port; none by default). */
    hasChannel: () => false,
    isOurRoom: ({ context, event }) => roomOf(event) === context.roomId,
    isOtherTabGone: ({ context, event }) => roomOf(event) === context.roomId && 'from' in event && event.from === context.otherTab,
    /** Two joins at once: the tab with the higher id keeps the room. */
    outranksUs: ({ context, event }) => 'from' in event && event.from > context.tabId,
  },
  actions: {
    storeRoom: assign({ roomId: (_, roomId: string) => roomId, otherTab: null }),
    storeOtherTab: assign({ otherTab: (_, tabId: string) => tabId }),
    forgetRoom: assign({ roomId: null, otherTab: null }),
    post: sendTo('tabChannel', ({ context }, type: TabMessage['type']): TabChannelCommand => ({
      type: 'tab.post',
      message: { type, roomId: context.roomId ?? '', from: context.tabId },
    })),
    reportClaimed: sendParent({ type: 'tabs.claimed' } satisfies TabsParentEvent),
    reportTakenOver: sendParent({ type: 'tabs.takenOver' } satisfies TabsParentEvent),
    reportElsewhere: sendParent(({ context }): TabsParentEvent => ({ type: 'tabs.elsewhere', roomId: context.roomId ?? '' })),
    reportAlone: sendParent({ type: 'tabs.alone' } satisfies TabsParentEvent),
  },
}).createMachine({
  id: 'tabs',
  context: ({ input }) => ({ tabId: input.tabId, roomId: null, otherTab: null }),
  initial: 'detecting',
  states: {
    detecting: {
      always: [{ guard: 'hasChannel', target: 'on' }, { target: 'off' }],
    },
    off: {
      // No other tab to ask (Node, or no BroadcastChannel): a join goes ahead at once.
      on: { 'tabs.claim': { actions: 'reportClaimed' } },
    },
    on: {
      invoke: { id: 'tabChannel', src: 'tabChannel' },
      initial: 'idle',
      states: {
        idle: {
          entry: 'forgetRoom',
          on: {
            'tabs.watch': { target: 'watching', actions: { type: 'storeRoom', params: ({ event }) => event.roomId } },
            'tabs.claim': { target: 'room', actions: { type: 'storeRoom', params: ({ event }) => event.roomId } },
            'tabs.hold': { target: 'room.holding', actions: { type: 'storeRoom', params: ({ event }) => event.roomId } },
          },
        },
        watching: {
          initial: 'asking',
          on: {
            'tabs.watch': [
              { guard: 'isOurRoom' },
              { target: 'watching', reenter: true, actions: { type: 'storeRoom', params: ({ event }) => event.roomId } },
            ],
            // A join of another room than the one watched asks afresh.
            'tabs.claim': { target: 'room', actions: { type: 'storeRoom', params: ({ event }) => event.roomId } },
            'tabs.hold': { target: 'room.holding', actions: { type: 'storeRoom', params: ({ event }) => event.roomId } },
          },
          states: {
            asking: {
              entry: { type: 'post', params: 'query' },
              // One window per question: a join while it is out waits for the rest of it, not a new one
              // (the timer is the question's; what its end means is the sub-state's).
              after: { queryWindow: { actions: raise({ type: 'tabs.queryWindowEnded' }) } },
              initial: 'previewing',
              states: {
                previewing: {
                  on: {
                    'tab.present': { guard: 'isOurRoom', target: '#tabs.on.watching.elsewhere', actions: { type: 'storeOtherTab', params: ({ event }) => event.from } },
                    'tab.claim': { guard: 'isOurRoom', target: '#tabs.on.watching.elsewhere', actions: { type: 'storeOtherTab', params: ({ event }) => event.from } },
                    'tabs.claim': { guard: 'isOurRoom', target: 'joining' },
                    'tabs.queryWindowEnded': '#tabs.on.watching.alone',
                  },
                },
                joining: {
                  // As room.claiming, on the pre-join's question: a tab in the room is asked to leave first.
                  on: {
                    'tab.present': { guard: 'isOurRoom', target: '#tabs.on.room.takingOver', actions: { type: 'storeOtherTab', params: ({ event }) => event.from } },
                    'tab.claim': { guard: 'isOurRoom', target: '#tabs.on.room.takingOver', actions: { type: 'storeOtherTab', params: ({ event }) => event.from } },
                    'tabs.claim': { guard: 'isOurRoom' },
                    // The join was given up before the window ended: nothing was claimed.
                    'tabs.release': '#tabs.on.idle',
                    'tabs.queryWindowEnded': { target: '#tabs.on.room.holding', actions: 'reportClaimed' },
                  },
                },
              },
            },
            alone: {
              on: {
                'tab.present': { guard: 'isOurRoom', target: 'elsewhere', actions: { type: 'storeOtherTab', params: ({ event }) => event.from } },
                'tab.claim': { guard: 'isOurRoom', target: 'elsewhere', actions: { type: 'storeOtherTab', params: ({ event }) => event.from } },
                // Nobody answered: the room is ours to join at once.
                'tabs.claim': { guard: 'isOurRoom', target: '#tabs.on.room.holding', actions: 'reportClaimed' },
              },
            },
            elsewhere: {
              entry: 'reportElsewhere',
              exit: 'reportAlone',
              on: {
                'tab.gone': { guard: 'isOtherTabGone', target: 'alone' },
                'tabs.claim': { guard: 'isOurRoom', target: '#tabs.on.room.takingOver' },
              },
            },
          },
        },
        room: {
          // Joining or in the room. However we leave it, the other tabs hear that we left.
          initial: 'claiming',
          exit: { type: 'post', params: 'gone' },
          on: { 'tabs.release': '#tabs.on.idle' },
          states: {
            claiming: {
              // Before joining: is another tab of this browser in the room?
              entry: { type: 'post', params: 'query' },
              after: { queryWindow: { target: 'holding', actions: 'reportClaimed' } },
              on: {
                'tab.present': { guard: 'isOurRoom', target: 'takingOver', actions: { type: 'storeOtherTab', params: ({ event }) => event.from } },
                'tab.claim': { guard: 'isOurRoom', target: 'takingOver', actions: { type: 'storeOtherTab', params: ({ event }) => event.from } },
              },
            },
            takingOver: {
              // The other tab leaves first; a tab that is gone or hung is not waited for beyond takeOverTimeout.
              entry: { type: 'post', params: 'takeOver' },
              after: { takeOverTimeout: { target: 'holding', actions: 'reportClaimed' } },
              on: { 'tab.gone': { guard: 'isOtherTabGone', target: 'holding', actions: 'reportClaimed' } },
            },
            holding: {
              entry: { type: 'post', params: 'claim' },
              on: {
                'tab.query': { guard: 'isOurRoom', actions: { type: 'post', params: 'present' } },
                'tab.takeOver': { guard: 'isOurRoom', target: 'yielding', actions: 'reportTakenOver' },
                'tab.claim': { guard: and(['isOurRoom', 'outranksUs']), target: 'yielding', actions: 'reportTakenOver' },
              },
            },
            yielding: {
              // The conference leaves the room; its release (or its end, which stops us) says `gone`.
            },
          },
        },
      },
    },
  },
})
