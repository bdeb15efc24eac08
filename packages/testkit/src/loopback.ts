// The network guard of every real-WebRTC spec: Chromium and werift must only ever talk over 127.0.0.1.
// Running the spec inside `unshare -n sh -c 'ip link set lo up && …'` guarantees it; this check makes a
// run outside such a namespace fail loudly in beforeAll instead of quietly using a real interface.
import { networkInterfaces } from 'node:os'

/** The shape of `os.networkInterfaces()`, narrowed to what the guard reads. */
export type InterfaceTable = Record<string, readonly { address: string; internal: boolean }[] | undefined>

/** Names of interfaces other than `lo` that carry at least one address. */
export function nonLoopbackInterfaces(table: InterfaceTable): string[] {
  return Object.entries(table)
    .filter(([name, addresses]) => name !== 'lo' && (addresses?.length ?? 0) > 0)
    .map(([name]) => name)
    .sort()
}

const HOW_TO_RUN =
  "Run real-WebRTC specs inside a loopback-only network namespace, e.g. `unshare -n sh -c 'ip link set lo up && " +
  "PARLEY_NETNS=lo node .tools/node_modules/pnpm/bin/pnpm.mjs exec vitest run --project webrtc <spec>'`."

/**
 * Throws unless the only network interface is `lo` with loopback addresses only.
 * Call it in the `beforeAll` of every e2e spec, before launching Chromium or werift.
 */
export function assertLoopbackOnly(table: InterfaceTable = networkInterfaces()): void {
  const others = nonLoopbackInterfaces(table)
  if (others.length > 0) {
    throw new Error(
      `Refusing to run real WebRTC: network interfaces other than lo are present (${others.join(', ')}). ${HOW_TO_RUN}`,
    )
  }
  const lo = table.lo ?? []
  if (lo.length === 0) {
    throw new Error(`Refusing to run real WebRTC: the loopback interface lo is down or missing. ${HOW_TO_RUN}`)
  }
  const foreign = lo.filter((entry) => !entry.internal || !isLoopbackAddress(entry.address)).map((entry) => entry.address)
  if (foreign.length > 0) {
    throw new Error(`Refusing to run real WebRTC: lo carries non-loopback addresses (${foreign.join(', ')}). ${HOW_TO_RUN}`)
  }
}

export function isLoopbackAddress(address: string): boolean {
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address)
}
