import { stackInCodeLocations } from '../core/code-location.js'
import { Panel } from '../core/panel.js'
import type { RequestRecord } from '../core/record.js'
import { DEFAULT_MAX_LOGS, installConsoleCapture, setLogLimit } from '../recorders/logging.js'
import { LOG_LEVELS, SLOTS, type LogLevel, type RecordedLog } from '../shapes/records.js'
import { setOwn } from '../core/span-model.js'

export interface LoggingOptions {
  /** Log lines kept per request; the rest are counted as dropped. Default 1000. */
  maxLogs?: number
}

/** One log line as the panel shows it: as the recorders wrote it. */
export type LogLine = RecordedLog

export interface LoggingStats {
  logs: LogLine[]
  /** Lines written over `maxLogs`, not kept. */
  dropped: number
  /** Lines written per level, dropped ones included. */
  counts: Record<LogLevel, number>
}

/** The attributes, a string value holding a stack with its frames in the one form of `codeLocation`. */
function mappedStacks(attributes: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(attributes)) setOwn(copy, name, typeof value === 'string' ? stackInCodeLocations(value) : value)
  return copy
}

/**
 * Log lines written while the request ran: `console.*` (captured, and still printed),
 * `recordLog()`, and pino through `pinoToolbarStream()`.
 *
 * @example
 * ```ts
 * app.use(debugToolbar({ panels: [...defaultPanels().filter((p) => p.id !== 'logging'), new LoggingPanel({ maxLogs: 200 })] }))
 * ```
 */
export class LoggingPanel extends Panel<LoggingStats> {
  readonly id = 'logging'
  readonly title = 'Logging'
  private readonly maxLogs: number
  /** Handed to each request (one function per panel, nothing made per request). */
  private readonly limit = () => this.maxLogs

  constructor(options: LoggingOptions = {}) {
    super()
    this.maxLogs = options.maxLogs ?? DEFAULT_MAX_LOGS
    if (!Number.isInteger(this.maxLogs) || this.maxLogs < 0) {
      throw new TypeError(`LoggingPanel: maxLogs must be a whole number >= 0, got ${options.maxLogs}`)
    }
  }

  /**
   * Captures `console.*` in every request (once per process; lines are still printed).
   *
   * @example
   * ```ts
   * app.use(debugToolbar({ panels: [new LoggingPanel()] })) // the toolbar calls setup() once
   * app.get('/', (c) => { console.warn('cache cold'); return c.text('ok') }) // a warn line in the panel
   * ```
   */
  setup(): void {
    // Process-wide and idempotent: the patched methods look up the current request
    // themselves, so one capture serves every toolbar in the process.
    installConsoleCapture()
  }

  /**
   * Hands the request its bound, `maxLogs`: lines past it are counted as dropped.
   *
   * @example
   * ```ts
   * new LoggingPanel({ maxLogs: 200 }).onRequest(record) // the toolbar, before the handler
   * ```
   */
  onRequest(record: RequestRecord): void {
    setLogLimit(record, this.limit)
  }

  /**
   * The request's log lines, with what was dropped and a count per level.
   *
   * @example
   * ```ts
   * recordLog('warn', 'slow upstream', { ms: 840 })
   * const stats = panel.generateStats(record)
   * stats.logs[0] // { level: 'warn', message: 'slow upstream', attributes: { ms: 840 }, source: 'recordLog', startMs: 3.2, ... }
   * stats.counts.warn // 1
   * ```
   */
  generateStats(record: RequestRecord): LoggingStats {
    const book = record.peek(SLOTS.logging)
    const counts = Object.fromEntries(LOG_LEVELS.map((level) => [level, book?.counts?.[level] ?? 0])) as Record<LogLevel, number>
    return {
      // A logged error's stack reads in the source the developer wrote: mapped here, when the
      // stats are read, never while the line is recorded.
      logs: (book?.logs ?? []).map((log) => ({ ...log, message: stackInCodeLocations(log.message), attributes: mappedStacks(log.attributes) })),
      dropped: book?.dropped ?? 0,
      counts,
    }
  }

  /**
   * The line under "Logging" in the panel list.
   *
   * @example
   * ```ts
   * panel.navSubtitle(panel.generateStats(record)) // '5 messages, 1 error', 'No messages'
   * ```
   */
  navSubtitle(stats: LoggingStats): string {
    const total = Object.values(stats.counts).reduce((a, b) => a + b, 0)
    // As the SQL panel says 'No queries': a zero reads as a figure to look into.
    if (total === 0) return 'No messages'
    const errors = stats.counts.error + stats.counts.fatal
    const parts = [`${total} ${total === 1 ? 'message' : 'messages'}`]
    if (errors) parts.push(`${errors} ${errors === 1 ? 'error' : 'errors'}`)
    return parts.join(', ')
  }
}
