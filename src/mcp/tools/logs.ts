import { z } from 'zod'
import type { RequestDetail } from '../../core/toolbar.js'
import type { LoggingStats } from '../../panels/logging.js'
import { panelStats } from '../data.js'
import { shownAttributes } from '../redact.js'
import { cursor, limit, requestId, traceId } from '../schemas.js'
import type { DefineTool, McpContext } from '../server.js'
import { counted, fitText, ms, oneLine, pageData, pageNote, paginate, ToolError } from '../result.js'
import { LOG_LEVELS } from '../../shapes/records.js'

const LEVEL_ERROR = `a level is one of ${LOG_LEVELS.join(', ')} (lower case), or a list of them`
const level = z.enum(LOG_LEVELS, { error: LEVEL_ERROR })

/**
 * `search_logs`: log lines of recent requests by level, text, request or trace.
 *
 * @example
 * ```ts
 * registerLogTools(define, ctx)
 * ```
 */
export function registerLogTools(define: DefineTool, ctx: McpContext): void {
  const { data } = ctx
  define('search_logs', {
    title: 'Search log lines',
    description:
      'Log lines (console, recordLog, pino) written while requests ran, newest request first, lines in order. Filters: level (one or a list), text (case-insensitive, in the message or attributes), request_id, trace_id.',
    input: {
      level: z.union([level, z.array(level).min(1)], { error: LEVEL_ERROR }).optional().describe('trace, debug, info, warn, error or fatal, or a list of them'),
      text: z.string().min(1).max(500).optional(),
      request_id: requestId.optional(),
      trace_id: traceId.optional(),
      limit: limit(50, 200),
      cursor: cursor.optional(),
    },
    async run(args) {
      const details: RequestDetail[] = []
      if (args.request_id) details.push(await data.request(args.request_id))
      else {
        const rows = (await data.summaries()).filter((r) => !args.trace_id || r.traceId === args.trace_id)
        if (args.trace_id && rows.length === 0) throw new ToolError(`no recorded request has trace "${args.trace_id}"`)
        for (const row of rows) {
          const detail = await data.detail(row.id)
          if (detail) details.push(detail)
        }
      }
      const levels = args.level === undefined ? undefined : new Set(Array.isArray(args.level) ? args.level : [args.level])
      const needle = args.text?.toLowerCase()
      const lines = details.flatMap((detail) =>
        (panelStats<LoggingStats>(detail, 'logging')?.logs ?? [])
          .filter((l) => !levels || levels.has(l.level))
          .filter((l) => !needle || l.message.toLowerCase().includes(needle) || JSON.stringify(l.attributes).toLowerCase().includes(needle))
          .filter(() => !args.trace_id || detail.traceId === args.trace_id)
          .map((l) => ({
            requestId: detail.id,
            route: `${detail.method} ${detail.route ?? detail.path}`,
            traceId: detail.traceId,
            level: l.level,
            message: l.message,
            atMs: l.startMs,
            source: l.source,
            attributes: shownAttributes(ctx.settings, l.attributes),
            ...(l.droppedAttributes ? { droppedAttributes: l.droppedAttributes } : {}),
          })),
      )
      const { page, lines: shown } = fitText(
        paginate('search_logs', lines, args.cursor, args.limit),
        (l) => `${l.requestId} (${l.route}) +${ms(l.atMs)} ${l.level.toUpperCase()} ${oneLine(l.message)}${attributesText(l.attributes)}${l.droppedAttributes ? `  (${counted(l.droppedAttributes, 'more attribute')} not kept)` : ''}`,
      )
      const text = lines.length
        ? [...shown, pageNote(page, 'lines')]
            .filter(Boolean)
            .join('\n')
        : 'No log line matches.'
      return { text, data: { logs: page.items, ...pageData(page) } }
    },
  })
}

/**
 * A line's attributes as its text shows them: the console method it came through is left
 * out (its level says as much, and it would follow every console line); the data keeps it.
 */
function attributesText(attributes: Record<string, unknown>): string {
  const { 'console.method': _method, ...own } = attributes
  return Object.keys(own).length ? `  ${oneLine(JSON.stringify(own))}` : ''
}
