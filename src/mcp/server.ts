import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js'
import { McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { z } from 'zod'
import { packageVersion } from '../core/package-root.js'
import type { ToolbarData } from './data.js'
import { redactText, redactValue, type RedactionSettings } from './redact.js'
import { capStrings, capText, counted, requestName, ToolError, type ToolOutput } from './result.js'
import { registerRequestTools } from './tools/requests.js'
import { registerTraceTools } from './tools/traces.js'
import { registerTraceListTool, withMcpRootPath } from './tools/trace-list.js'
import { registerSqlTools } from './tools/sql.js'
import { registerLogTools } from './tools/logs.js'
import { registerCompareTool } from './tools/compare.js'
import { requestResource, traceResource } from './resources.js'

/** What every tool reads from. */
export interface McpContext {
  data: ToolbarData
  settings: RedactionSettings
  /** The app's origin as the client reached it (`http://127.0.0.1:3000`), for links. */
  origin: string
}

/** How a tool is declared: its schema, its hints, and the function that answers. */
export interface ToolSpec<Shape extends z.ZodRawShape> {
  title: string
  description: string
  input: Shape
  /** The tool changes something (only `clear_history`). */
  destructive?: boolean
  run(args: z.infer<z.ZodObject<Shape>>): Promise<ToolOutput>
}

/** Registers tools on one server, each wrapped in the same error handling and redaction. */
export type DefineTool = <Shape extends z.ZodRawShape>(name: string, spec: ToolSpec<Shape>) => void

/**
 * What an agent reads at initialize: where to start, and, when the toolbar has the Profile
 * panel, how to ask for a CPU profile (no tool makes requests), with the route that starts
 * V8's profiler ahead at this toolbar's address.
 *
 * @example
 * ```ts
 * serverInstructions({ profileRoute: 'http://127.0.0.1:3000/_debug_toolbar/api/profiler' })
 * // 'This server shows what the Hono app's recent requests did, ... POST http://127.0.0.1:3000/_debug_toolbar/api/profiler ...'
 * serverInstructions({}) // the same without the CPU profile's sentences
 * ```
 */
export function serverInstructions({ profileRoute }: { profileRoute?: string }): string {
  const lines = [
    "This server shows what the Hono app's recent requests did, as the debug toolbar recorded them: SQL queries, logs, template renders, errors and the OpenTelemetry trace of each request.",
    "Start with list_requests (newest first; filter by route, method, status, min_duration_ms, has_error, service) to get request ids and trace ids, then get_request for one request's summary, get_trace for its span tree, get_trace_errors for what failed.",
    'list_traces lists the traces, also those no request recorded (workers, jobs, other services that sent their spans), with filters service, source, min_duration_ms and has_error.',
    'find_slow_queries and find_n_plus_one look over all recent requests when called without arguments; explain_query shows the plan of a recorded SELECT.',
  ]
  if (profileRoute) {
    lines.push(
      'For a CPU profile of a request, make it with the header X-Debug-Toolbar-Profile: 1 (or add ?_dt_profile=1 to its URL): get_request then gives its hottest functions and where to download the profile, and get_trace its hot functions as spans.',
      `Starting V8's profiler costs a profiled request 15-30 ms (over 100 ms the first time in a process) when nothing keeps it running; POST ${profileRoute} starts it ahead, and DELETE stops it (while it runs, every request of the app is sampled).`,
    )
  }
  lines.push(
    'Lists are capped: pass the nextCursor of an answer as cursor for the next page. Secrets are redacted (shown as REDACTED or ********).',
    'Ask the user before clear_history: it forgets every recorded request.',
  )
  return lines.join('\n')
}

/**
 * A new MCP server over one toolbar's data: every tool, the two resources, and the
 * instructions an agent gets at initialize.
 *
 * @example
 * ```ts
 * const server = createToolbarMcpServer({ data: new ToolbarData(toolbar), settings, origin })
 * await server.connect(transport)
 * ```
 */
export function createToolbarMcpServer(ctx: McpContext): McpServer {
  const server = new McpServer({ name: 'hono-debug-toolbar', version: packageVersion() }, { instructions: serverInstructions({ profileRoute: ctx.data.profiles ? `${ctx.origin}${ctx.data.prefix}/api/profiler` : undefined }) })
  const define: DefineTool = (name, spec) => {
    server.registerTool(
      name,
      {
        title: spec.title,
        description: spec.description,
        inputSchema: spec.input,
        annotations: {
          title: spec.title,
          readOnlyHint: !spec.destructive,
          destructiveHint: spec.destructive === true,
          idempotentHint: true,
          openWorldHint: false,
        },
      },
      // The SDK parses the arguments with `spec.input` before calling: they have the spec's type
      // (its overloads cannot follow a generic shape through this wrapper, hence the cast).
      (async (args: never) => finish(ctx.settings, await answer(() => spec.run(args)))) as never,
    )
  }
  registerRequestTools(define, ctx)
  registerTraceTools(define, ctx)
  registerTraceListTool(define, ctx)
  registerSqlTools(define, ctx)
  registerLogTools(define, ctx)
  registerCompareTool(define, ctx)

  server.registerResource(
    'request',
    new ResourceTemplate('toolbar://requests/{id}', {
      list: async () => ({
        resources: (await ctx.data.summaries()).slice(0, 50).map((r) => ({
          uri: `toolbar://requests/${r.id}`,
          // Named as list_requests names it: two requests of one route read apart by their paths.
          name: outgoingText(ctx.settings, `${requestName(r)} ${r.status ?? ''}`.trim()),
          mimeType: 'application/json',
        })),
      }),
    }),
    { title: 'A recorded request', description: "One request's panels in brief (what get_request answers), as JSON.", mimeType: 'application/json' },
    async (uri, variables) => resource(ctx.settings, uri.href, await requestResource(ctx, String(variables.id)).catch(notFound(uri.href))),
  )
  server.registerResource(
    'trace',
    new ResourceTemplate('toolbar://traces/{traceId}', {
      list: async () => ({
        // A 404's trace is named `GET /nope`, as list_traces names it (withMcpRootPath).
        resources: (await Promise.all((await ctx.data.traceList({ limit: 50, offset: 0 })).traces.map((t) => withMcpRootPath(ctx, t)))).map((t) => ({
          uri: `toolbar://traces/${t.traceId}`,
          // A span name can hold a URL with its query (`GET /hooks?token=...`): redacted as answers are.
          name: outgoingText(ctx.settings, `${t.rootName}${t.rootPath === undefined ? '' : ` ${t.rootPath}`} (${t.services.join(', ')}, ${counted(t.spanCount, 'span')}${t.error ? ', error' : ''})`),
          mimeType: 'application/json',
        })),
      }),
    }),
    { title: 'A trace', description: 'The spans of one trace (redacted; at most 500 and about 200,000 characters, truncated says when more), as JSON: recorded and received traces.', mimeType: 'application/json' },
    async (uri, variables) => resource(ctx.settings, uri.href, await traceResource(ctx, String(variables.traceId)).catch(notFound(uri.href))),
  )
  return server
}

/** Runs a tool; a ToolError (or anything else thrown) becomes an error result, never a failed call. */
async function answer(run: () => Promise<ToolOutput>): Promise<ToolOutput | { error: string }> {
  try {
    return await run()
  } catch (error) {
    if (error instanceof ToolError) return { error: error.message }
    return { error: `the toolbar could not answer: ${error instanceof Error ? error.message : String(error)}` }
  }
}

function finish(settings: RedactionSettings, output: ToolOutput | { error: string }): CallToolResult {
  if ('error' in output) return { content: [{ type: 'text', text: outgoingText(settings, output.error) }], isError: true }
  return {
    content: [{ type: 'text', text: outgoingText(settings, capText(output.text)) }],
    structuredContent: capStrings(settings.redact ? redactValue(output.data) : output.data) as Record<string, unknown>,
  }
}

function outgoingText(settings: RedactionSettings, text: string): string {
  return settings.redact ? redactText(text) : text
}

/** MCP's "Resource not found" (-32002) for a resource id that is malformed or unknown, with the reason. */
const RESOURCE_NOT_FOUND = -32002
function notFound(uri: string): (error: unknown) => never {
  return (error) => {
    if (!(error instanceof ToolError)) throw error
    const notFound = new McpError(RESOURCE_NOT_FOUND, error.message, { uri })
    // The SDK sends the message as it is, and McpError's starts with 'MCP error -32002: ',
    // which the client adds again: the reason alone goes out.
    notFound.message = error.message
    throw notFound
  }
}

function resource(settings: RedactionSettings, uri: string, data: unknown) {
  const shown = settings.redact ? redactValue(data) : data
  return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(shown, null, 2) }] }
}
