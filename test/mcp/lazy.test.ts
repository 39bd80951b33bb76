import { describe, expect, it, vi } from 'vitest'

const loaded = { sdk: false }
vi.mock('@modelcontextprotocol/sdk/server/mcp.js', async (importOriginal) => {
  loaded.sdk = true
  return importOriginal()
})

describe('loading the MCP SDK', () => {
  it('waits for the first /mcp call: a toolbar nobody asks over MCP never loads it', async () => {
    const { Hono } = await import('hono')
    const { debugToolbar } = await import('../../src/index.js')
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/', (c) => c.html('<html><body>home</body></html>'))
    const env = { incoming: { socket: { remoteAddress: '127.0.0.1' } } }
    await (await app.request('/', undefined, env)).text()
    await (await app.request('/_debug_toolbar/api/requests', undefined, env)).text()
    expect(loaded.sdk).toBe(false)
    const res = await app.request(
      '/_debug_toolbar/mcp',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      },
      env,
    )
    expect(res.status).toBe(200)
    expect(loaded.sdk).toBe(true)
  })
})
