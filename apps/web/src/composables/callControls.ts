// What the call's controls show, shared by the bar and the More menu (where a narrow bar moves some of
// them): the same words and states wherever a control is drawn.
import { computed, inject, type ComputedRef, type InjectionKey, type Ref } from 'vue'
import { useInviteStore } from '../stores/invite'
import { useParticipantsPanelStore } from '../stores/participantsPanel'
import { usePresenceStore } from '../stores/presence'
import { useScreenStore } from '../stores/screen'
import { useSessionStore } from '../stores/session'
import { domRowFit, useRowFit, type RowFit, type RowFitPorts } from './rowFit'

/** How the bar is measured: the DOM's unless a test provides a double. */
export const ROW_FIT_PORTS: InjectionKey<RowFitPorts> = Symbol('parley.rowFitPorts')

/**
 * Whether the bar is compact (essentials only): when its full labelled row does not fit on one line
 * (rowFit.ts), and always on a phone (icons only). `full` is what to draw; `compact` what the More menu
 * and the notices follow. In Chromium a host who can share needs 1047 px, a guest 953 (web README).
 */
export function useCompactBar(bar: Readonly<Ref<HTMLElement | null>>): RowFit {
  const session = useSessionStore()
  const invite = useInviteStore()
  const presence = usePresenceStore()
  const panel = useParticipantsPanelStore()
  const screen = useScreenStore()
  const share = useShareControl()
  // Everything that changes the full row's width: which controls, and their labels.
  const key = () =>
    [session.view.host.isHost, session.canShareScreen && share.value.label, invite.status === 'copied', presence.handRaised, panel.raisedHands].join('|')
  return useRowFit({ bar, key, forced: () => screen.phone, ports: inject(ROW_FIT_PORTS, domRowFit) })
}

export interface ShareControl {
  active: boolean
  label: string
  /** A refused or cancelled picker, said next to the control; the call goes on. */
  notice: string
}

export function useShareControl(): ComputedRef<ShareControl> {
  const session = useSessionStore()
  return computed(() => {
    const state = session.view.screenShare.state
    const error = session.view.screenShare.error
    return {
      active: state === 'sharing' || state === 'requesting',
      label: state === 'sharing' ? 'Stop sharing' : state === 'requesting' ? 'Choosing…' : 'Share screen',
      notice:
        error?.kind === 'denied' ? 'Screen sharing was cancelled or not allowed.'
        : error?.kind === 'unsupported' ? 'This browser cannot share a screen.'
        : error ? 'Your screen could not be shared.'
        : '',
    }
  })
}

/** What is on among the controls a compact bar moved into More, for More to say (the bar no longer shows it). */
export function movedControlNotes({ sharing, handRaised, raisedHands }: { sharing: boolean; handRaised: boolean; raisedHands: number }): string[] {
  const others = raisedHands - (handRaised ? 1 : 0)
  return [
    ...(sharing ? ['you are sharing your screen'] : []),
    ...(handRaised ? ['your hand is raised'] : []),
    ...(others > 0 ? [others === 1 ? '1 other raised hand' : `${others} other raised hands`] : []),
  ]
}
