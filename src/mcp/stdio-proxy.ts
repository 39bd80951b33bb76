import type { Readable, Writable } from 'node:stream'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { isJSONRPCRequest, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'

export interface StdioProxyOptions {
  /** The app's base URL, e.g. `http://127.0.0.1:3000`. */
  url: string
  /** The toolbar's prefix. Default `/_debug_toolbar`. */
  prefix?: string
  input?: Readable
  output?: Writable
}

/**
 * The MCP endpoint of an app: base URL + prefix + `/mcp`, or the URL itself when it is
 * already that endpoint.
 *
 * @example
 * ```ts
 * mcpEndpointUrl('http://127.0.0.1:3000')                    // 'http://127.0.0.1:3000/_debug_toolbar/mcp'
 * mcpEndpointUrl('http://127.0.0.1:3000/_debug_toolbar/mcp') // the same
 * ```
 */
export function mcpEndpointUrl(url: string, prefix = '/_debug_toolbar'): URL {
  let base: URL
  try {
    base = new URL(url)
  } catch {
    throw new TypeError(`--url must be the app's base URL such as http://127.0.0.1:3000, got "${url}"`)
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError(`--url must be http:// or https://, got "${url}"`)
  const cleanPrefix = `/${prefix.replace(/^\/+|\/+$/g, '')}`.replace(/^\/$/, '')
  const path = base.pathname.replace(/\/+$/, '')
  // The endpoint itself, as the HTTP configuration has it, is taken as it is.
  if (path.endsWith(`${cleanPrefix}/mcp`)) return new URL(path, base)
  return new URL(`${path}${cleanPrefix}/mcp`, base)
}

/**
 * Relays MCP messages between stdio (for clients that only start commands) and the
 * running app's Streamable HTTP endpoint. A request the app cannot be reached for is
 * answered with a JSON-RPC error naming the URL, so the client sees why.
 *
 * @example
 * ```ts
 * const proxy = await proxyStdio({ url: 'http://127.0.0.1:3000' })
 * // later: await proxy.close()
 * ```
 */
export async function proxyStdio(options: StdioProxyOptions): Promise<{ close(): Promise<void>; closed: Promise<void> }> {
  const endpoint = mcpEndpointUrl(options.url, options.prefix)
  const stdio = new StdioServerTransport(options.input, options.output)
  const http = new StreamableHTTPClientTransport(endpoint)
  let done: () => void = () => {}
  const closed = new Promise<void>((resolve) => (done = resolve))
  let closing = false
  // Closing a transport calls its onclose, which calls this again (synchronously): once is enough.
  const close = async () => {
    if (closing) return closed
    closing = true
    await Promise.allSettled([http.close(), stdio.close()])
    done()
  }

  // Requests sent and not answered yet: when stdin ends, their answers are still written.
  const pending = new Set<string | number>()
  let ended = false
  const answered = (id: string | number) => {
    pending.delete(id)
    if (ended && pending.size === 0) void close()
  }
  const reply = async (message: JSONRPCMessage) => {
    await stdio.send(message).catch(() => undefined)
    if ('id' in message && ('result' in message || 'error' in message) && message.id !== undefined && message.id !== null) answered(message.id)
  }

  stdio.onmessage = (message: JSONRPCMessage) => {
    if (isJSONRPCRequest(message)) pending.add(message.id)
    http.send(message).catch((error: unknown) => {
      if (!isJSONRPCRequest(message)) return
      void reply({ jsonrpc: '2.0', id: message.id, error: { code: -32000, message: `could not reach the toolbar's MCP endpoint at ${endpoint.href}: ${describe(error)}` } })
    })
  }
  http.onmessage = (message) => void reply(message)
  // A failed background stream (the optional GET) is not fatal: requests still go by POST.
  http.onerror = () => {}
  stdio.onclose = () => void close()
  // The client closed its end of our stdout (EPIPE on the next write): nobody is left to answer.
  const output = options.output ?? process.stdout
  output.on('error', () => void close())
  await http.start()
  await stdio.start()
  options.input?.on('end', () => {
    ended = true
    if (pending.size === 0) void close()
  })
  return { close, closed }
}

/** An error with its cause (`fetch failed` says little; `ECONNREFUSED` says what to do). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  return cause?.code ? `${error.message} (${cause.code})` : cause?.message ? `${error.message} (${cause.message})` : error.message
}
