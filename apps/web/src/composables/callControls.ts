// What the call's controls show, shared by the bar and the More menu (where a narrow bar moves some of
// them): the same words and states wherever a control is drawn.
import { computed, type ComputedRef } from 'vue'
import { useMediaQuery } from './browser'
import { useSessionStore } from '../stores/session'

/**
 * Below this width the full bar no longer fits: a host who can share has 11 labelled controls, ~1050 px
 * wide, ~970 px squeezed (labels wrapping), as at 1024 px before; so it keeps the essentials and moves the
 * rest into More. 1024 px and up (a laptop, a tablet held wide) keep the desktop bar as it was.
 */
export const COMPACT_BAR_QUERY = '(max-width: 1023px)'

/** Whether the bar is compact (essentials only), following the window's width. */
export const useCompactBar = () => useMediaQuery(COMPACT_BAR_QUERY)

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
