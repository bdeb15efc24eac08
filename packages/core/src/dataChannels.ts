// The one owner of the room's data channels (the hub opens them on our peer connection: room channels
// made with `channel/create`). The peer session hands each one here; whoever needs a label (the chat
// actor) watches it and hears when it opens, what arrives and when it closes. A channel lives until
// the peer connection closes or a newer one with its label replaces it.
import type { DataChannelLike } from './ports.js'

export type DataChannelEvent = { type: 'open' } | { type: 'close' } | { type: 'message'; data: unknown }

export class DataChannels {
  private readonly channels = new Map<string, DataChannelLike>()
  private readonly watchers = new Map<string, Set<(event: DataChannelEvent) => void>>()
  private readonly detachers = new Map<DataChannelLike, () => void>()

  add(channel: DataChannelLike): void {
    const previous = this.channels.get(channel.label)
    if (previous) this.detach(previous)
    this.channels.set(channel.label, channel)
    const notify = (event: DataChannelEvent) => {
      if (this.channels.get(channel.label) !== channel) return
      for (const watcher of [...(this.watchers.get(channel.label) ?? [])]) watcher(event)
    }
    const onOpen = () => notify({ type: 'open' })
    const onClose = () => notify({ type: 'close' })
    const onMessage = (event: { data?: unknown }) => notify({ type: 'message', data: event.data })
    channel.addEventListener('open', onOpen)
    channel.addEventListener('close', onClose)
    channel.addEventListener('message', onMessage)
    this.detachers.set(channel, () => {
      channel.removeEventListener('open', onOpen)
      channel.removeEventListener('close', onClose)
      channel.removeEventListener('message', onMessage)
    })
    if (channel.readyState === 'open') notify({ type: 'open' })
  }

  /** Sends on the open channel of that label; false when there is none (the caller keeps the message). */
  send(label: string, data: string): boolean {
    const channel = this.channels.get(label)
    if (!channel || channel.readyState !== 'open') return false
    try {
      channel.send(data)
      return true
    } catch {
      return false
    }
  }

  isOpen(label: string): boolean {
    return this.channels.get(label)?.readyState === 'open'
  }

  /** Hears the channel of that label (now, if it is open, and any later one). Returns the unsubscribe. */
  watch(label: string, watcher: (event: DataChannelEvent) => void): () => void {
    let set = this.watchers.get(label)
    if (!set) this.watchers.set(label, (set = new Set()))
    set.add(watcher)
    if (this.isOpen(label)) watcher({ type: 'open' })
    return () => set.delete(watcher)
  }

  /** The room session ended: forget every channel (the peer connection closes them). */
  clear(): void {
    for (const channel of this.channels.values()) this.detach(channel)
    this.channels.clear()
  }

  private detach(channel: DataChannelLike): void {
    this.detachers.get(channel)?.()
    this.detachers.delete(channel)
  }
}
