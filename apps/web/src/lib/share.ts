// Structural sharing for the views the stores derive: the conference actor makes a new snapshot for
// every step of a join (each request, each child machine's state), and selectView a new view each
// time, equal or not. Handing back the previous objects where nothing changed lets Vue's computeds
// (which compare by identity) stop there, so the call screen re-renders only what changed.

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * `next`, with every part deeply equal to the same part of `previous` replaced by `previous`'s (the
 * whole of `previous` when all is equal). Plain objects and arrays are compared by content; anything
 * else (a MediaStream, a Map, a function) by identity.
 */
export function shareEqual<T>(previous: unknown, next: T): T {
  if (Object.is(previous, next)) return next
  if (typeof previous !== 'object' || typeof next !== 'object' || previous === null || next === null) return next
  if (Array.isArray(next)) {
    if (!Array.isArray(previous)) return next
    let same = previous.length === next.length
    let keptAny = false
    const shared = next.map((item: unknown, index) => {
      const kept = shareEqual(previous[index], item)
      if (kept !== previous[index]) same = false
      else keptAny = true
      return kept
    })
    return (same ? previous : keptAny ? shared : next) as T
  }
  if (Array.isArray(previous) || !isPlainObject(next) || !isPlainObject(previous)) return next
  const before = previous as Record<string, unknown>
  const keys = Object.keys(next)
  let same = keys.length === Object.keys(before).length
  let keptAny = false
  const shared: Record<string, unknown> = {}
  for (const key of keys) {
    const value = (next as Record<string, unknown>)[key]
    const kept = shareEqual(before[key], value)
    if (kept !== before[key] || !(key in before)) same = false
    if (kept !== value) keptAny = true
    shared[key] = kept
  }
  return (same ? previous : keptAny ? shared : next) as T
}
