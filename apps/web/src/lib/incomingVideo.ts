// The words for what you receive of others' cameras (the core's `setIncomingVideo`, `view.incomingVideo`),
// and the remembered choice read back from storage.
import type { IncomingVideo } from '../conference/types'

export interface IncomingVideoChoice {
  mode: IncomingVideo
  /** The menu item. */
  label: string
  /** What it does, under the label. */
  detail: string
}

export const INCOMING_VIDEO_CHOICES: readonly IncomingVideoChoice[] = [
  { mode: 'auto', label: 'Best for each tile', detail: 'Sharpness to fit each tile' },
  { mode: 'low', label: 'Data saver', detail: 'Every camera in its lowest quality' },
  { mode: 'off', label: 'Audio only', detail: 'No cameras; shared screens still shown' },
]

/** The header's note while not `auto`: what is on, what it means, and its button's name. */
export function incomingVideoNote(mode: IncomingVideo): { text: string; detail: string; action: string } | undefined {
  const choice = INCOMING_VIDEO_CHOICES.find((c) => c.mode === mode)
  if (!choice || mode === 'auto') return undefined
  return { text: choice.label, detail: `Others' video: ${choice.detail.toLowerCase()}`, action: `Turn off ${choice.label.toLowerCase()}: show others' video as usual` }
}

/** A stored value, if it is a mode (anything else, or nothing, is `auto`). */
export function parseIncomingVideo(stored: string | null): IncomingVideo {
  return INCOMING_VIDEO_CHOICES.find((choice) => choice.mode === stored)?.mode ?? 'auto'
}
