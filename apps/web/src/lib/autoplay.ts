// Browsers refuse to start audible media without a user gesture (play() rejects with
// NotAllowedError). The guard remembers every media element on screen, reports when one was
// refused, and replays them all from the click on "Enable audio".

export interface PlayableElement {
  play(): Promise<void> | void
}

export function isAutoplayRefusal(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'NotAllowedError'
}

export interface AutoplayGuard {
  register(element: PlayableElement): void
  unregister(element: PlayableElement): void
  /** Starts one element; a refusal marks audio as blocked. Other failures (no source yet, aborted by a newer load) are ignored. */
  play(element: PlayableElement): Promise<void>
  /** From a user gesture: play every registered element. */
  resumeAll(): Promise<void>
  blocked(): boolean
}

export function createAutoplayGuard(onBlockedChange: (blocked: boolean) => void): AutoplayGuard {
  const elements = new Set<PlayableElement>()
  const refused = new Set<PlayableElement>()
  let lastReported = false
  const report = () => {
    const blocked = refused.size > 0
    if (blocked !== lastReported) {
      lastReported = blocked
      onBlockedChange(blocked)
    }
  }

  async function play(element: PlayableElement) {
    try {
      await element.play()
      refused.delete(element)
    } catch (error) {
      if (isAutoplayRefusal(error)) refused.add(element)
    }
    report()
  }

  return {
    register(element) {
      elements.add(element)
    },
    unregister(element) {
      elements.delete(element)
      refused.delete(element)
      report()
    },
    play,
    async resumeAll() {
      await Promise.all([...elements].map((element) => play(element)))
    },
    blocked: () => refused.size > 0,
  }
}
