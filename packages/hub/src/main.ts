#!/usr/bin/env node
// The hub process: parse the configuration, open the room registry, listen, stop cleanly on
// SIGINT/SIGTERM (every client gets `left` with reason `shutdown`, the registry is closed).
import { hostname, setPriority } from 'node:os'
import { ConfigError, HELP_TEXT, type HubConfig, parseConfig } from './config.js'
import { messageOf } from '@parley/protocol'
import type { ClusterConfig } from './cluster/config.js'
import { ClusterStartError, startClusterHub } from './cluster/start.js'
import { createMemoryRegistry } from './registry/memory.js'
import { openSqliteRegistry } from './registry/sqlite.js'
import { raiseThreadPriority } from './media/thread-priority.js'
import { type RunningHub, type StartHubOptions, startHub } from './server.js'

async function main(): Promise<void> {
  let config
  try {
    config = parseConfig(process.argv.slice(2), process.env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    process.stderr.write(`parley-hub: ${error.message}\n`)
    process.exitCode = 2
    return
  }
  if (config === 'help') {
    process.stdout.write(HELP_TEXT)
    return
  }
  // Before any thread starts, so that they inherit it (the media workers ask for theirs too).
  raiseThreadPriority(
    config.nice,
    { platform: process.platform, setPriority, warn: (msg, fields) => process.stderr.write(`parley-hub: ${msg} (${JSON.stringify(fields)})\n`) },
    'signalling thread',
  )
  if (config.cluster) return runClusterNode(config, config.cluster)
  let registry
  try {
    registry = config.registry.kind === 'sqlite' ? openSqliteRegistry(config.registry.path) : createMemoryRegistry()
  } catch (error) {
    process.stderr.write(`parley-hub: cannot open the room registry: ${messageOf(error)}\n`)
    process.exitCode = 2
    return
  }
  const running = await startHub({ registry, ...hubOptions(config) })
  stopOnSignals(running, config.quiet)
}

function hubOptions(config: HubConfig): StartHubOptions {
  return {
    host: config.host,
    port: config.port,
    quiet: config.quiet,
    logLevel: config.logLevel,
    ice: config.ice,
    mediaWorkers: config.mediaWorkers,
    mediaWorkerNice: config.nice,
    mediaPlaneKind: config.mediaPlane,
    apiKey: config.apiKey,
    corsOrigin: config.corsOrigin,
    bodyLimitBytes: config.bodyLimitBytes,
    maxConnections: config.maxConnections,
    timings: config.timings,
    limits: config.limits,
    emptyRoomTimeoutMs: config.emptyRoomTimeoutMs,
    staticDir: config.staticDir,
  }
}

/** `--redis`: this hub is one node of a cluster (src/cluster/), its rooms in Redis. */
async function runClusterNode(config: HubConfig, cluster: ClusterConfig): Promise<void> {
  let running
  try {
    running = await startClusterHub({ ...hubOptions(config), cluster: { ...cluster, nodeId: cluster.nodeId ?? `${hostname()}-${config.port}` } })
  } catch (error) {
    if (!(error instanceof ClusterStartError)) throw error
    process.stderr.write(`parley-hub: ${error.message}\n`)
    process.exitCode = 2
    return
  }
  stopOnSignals(running, config.quiet)
}

function stopOnSignals(running: RunningHub, quiet: boolean): void {
  if (quiet) process.stdout.write(`parley-hub listening on ${running.url}\n`)
  const stop = (signal: string) => {
    process.stderr.write(`parley-hub: ${signal}, shutting down\n`)
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', () => stop('SIGINT'))
  process.once('SIGTERM', () => stop('SIGTERM'))
}

main().catch((error: unknown) => {
  process.stderr.write(`parley-hub: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
