import { createServer, type AddressInfo } from 'node:net'
import { PassThrough } from 'node:stream'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mcpEndpointUrl, proxyStdio } from '../../src/mcp/stdio-proxy.js'
import { runCli, USAGE } from '../../src/mcp/cli.js'
import { startShop } from './app.js'

/** A stdio peer: writes JSON-RPC lines to the proxy and reads its answers by id. */
function stdioPeer() {
  const input = new PassThrough()
  const output = new PassThrough()
  const waiting = new Map<number, (message: any) => void>()
  createInterface({ input: output })
    .on('line', (line) => {
      const message = JSON.parse(line)
      waiting.get(message.id)?.(message)
    })
    // The client's reader of the pipe: a broken pipe is the relay's to handle, not the client's.
    .on('error', () => {})
  let id = 0
  const request = (method: string, params: unknown = {}) =>
    new Promise<any>((resolve) => {
      waiting.set(++id, resolve)
      input.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`)
    })
  const notify = (method: string) => input.write(`${JSON.stringify({ jsonrpc: '2.0', method })}\n`)
  return { input, output, request, notify }
}

const init = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'stdio-test', version: '1' } }

describe('the stdio relay', () => {
  let shop: Awaited<ReturnType<typeof startShop>>
  beforeAll(async () => {
    shop = await startShop()
    await shop.get('/users')
  })
  afterAll(() => shop.close())

  it('builds the endpoint from the base URL and prefix', () => {
    expect(mcpEndpointUrl('http://127.0.0.1:3000').href).toBe('http://127.0.0.1:3000/_debug_toolbar/mcp')
    expect(mcpEndpointUrl('http://127.0.0.1:3000/app/', '/debug/').href).toBe('http://127.0.0.1:3000/app/debug/mcp')
    expect(() => mcpEndpointUrl('localhost:3000')).toThrow(/--url must be/)
    expect(() => mcpEndpointUrl('nonsense')).toThrow(/--url must be/)
  })

  it('relays requests to the app and its answers back', async () => {
    const peer = stdioPeer()
    const proxy = await proxyStdio({ url: shop.base, input: peer.input, output: peer.output })
    const hello = await peer.request('initialize', init)
    expect(hello.result.serverInfo.name).toBe('hono-debug-toolbar')
    peer.notify('notifications/initialized')
    const listed = await peer.request('tools/call', { name: 'list_requests', arguments: {} })
    expect(listed.result.structuredContent.requests[0].route).toBe('/users')
    // stdin ends right after a request: its answer is still written before the relay closes.
    const last = peer.request('tools/call', { name: 'get_request', arguments: { request_id: 'ffffffffffffffff' } })
    peer.input.end()
    expect((await last).result.content[0].text).toMatch(/no request with id/)
    await proxy.closed
  })

  it('answers with an error naming the URL when the app cannot be reached', async () => {
    const peer = stdioPeer()
    // A port that was just free: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo
        probe.close(() => resolve(port))
      })
    })
    const proxy = await proxyStdio({ url: `http://127.0.0.1:${port}`, input: peer.input, output: peer.output })
    const answer = await peer.request('initialize', init)
    expect(answer.error.message).toMatch(/could not reach the toolbar's MCP endpoint at http:\/\/127\.0\.0\.1:\d+\/_debug_toolbar\/mcp: fetch failed \(ECONNREFUSED\)/)
    await proxy.close()
  })

  it('closes quietly when the client closes its end of stdout (EPIPE) while an answer is on its way', async () => {
    const peer = stdioPeer()
    const proxy = await proxyStdio({ url: shop.base, input: peer.input, output: peer.output })
    await peer.request('initialize', init)
    const uncaught: unknown[] = []
    const onUncaught = (error: unknown) => uncaught.push(error)
    process.on('uncaughtException', onUncaught)
    try {
      // The client is gone: writing to its pipe fails.
      peer.output.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))
      peer.input.write(`${JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'tools/call', params: { name: 'list_requests', arguments: {} } })}\n`)
      await proxy.closed
      await new Promise((resolve) => setTimeout(resolve, 50))
    } finally {
      process.off('uncaughtException', onUncaught)
    }
    expect(uncaught).toEqual([])
  })

  it('runs as the hono-debug-toolbar command, with usage on misuse', async () => {
    const run = async (argv: string[]) => {
      const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() }
      const out: string[] = []
      io.stdout.on('data', (chunk) => out.push(String(chunk)))
      io.stderr.on('data', (chunk) => out.push(String(chunk)))
      const code = runCli(argv, io)
      io.stdin.end()
      return { code: await code, out: out.join('') }
    }
    expect(await run(['--help'])).toEqual({ code: 0, out: `${USAGE}\n` })
    expect((await run(['mcp'])).code).toBe(2)
    expect((await run(['serve', '--url', shop.base])).code).toBe(2)
    expect(await run(['mcp', '--nope'])).toMatchObject({ code: 2, out: expect.stringMatching(/Unknown option '--nope'/) })
    expect(await run(['mcp', '--url', 'ftp://x'])).toMatchObject({ code: 2, out: expect.stringMatching(/--url must be http/) })
    expect((await run(['mcp', '--url', shop.base])).code).toBe(0)
  })
})
