import type { McpContext } from './server.js'
import { requestId, traceId } from './schemas.js'
import { fitData, ToolError } from './result.js'
import { requestBrief } from './tools/request-brief.js'
import { shownSpan } from './redact.js'

/** Most spans the trace resource holds (fewer when they are large; get_trace pages through more). */
const MAX_RESOURCE_SPANS = 500

/**
 * `toolbar://requests/{id}`: what get_request answers, as JSON.
 *
 * @example
 * ```ts
 * await requestResource(ctx, 'a1b2c3d4e5f60718') // { request, time, sql, logs, ... }
 * ```
 */
export async function requestResource(ctx: McpContext, id: string): Promise<unknown> {
  const parsed = requestId.safeParse(id)
  if (!parsed.success) throw new ToolError(`"${id}" is not a request id`)
  return (await requestBrief(ctx, await ctx.data.request(parsed.data))).data
}

/**
 * `toolbar://traces/{traceId}`: the spans of a trace (at most 500, and about 200,000
 * characters), as JSON.
 *
 * @example
 * ```ts
 * await traceResource(ctx, '4bf92f3577b34da6a3ce929d0e0e4736') // { traceId, spans, total, truncated }
 * ```
 */
export async function traceResource(ctx: McpContext, id: string): Promise<unknown> {
  const parsed = traceId.safeParse(id)
  if (!parsed.success) throw new ToolError(`"${id}" is not a trace id (32 hexadecimal characters)`)
  const spans = await ctx.data.requireTrace(parsed.data)
  const { shown } = fitData(spans.slice(0, MAX_RESOURCE_SPANS).map((s) => shownSpan(ctx.settings, s)))
  return { traceId: parsed.data, spans: shown, total: spans.length, truncated: shown.length < spans.length }
}
