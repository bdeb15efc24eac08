// The CLI's flags (pure, so it is tested without running anything).
import { defaultVideoKbps, type VideoShape } from './media-source.js'

export interface CliOptions {
  sizes: number[]
  video: VideoShape
  seconds: number
  /** Two hubs side by side, sizes alternating between them: werift's sendRtp vs the hub's fast send. */
  compare: boolean
  /** Rooms of each size measured at once (their packets summed in one row). */
  rooms: number
  /** Hubs side by side by `--media-workers` (0 = the media plane in the hub's main thread); undefined: one hub, in-process. */
  mediaWorkers: number[] | undefined
  /** Two hubs side by side, sizes alternating between them: the werift plane (fast send) vs the node-datachannel plane. */
  comparePlanes: boolean
  /** --before-hub DIR: that checkout's hub (before) and this one's (after), sizes alternating between them. */
  beforeHub: string | undefined
  /** --media-plane: the plane of a single hub and of both --before-hub hubs (werift with the fast send, or ndc). */
  mediaPlane: 'werift' | 'ndc'
  help: boolean
}

export const USAGE = `Usage: pnpm --filter @parley/loadtest run load -- [--sizes 2,4,8,12,16] [--resolution 320x240] [--fps 20]
       [--video-kbps <n>] [--seconds 10] [--compare | --compare-planes] [--rooms 1] [--media-workers 0,2]
       [--before-hub DIR] [--media-plane werift|ndc]
Runs inside a loopback-only network namespace only (see the package README).
  --sizes       room sizes to measure, in order; the run stops after the first size at which the hub collapses
  --resolution  WIDTHxHEIGHT of the synthetic video (sets the default bitrate and the key-frame header)
  --fps         video frames per second
  --video-kbps  video bitrate (default: 300 at 320x240@20, scaled by pixels and fps)
  --seconds     length of the measurement window per size
  --compare     two hub processes, one forwarding through werift's sendRtp, one through the fast send
                (werift-fast-send.ts); each size is measured on both, alternating which goes first
  --compare-planes  the same with two media planes: werift with the fast send (fast) and
                node-datachannel (ndc, packages/hub/src/media/ndc-plane.ts)
  --rooms       rooms of each size at once, all busy in the same window (one row sums them)
  --media-workers
                hub processes side by side, one per value of the hub's --media-workers (0 = media in
                the main thread); each size is measured on every one, alternating the order
  --before-hub  DIR: another version of the hub (a checkout after pnpm install, its packages/hub or src)
                as hub 'before' beside this checkout's ('after'), alternating the order per size
  --media-plane werift (the fast send, default) or ndc (node-datachannel): the plane of a single hub
                and of both --before-hub hubs`

export function parseCliArgs(argv: readonly string[]): CliOptions {
  const values = new Map<string, string>()
  let help = false
  let compare = false
  let comparePlanes = false
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i]!
    if (flag === '--') continue
    if (flag === '--help' || flag === '-h') {
      help = true
      continue
    }
    if (flag === '--compare') {
      compare = true
      continue
    }
    if (flag === '--compare-planes') {
      comparePlanes = true
      continue
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(flag)
    if (!match) throw new Error(`unexpected argument '${flag}'\n${USAGE}`)
    const value = match[2] ?? argv[++i]
    if (value === undefined) throw new Error(`--${match[1]} needs a value\n${USAGE}`)
    values.set(match[1]!, value)
  }
  const known = new Set(['sizes', 'resolution', 'fps', 'video-kbps', 'seconds', 'rooms', 'media-workers', 'before-hub', 'media-plane'])
  for (const name of values.keys()) if (!known.has(name)) throw new Error(`unknown flag --${name}\n${USAGE}`)

  const sizes = (values.get('sizes') ?? '2,4,8,12,16').split(',').map((size) => positiveInteger('sizes', size))
  if (sizes.some((size) => size < 2)) throw new Error('--sizes: a room needs at least 2 participants')
  const resolution = /^(\d+)x(\d+)$/.exec(values.get('resolution') ?? '320x240')
  if (!resolution) throw new Error('--resolution must look like 320x240')
  const width = positiveInteger('resolution', resolution[1]!)
  const height = positiveInteger('resolution', resolution[2]!)
  const fps = positiveNumber('fps', values.get('fps') ?? '20')
  const kbps = values.has('video-kbps') ? positiveNumber('video-kbps', values.get('video-kbps')!) : defaultVideoKbps(width, height, fps)
  const seconds = positiveNumber('seconds', values.get('seconds') ?? '10')
  const rooms = positiveInteger('rooms', values.get('rooms') ?? '1')
  const mediaWorkers = values.has('media-workers') ? values.get('media-workers')!.split(',').map((count) => wholeNumber('media-workers', count)) : undefined
  if (compare && comparePlanes) throw new Error('--compare and --compare-planes: one comparison per run')
  if ((compare || comparePlanes) && mediaWorkers) throw new Error('--compare, --compare-planes and --media-workers each choose the hubs; give one of them')
  const beforeHub = values.get('before-hub')
  if (beforeHub !== undefined && (compare || comparePlanes || mediaWorkers)) throw new Error('--before-hub chooses the hubs too; give it alone')
  const mediaPlane = values.get('media-plane') ?? 'werift'
  if (mediaPlane !== 'werift' && mediaPlane !== 'ndc') throw new Error(`--media-plane: '${mediaPlane}' is neither werift nor ndc`)
  if (mediaPlane === 'ndc' && (compare || comparePlanes || mediaWorkers)) throw new Error('--media-plane ndc goes with one hub or --before-hub, not with --compare, --compare-planes or --media-workers')
  return { sizes, video: { width, height, fps, kbps }, seconds, compare, comparePlanes, rooms, mediaWorkers, beforeHub, mediaPlane, help }
}

function positiveNumber(flag: string, text: string): number {
  const value = Number(text)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${flag}: '${text}' is not a positive number`)
  return value
}

function positiveInteger(flag: string, text: string): number {
  const value = positiveNumber(flag, text)
  if (!Number.isInteger(value)) throw new Error(`--${flag}: '${text}' is not a whole number`)
  return value
}

function wholeNumber(flag: string, text: string): number {
  const value = Number(text)
  if (!/^\d+$/.test(text.trim())) throw new Error(`--${flag}: '${text}' is not a whole number`)
  return value
}
