// The words for a connection quality and the figures behind it (the quality icon's tooltip).
import type { Quality, QualityFigures } from '../conference/types'

export const QUALITY_WORDS: Record<Quality, string> = {
  excellent: 'Excellent connection',
  good: 'Good connection',
  poor: 'Poor connection',
  lost: 'Connection lost',
}

/** e.g. "Poor connection: 12 % loss, 15 ms jitter, 100 ms round trip, 14 fps". */
export function qualityDescription(figures: QualityFigures): string {
  const parts = [
    figures.lossPercent !== undefined ? `${figures.lossPercent} % loss` : undefined,
    figures.jitterMs !== undefined ? `${Math.round(figures.jitterMs)} ms jitter` : undefined,
    figures.roundTripMs !== undefined ? `${Math.round(figures.roundTripMs)} ms round trip` : undefined,
    figures.framesPerSecond !== undefined ? `${Math.round(figures.framesPerSecond)} fps` : undefined,
    figures.qualityLimitationReason && figures.qualityLimitationReason !== 'none' ? `limited by ${figures.qualityLimitationReason}` : undefined,
  ].filter((part) => part !== undefined)
  return parts.length > 0 ? `${QUALITY_WORDS[figures.quality]}: ${parts.join(', ')}` : QUALITY_WORDS[figures.quality]
}

/** How many of the three bars light up. */
export function qualityBars(quality: Quality): 0 | 1 | 2 | 3 {
  return quality === 'excellent' ? 3 : quality === 'good' ? 2 : quality === 'poor' ? 1 : 0
}
