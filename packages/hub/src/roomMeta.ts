// A room's metadata: keys and JSON values, capped in characters (each key plus its value as JSON,
// all keys together). A refused setmeta stores nothing of its body.
import { type MetaRecord, Status } from '@parley/protocol'
import { HubError, notFound } from './errors.js'

export interface MetaLimits {
  /** Characters of all keys and their JSON values together. */
  maxChars: number
  /** Keys the room holds at once. */
  maxKeys: number
  /** Keys of one setmeta. */
  maxKeysPerRequest: number
}

export class RoomMeta {
  readonly #values = new Map<string, unknown>()
  /** Characters each key holds (key plus JSON value), and their sum: the room's metadata cap. */
  readonly #chars = new Map<string, number>()
  #charsTotal = 0

  constructor(
    readonly roomId: string,
    readonly limits: MetaLimits,
  ) {}

  has(key: string): boolean {
    return this.#values.has(key)
  }

  get(key: string): MetaRecord {
    if (!this.#values.has(key)) throw notFound(`meta key "${key}" not found in room "${this.roomId}"`)
    return { [key]: this.#values.get(key) }
  }

  /**
   * Stores every key of `record`, or none of them (413) when the room would go over its cap. `commit`
   * runs once the change is known to fit and before it is applied (a throw there applies nothing).
   * Returns what changed.
   */
  set(record: MetaRecord, commit: () => void = () => undefined): MetaRecord[] {
    const { maxChars, maxKeys, maxKeysPerRequest } = this.limits
    const keys = Object.keys(record)
    if (keys.length > maxKeysPerRequest) {
      throw new HubError(Status.payloadTooLarge, `setmeta carries ${keys.length} keys, over the limit of ${maxKeysPerRequest} keys per request (max-meta-keys-per-request)`)
    }
    const entries = Object.entries(record).map(([key, value]) => ({ key, value, chars: key.length + JSON.stringify(value).length }))
    const keyCount = this.#values.size + entries.filter(({ key }) => !this.#values.has(key)).length
    if (keyCount > maxKeys) {
      throw new HubError(Status.payloadTooLarge, `room "${this.roomId}" metadata would hold ${keyCount} keys, over its limit of ${maxKeys} (max-meta-keys-per-room); delete keys first`)
    }
    let total = this.#charsTotal
    for (const { key, chars } of entries) total += chars - (this.#chars.get(key) ?? 0)
    if (total > maxChars) {
      throw new HubError(Status.payloadTooLarge, `room "${this.roomId}" metadata would hold ${total} characters, over its limit of ${maxChars} (max-room-meta); delete keys first`)
    }
    commit()
    for (const { key, value, chars } of entries) {
      this.#values.set(key, value)
      this.#chars.set(key, chars)
    }
    this.#charsTotal = total
    return entries.map(({ key, value }) => ({ [key]: value }))
  }

  /** Metadata as stored before a restart: taken as it is (it fitted the caps when it was set). */
  restore(record: Readonly<MetaRecord>): void {
    for (const [key, value] of Object.entries(record)) {
      const chars = key.length + JSON.stringify(value).length
      this.#charsTotal += chars - (this.#chars.get(key) ?? 0)
      this.#values.set(key, value)
      this.#chars.set(key, chars)
    }
  }

  delete(key: string, commit: () => void = () => undefined): void {
    if (!this.#values.has(key)) throw notFound(`meta key "${key}" not found in room "${this.roomId}"`)
    commit()
    this.#values.delete(key)
    this.#charsTotal -= this.#chars.get(key) ?? 0
    this.#chars.delete(key)
  }
}
