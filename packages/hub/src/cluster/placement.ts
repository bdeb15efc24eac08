// Where a new room goes. The rule (also in the hub README): among the live nodes that are not draining,
// the one with the least load = participants (from its last heartbeat) + rooms (counted in the room → node
// map at this moment, so rooms placed a moment ago count before the next heartbeat); ties go to the fewer
// forwarded packets per second (media already flowing), then the lower CPU, then the node id. An empty
// room counts as much as one participant: people are about to come.
import type { NodeInfo } from './nodes.js'

export function placementLoad(node: NodeInfo, roomsNow: number): number {
  return node.participants + roomsNow
}

export function pickNode(nodes: readonly NodeInfo[], roomsPerNode: ReadonlyMap<string, number>): NodeInfo | undefined {
  const candidates = nodes.filter((node) => !node.draining)
  const load = (node: NodeInfo) => placementLoad(node, roomsPerNode.get(node.id) ?? 0)
  return [...candidates].sort(
    (a, b) => load(a) - load(b) || a.forwardedPacketsPerSecond - b.forwardedPacketsPerSecond || a.cpu - b.cpu || a.id.localeCompare(b.id),
  )[0]
}

/** Rooms per node id, from the room → node map. */
export function countRooms(roomNode: Readonly<Record<string, string>>): Map<string, number> {
  const counts = new Map<string, number>()
  for (const node of Object.values(roomNode)) counts.set(node, (counts.get(node) ?? 0) + 1)
  return counts
}
