import { fileURLToPath } from 'node:url'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serve, type ServerType } from '@hono/node-server'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { createApp as CreateApp } from '../examples/basic/app.js'

const SECRET = 'hunter2-demo'
const bin = fileURLToPath(new URL('../dist/src/mcp/bin.js', import.meta.url))

/**
 * The built demo app as a user runs it, asked by coding agents: one over Streamable HTTP,
 * one through the package's stdio bin (`hono-debug-toolbar mcp --url ...`) run with node.
 */
describe('the demo app over MCP', () => {
  let server: ServerType
  let base: string
  let http: Client
  let stdio: Client
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    // @ts-expect-error the demo is compiled without declarations; its type comes from the source above.
    const { createApp } = (await import('../dist/examples/basic/app.js')) as { createApp: typeof CreateApp }
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: createApp().fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const visit = async (path: string, init?: RequestInit) => {
      const res = await fetch(`${base}${path}`, { redirect: 'manual', ...init })
      await res.text()
      return res.headers.get('x-debug-toolbar-request-id')!
    }
    ids.users = await visit('/users/2')
    ids.report = await visit('/report')
    ids.boom = await visit('/boom')
    // A secret seeded as a user would: in a form field, the query string and a header.
    ids.form = await visit(`/form?token=${SECRET}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRET}` },
      body: new URLSearchParams({ name: `password=${SECRET}`, email: 'eve@example.com' }),
    })
    http = new Client({ name: 'http-agent', version: '1' })
    await http.connect(new StreamableHTTPClientTransport(new URL(`${base}/_debug_toolbar/mcp`)))
    stdio = new Client({ name: 'stdio-agent', version: '1' })
    await stdio.connect(new StdioClientTransport({ command: process.execPath, args: [bin, 'mcp', '--url', base], stderr: 'pipe' }))
  })

  afterAll(async () => {
    await http?.close()
    await stdio?.close()
    await new Promise((resolve) => server?.close(resolve))
  })

  const call = async (client: Client, name: string, args: Record<string, unknown> = {}) => {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult
    return { text: result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n'), data: result.structuredContent as any, isError: result.isError === true, raw: result }
  }

  it('answers every tool through the stdio bin as over HTTP', async () => {
    const [viaHttp, viaStdio] = [await call(http, 'list_requests'), await call(stdio, 'list_requests')]
    expect(viaStdio.data.requests.map((r: { id: string }) => r.id)).toEqual(viaHttp.data.requests.map((r: { id: string }) => r.id))
    expect(stdio.getInstructions()).toMatch(/list_requests/)

    const report = viaStdio.data.requests.find((r: { id: string }) => r.id === ids.report)
    expect(report).toMatchObject({ route: '/report', status: 200 })
    // The fetch to /api/stats is a request of its own, and a CLIENT span of /report's trace.
    expect(viaStdio.data.requests.some((r: { route: string }) => r.route === '/api/stats')).toBe(true)

    const brief = await call(stdio, 'get_request', { request_id: ids.users })
    expect(brief.data.sql.count).toBe(5)
    expect(brief.data.sql.nPlusOne[0]).toMatchObject({ sql: 'SELECT author, text FROM comments WHERE post_id = ?', count: 3 })
    expect(brief.data.logs.lines.map((l: { message: string }) => l.message)).toContain('showing Grace Hopper')
    expect(brief.data.templates.count).toBe(3)

    const tree = await call(stdio, 'get_trace', { request_id: ids.report })
    expect(tree.text).toMatch(/GET \/report/)
    const fetchLine = tree.data.lines.find((l: { kind: string }) => l.kind === 'CLIENT' && /GET/.test(l.name))
    expect(fetchLine).toBeDefined()
    const span = await call(stdio, 'get_span', { trace_id: tree.data.traceId, span_ids: fetchLine.spanIds })
    expect(span.data.spans[0].attributes['url.full']).toMatch(/\/api\/stats$/)

    const errors = await call(stdio, 'get_trace_errors', { request_id: ids.boom })
    expect(errors.data.errors[0].message).toBe('Something went wrong in /boom')

    expect((await call(stdio, 'find_slow_queries', { threshold_ms: 0, limit: 3 })).data.queries).toHaveLength(3)
    expect((await call(stdio, 'find_n_plus_one')).data.patterns[0].requestId).toBe(ids.users)
    const plan = await call(stdio, 'explain_query', { request_id: ids.users, query_id: 1 })
    expect(plan.data.plan.length).toBeGreaterThan(0)
    expect((await call(stdio, 'search_logs', { text: 'grace' })).data.logs[0].requestId).toBe(ids.users)
    expect((await call(stdio, 'compare_requests', { request_ids: [ids.users, ids.report] })).data.durationDeltaMs).toBeTypeOf('number')
    // The demo exports nothing unless OTEL_TRACES_EXPORTER is set: no Jaeger link to a trace Jaeger never got, and why.
    const links = await call(stdio, 'get_links', { request_id: ids.users })
    if (process.env.OTEL_TRACES_EXPORTER) expect(links.data.links.jaeger).toMatch(/^http:\/\/localhost:16686\/trace\//)
    else {
      expect(links.data.links.jaeger).toBeUndefined()
      expect(links.text).toMatch(/nothing is exported \(the OpenTelemetry panel's exporter is 'none'\)/)
    }
  })

  it('takes the endpoint URL of the HTTP configuration as --url too', async () => {
    const client = new Client({ name: 'pasted-url-agent', version: '1' })
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [bin, 'mcp', '--url', `${base}/_debug_toolbar/mcp`], stderr: 'pipe' }))
    try {
      const listed = await call(client, 'list_requests', { limit: 1 })
      expect(listed.isError).toBe(false)
      expect(listed.data.requests).toHaveLength(1)
    } finally {
      await client.close()
    }
  })

  it('pages and caps lists, and answers bad arguments with an error, never a crash', async () => {
    const first = await call(stdio, 'list_requests', { limit: 1 })
    expect(first.data.requests).toHaveLength(1)
    const second = await call(stdio, 'list_requests', { limit: 1, cursor: first.data.nextCursor })
    expect(second.data.requests[0].id).not.toBe(first.data.requests[0].id)
    for (const [name, args] of [
      ['get_request', { request_id: '../../etc/passwd' }],
      ['get_span', { trace_id: 'zz', span_ids: [] }],
      ['list_requests', { limit: -1 }],
      ['explain_query', { request_id: ids.users, query_id: 'one' }],
      ['search_logs', { level: 'loud' }],
    ] as const) {
      const result = await call(stdio, name, args)
      expect(result.isError, name).toBe(true)
      expect(result.text, name).toMatch(/Invalid|invalid|must|expected/)
    }
    expect((await call(stdio, 'list_requests', { limit: 1 })).isError).toBe(false)
  })

  it('never lets the seeded secret out', async () => {
    const outputs = [
      await call(stdio, 'get_request', { request_id: ids.form }),
      await call(stdio, 'search_logs', { request_id: ids.form }),
      await call(stdio, 'find_slow_queries', { request_id: ids.form, threshold_ms: 0 }),
      await call(http, 'get_trace', { request_id: ids.form }),
    ]
    const spanIds = outputs[3]!.data.lines.flatMap((l: { spanIds: string[] }) => l.spanIds).slice(0, 20)
    outputs.push(await call(http, 'get_span', { trace_id: outputs[3]!.data.traceId, span_ids: spanIds }))
    const all = JSON.stringify(outputs.map((o) => o.raw))
    expect(all).toContain('created user password=REDACTED')
    expect(all).not.toContain(SECRET)
  })
})
