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
    const body = withBodyDeadline(req, BODY_TIMEOUT_MS)
    try {
      const res = await transport.handleRequest(body.request)
      // The SDK answers a body cut off by the deadline as invalid JSON: say what happened.
      return body.expired() ? jsonRpcError(408, `the body did not arrive within ${BODY_TIMEOUT_MS / 1000} s`) : res
    } finally {
      body.done()
      await server.close()
    }
  }
}

/**
 * How long a call's body may take to arrive, as the span receivers allow theirs. The SDK
 * bounds its size (4 MiB) but waits for it as long as the client sends (Node answers 408
 * only after 5 minutes): a client trickling bytes would hold the call and its buffer.
 */
const BODY_TIMEOUT_MS = 10_000

/**
 * `req` with a body that fails once it has taken `timeoutMs` to arrive (cancelling the
 * client's upload), and whether it did. `done()` stops the clock.
 *
 * @example
 * ```ts
 * const body = withBodyDeadline(req, 10_000)
 * const res = await transport.handleRequest(body.request)
 * body.done()
 * if (body.expired()) return new Response('too slow', { status: 408 })
 * ```
 */
export function withBodyDeadline(req: Request, timeoutMs: number): { request: Request; expired(): boolean; done(): void } {
  if (!req.body) return { request: req, expired: () => false, done: () => undefined }
  let expired = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      timer = setTimeout(() => {
        expired = true
        controller.error(new Error(`the body did not arrive within ${timeoutMs / 1000} s`))
      }, timeoutMs)
    },
    flush: () => clearTimeout(timer),
  })
  const init = { method: req.method, headers: req.headers, body: req.body.pipeThrough(deadline), duplex: 'half', signal: req.signal }
  return { request: new Request(req.url, init as RequestInit), expired: () => expired, done: () => clearTimeout(timer) }
}

function jsonRpcError(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  })
}
