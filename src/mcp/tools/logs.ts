import { z } from 'zod'
import type { RequestDetail } from '../../core/toolbar.js'
import type { LoggingStats } from '../../panels/logging.js'
import { panelStats } from '../data.js'
import { shownAttributes } from '../redact.js'
import { cursor, limit, requestId, traceId } from '../schemas.js'
import type { DefineTool, McpContext } from '../server.js'
import { counted, fitText, ms, oneLine, pageData, pageNote, paginate, ToolError } from '../result.js'
import { LOG_LEVELS } from '../../shapes/records.js'
import { linesBeneath } from '../stack.js'

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
        (l) =>
          [
            `${l.requestId} (${l.route}) +${ms(l.atMs)} ${l.level.toUpperCase()} ${oneLine(l.message.trim().split('\n', 1)[0]!)}${attributesText(l.attributes)}${l.droppedAttributes ? `  (${counted(l.droppedAttributes, 'more attribute')} not kept)` : ''}`,
            ...linesBeneath(l.message, l.attributes).map((line) => `    ${line}`),
          ].join('\n'),
      )
      const text = lines.length
        ? [...shown, pageNote(page, 'lines')]
            .filter(Boolean)
            .join('\n')
        : noMatchText(args, details)
      return { text, data: { logs: page.items, ...pageData(page) } }
    },
  })
}

/**
 * Why search_logs found nothing: its filters, and the lines of the requests searched by
 * level (`3 lines in 4 requests searched: 2 info, 1 warn`), so that the next call asks for
 * a level or text they have.
 */
function noMatchText(args: { level?: string | string[]; text?: string; request_id?: string; trace_id?: string }, details: RequestDetail[]): string {
  const filters = [
    args.level && `level ${[args.level].flat().join(', ')}`,
    args.text && `text ${JSON.stringify(args.text)}`,
    args.request_id && `request ${args.request_id}`,
    args.trace_id && `trace ${args.trace_id}`,
  ].filter(Boolean)
  const counts = new Map<string, number>()
  let total = 0
  for (const detail of details) {
    for (const line of panelStats<LoggingStats>(detail, 'logging')?.logs ?? []) {
      counts.set(line.level, (counts.get(line.level) ?? 0) + 1)
      total++
    }
  }
  const byLevel = LOG_LEVELS.filter((l) => counts.has(l)).map((l) => `${counts.get(l)} ${l}`)
  const searched = `${counted(total, 'line')} in ${counted(details.length, 'request')} searched${byLevel.length ? `: ${byLevel.join(', ')}` : ''}`
  return details.length === 0 ? 'No log line: no request recorded yet; make a request to the app first.' : `No log line matches ${filters.length ? filters.join(', ') : 'the filters'} (${searched}).`
}

/**
 * A line's attributes as its text shows them: the console method it came through is left
 * out (its level says as much, and it would follow every console line); the data keeps it.
 */
function attributesText(attributes: Record<string, unknown>): string {
  const { 'console.method': _method, ...own } = attributes
  return Object.keys(own).length ? `  ${oneLine(JSON.stringify(own))}` : ''
}
