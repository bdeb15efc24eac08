#!/usr/bin/env node
// The hub process: parse the configuration, open the room registry, listen, stop cleanly on
// SIGINT/SIGTERM (every client gets `left` with reason `shutdown`, the registry is closed).
import { ConfigError, HELP_TEXT, parseConfig } from './config.js'
import { messageOf } from '@parley/protocol'
import { createMemoryRegistry } from './registry/memory.js'
import { openSqliteRegistry } from './registry/sqlite.js'
import { startHub } from './server.js'

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
  let registry
  try {
    registry = config.registry.kind === 'sqlite' ? openSqliteRegistry(config.registry.path) : createMemoryRegistry()
  } catch (error) {
    process.stderr.write(`parley-hub: cannot open the room registry: ${messageOf(error)}\n`)
    process.exitCode = 2
    return
  }
  const running = await startHub({
    registry,
    host: config.host,
    port: config.port,
    quiet: config.quiet,
    logLevel: config.logLevel,
    ice: config.ice,
    apiKey: config.apiKey,
    corsOrigin: config.corsOrigin,
    bodyLimitBytes: config.bodyLimitBytes,
    timings: config.timings,
    limits: config.limits,
    emptyRoomTimeoutMs: config.emptyRoomTimeoutMs,
    staticDir: config.staticDir,
  })
  if (config.quiet) process.stdout.write(`parley-hub listening on ${running.url}\n`)
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
