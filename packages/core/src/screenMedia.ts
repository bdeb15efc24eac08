// The screen-share stream and its one owner: the screen-share actors acquire and release it here, the
// peer session reads it to publish, and the stream registry shows it (the sharer's own preview).
// A new capture replaces (and stops) the previous one: one share per participant.
import { HeldStream } from './heldStream.js'

export class ScreenMedia extends HeldStream {}
