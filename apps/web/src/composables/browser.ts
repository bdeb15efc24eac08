// The few browser-API composables the stores and components use: a listener, a value kept in a
// storage, the tab title, a media query and a flag that resets itself. Each releases what it holds
// when its effect scope ends. Ours rather than @vueuse/core's because these are all the app needs
// and vueuse's (storage serializers, SSR and config paths) cost the first load ~3 KB gzip.
import { customRef, getCurrentScope, onScopeDispose, ref, shallowRef, watch } from 'vue'
import type { Ref, WatchSource } from 'vue'
import type { StorageLike } from '../environment'

type EventOf<Target, Type extends string> = Target extends Window
  ? Type extends keyof WindowEventMap ? WindowEventMap[Type] : Event
  : Target extends Document
    ? Type extends keyof DocumentEventMap ? DocumentEventMap[Type] : Event
    : Event

/** Listens on `target` (none when it is absent) until the scope ends; returns the stop function. */
export function useEventListener<Target extends EventTarget, Type extends string>(
  target: Target | null | undefined,
  type: Type,
  listener: (event: EventOf<Target, Type>) => void,
): () => void {
  if (!target) return () => undefined
  const handler = listener as EventListener
  target.addEventListener(type, handler)
  const stop = () => target.removeEventListener(type, handler)
  if (getCurrentScope()) onScopeDispose(stop)
  return stop
}

/** How a stored value is read from and written to its string. */
export interface StorageSerializer<T> {
  read(raw: string): T
  write(value: T): string
}

const stringSerializer: StorageSerializer<string> = { read: (raw) => raw, write: (value) => value }

/**
 * A ref kept in `storage` under `key`: read once (the default when absent or unreadable), written
 * synchronously on every change, removed when set to null. The default is never written, and a
 * storage that refuses (quota, private mode) is ignored: the value then lives in memory only.
 */
export function useStoredRef(key: string, initial: string, storage: StorageLike): Ref<string>
export function useStoredRef<T>(key: string, initial: T, storage: StorageLike, serializer: StorageSerializer<T>): Ref<T>
export function useStoredRef<T>(key: string, initial: T, storage: StorageLike, serializer = stringSerializer as unknown as StorageSerializer<T>): Ref<T> {
  let value = initial
  try {
    const raw = storage.getItem(key)
    if (raw !== null) value = serializer.read(raw)
  } catch {
    // Unreadable: the default.
  }
  const stored = ref(value) as Ref<T>
  watch(
    stored,
    (next) => {
      try {
        if (next === null || next === undefined) storage.removeItem(key)
        else storage.setItem(key, serializer.write(next))
      } catch {
        // Refused: kept in memory only.
      }
    },
    { flush: 'sync', deep: true },
  )
  return stored
}

/** Keeps `document.title` equal to `title`. */
export function useTitle(title: WatchSource<string>): void {
  watch(
    title,
    (next) => {
      if (typeof document !== 'undefined') document.title = next
    },
    { immediate: true },
  )
}

/** Whether the window matches `query`, kept up to date (false where there is no matchMedia). */
export function useMediaQuery(query: string): Readonly<Ref<boolean>> {
  const list = typeof window !== 'undefined' && typeof window.matchMedia === 'function' ? window.matchMedia(query) : undefined
  const matches = shallowRef(list?.matches ?? false)
  useEventListener(list, 'change', () => {
    matches.value = list?.matches ?? false
  })
  return matches
}

/** A ref that goes back to `initial` `afterMs` after each change (a "Copied" confirmation). */
export function refAutoReset<T>(initial: T, afterMs: number): Ref<T> {
  return customRef<T>((track, trigger) => {
    let value = initial
    let timer: ReturnType<typeof setTimeout> | undefined
    if (getCurrentScope()) onScopeDispose(() => clearTimeout(timer))
    return {
      get() {
        track()
        return value
      },
      set(next) {
        value = next
        trigger()
        clearTimeout(timer)
        timer = setTimeout(() => {
          value = initial
          trigger()
        }, afterMs)
      },
    }
  })
}

/**
 * Resolves once the browser has drawn the next frame: what runs then finds the page laid out and
 * does not lay it out again. A tab that draws no frames (hidden) resolves after 100 ms instead.
 */
export function afterNextPaint(): Promise<void> {
  return new Promise((resolve) => {
    const fallback = setTimeout(resolve, 100)
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(fallback)
        resolve()
      }, 0),
    )
  })
}
