import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import { ToolbarData, type McpToolbar } from './data.js'
import type { RedactionSettings } from './redact.js'
import { createToolbarMcpServer } from './server.js'

/**
 * The `{prefix}/mcp` endpoint: MCP's Streamable HTTP transport in stateless mode. Each
 * POST gets a fresh server and transport and a JSON answer, so nothing is kept between
 * calls (no session to lose when the app restarts under a watcher) and memory stays flat.
 * With no session there is no stream for the server to push on: GET and DELETE answer
 * 405, as the transport specification allows.
 *
 * @example
 * ```ts
 * const handle = createMcpHandler(toolbar, { redact: true, hideSqlParams: false, hideBodies: false })
 * toolbar.routes.all('/mcp', (c) => handle(c.req.raw))
 * ```
 */
export function createMcpHandler(toolbar: McpToolbar, settings: RedactionSettings): (req: Request) => Promise<Response> {
  const data = new ToolbarData(toolbar, settings.redact)
  return async function mcpEndpoint(req) {
    if (req.method !== 'POST') {
      return jsonRpcError(405, 'Method not allowed: this server is stateless, send JSON-RPC messages with POST', { Allow: 'POST' })
    }
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true })
    const server = createToolbarMcpServer({ data, settings, origin: new URL(req.url).origin })
    await server.connect(transport)
    try {
      return await transport.handleRequest(req)
    } finally {
      await server.close()
    }
  }
}

function jsonRpcError(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  })
}
