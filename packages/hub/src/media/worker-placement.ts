// Which media worker holds which room: a room is placed once, on the worker with the fewest peers
// (then the fewest rooms, then the lowest index), and stays there while it has peers, since its peers
// forward to each other only within one worker. A room whose last peer left is forgotten, so its next
// peer is placed afresh.
export class RoomPlacement {
  readonly #peers: number[]
  readonly #rooms = new Map<string, { worker: number; peers: number }>()

  constructor(workers: number) {
    if (!Number.isInteger(workers) || workers < 1) throw new Error(`a worker plane needs at least one worker, got ${workers}`)
    this.#peers = new Array<number>(workers).fill(0)
  }

  /** The worker of `roomId`'s new peer (counted until `release`). */
  addPeer(roomId: string): number {
    let room = this.#rooms.get(roomId)
    if (!room) {
      room = { worker: this.#leastLoaded(), peers: 0 }
      this.#rooms.set(roomId, room)
    }
    room.peers += 1
    this.#peers[room.worker]! += 1
    return room.worker
  }

  /** One peer of `roomId` closed. */
  releasePeer(roomId: string): void {
    const room = this.#rooms.get(roomId)
    if (!room) return
    room.peers -= 1
    this.#peers[room.worker]! -= 1
    if (room.peers === 0) this.#rooms.delete(roomId)
  }

  /** The worker died with every peer on it: its rooms are forgotten and it counts as empty. */
  clearWorker(worker: number): void {
    for (const [roomId, room] of this.#rooms) if (room.worker === worker) this.#rooms.delete(roomId)
    this.#peers[worker] = 0
  }

  workerOf(roomId: string): number | undefined {
    return this.#rooms.get(roomId)?.worker
  }

  /** Peers and rooms per worker, by index. */
  load(): { peers: number; rooms: number }[] {
    const rooms = this.#peers.map(() => 0)
    for (const room of this.#rooms.values()) rooms[room.worker]! += 1
    return this.#peers.map((peers, index) => ({ peers, rooms: rooms[index]! }))
  }

  #leastLoaded(): number {
    const load = this.load()
    let best = 0
    for (let index = 1; index < load.length; index += 1) {
      const [a, b] = [load[index]!, load[best]!]
      if (a.peers < b.peers || (a.peers === b.peers && a.rooms < b.rooms)) best = index
    }
    return best
  }
}
