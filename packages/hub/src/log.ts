// Structured logs: one JSON object per line on stdout (level, msg, roomId, clientId, ...).

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, unknown>
export type Logger = (level: LogLevel, msg: string, fields?: LogFields) => void

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export interface JsonLoggerOptions {
  /** Lowest level written. Default 'info'. */
  level?: LogLevel
  /** Where lines go. Default process.stdout. */
  write?: (line: string) => void
  clock?: () => number
}

export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const threshold = ORDER[options.level ?? 'info']
  const write = options.write ?? ((line: string) => process.stdout.write(line))
  const now = options.clock ?? Date.now
  return (level, msg, fields) => {
    if (ORDER[level] < threshold) return
    const entry: LogFields = { time: new Date(now()).toISOString(), level, msg, ...fields }
    if (fields?.error instanceof Error) entry.error = { message: fields.error.message, stack: fields.error.stack }
    write(`${JSON.stringify(entry)}\n`)
  }
}

export const silentLogger: Logger = () => {}
