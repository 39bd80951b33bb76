import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { formatMs } from '../../src/shapes/format.js'
import { call, connect, startShop } from './app.js'

/** What failed in a request, as an agent asks for it: each failure once, said plainly. */
describe('errors over MCP', () => {
  let shop: Awaited<ReturnType<typeof startShop>>
  let client: Client
  let broken: string
  let thrownText: string
  let missing: string
  let maintenance: string
  let boom: string

  beforeAll(async () => {
    shop = await startShop()
    broken = await shop.get('/orders/broken')
    thrownText = await shop.get('/boom/text')
    missing = await shop.get('/missing/42')
    maintenance = await shop.get('/maintenance')
    boom = await shop.get('/boom')
    client = await connect(shop.base)
  })

  afterAll(async () => {
    await client?.close()
    await shop?.close()
  })

  it('lists a failed query once, not also as the exception its span recorded', async () => {
    const { data, text } = await call(client, 'get_trace_errors', { request_id: broken })
    const failures = data.errors.filter((e: { message: string }) => /no such table: order_lines/.test(e.message))
    expect(failures).toHaveLength(1)
    expect(failures[0]).toMatchObject({ kind: 'query', name: expect.stringMatching(/^query #1 at .*app\.ts:\d+/) })
    expect(failures[0].spanId).toMatch(/^[0-9a-f]{16}$/)
    // The request span failed because the handler answered 500: said so, not '(no status message)'.
    expect(data.errors.find((e: { kind: string }) => e.kind === 'span')).toMatchObject({ name: 'GET /orders/broken', message: 'HTTP 500' })
    expect(text).not.toContain('no status message')
    const listed = await call(client, 'list_requests', { route: '/orders/broken' })
    expect(listed.data.requests[0].errors).toBe(data.errors.length)
  })

  it('says what was thrown when it is not an Error, once, as the exception of the request span', async () => {
    const { data, text } = await call(client, 'get_trace_errors', { request_id: thrownText })
    expect(data.errors).toEqual([expect.objectContaining({ kind: 'exception', name: 'GET /boom/text', message: 'out of stock' })])
    expect(text.split('\n')[0]).toMatch(/^EXCEPTION "GET \/boom\/text" \[shop\] span [0-9a-f]{16} at \+[\d.]+ (?:µs|ms): out of stock$/)
    // At the time the waterfall writes for it.
    expect(text.split('\n')[0]).toContain(` at +${formatMs(data.errors[0].atMs)}: `)
  })

  it('a 4xx HTTPException is how the app answered, not an error, as on the request span; the Request panel still names it', async () => {
    const detail = await (await fetch(`${shop.base}/_debug_toolbar/api/requests/${missing}`)).json()
    expect(detail.status).toBe(404)
    expect(detail.panels.request.error).toBe('HTTPException: 404 Not Found')
    const { data } = await call(client, 'get_trace_errors', { request_id: missing })
    expect(data.errors).toEqual([])
    const listed = await call(client, 'list_requests', { route: '/missing/:sku' })
    expect(listed.data.requests[0]).toMatchObject({ id: missing, errors: 0, hasError: false })
    expect(listed.text).not.toContain('[error]')
    const failing = await call(client, 'list_requests', { has_error: true })
    expect(failing.data.requests.map((r: { id: string }) => r.id)).not.toContain(missing)
    const brief = await call(client, 'get_request', { request_id: missing })
    expect(brief.text).toMatch(/^Errors: none$/m)
    expect(brief.text).toContain("Thrown: HTTPException: 404 Not Found (the app's 404 answer, not an error)")
    expect(brief.data.request.thrown).toBe('HTTPException: 404 Not Found')
  })

  it('a 5xx HTTPException is an error, named for what it is, not "Error: "', async () => {
    const detail = await (await fetch(`${shop.base}/_debug_toolbar/api/requests/${maintenance}`)).json()
    expect(detail.panels.request.error).toBe('HTTPException: 503 Service Unavailable')
    const { data, text } = await call(client, 'get_trace_errors', { request_id: maintenance })
    expect(data.errors).toEqual([expect.objectContaining({ kind: 'exception', name: 'GET /maintenance', type: 'HTTPException', message: '503 Service Unavailable' })])
    expect(text).not.toMatch(/Error: *$/m)
    const failing = await call(client, 'list_requests', { has_error: true })
    expect(failing.data.requests.map((r: { id: string }) => r.id)).toContain(maintenance)
  })

  it("shows a thrown error's stack by the app's frames, with the frames between them folded and named", async () => {
    const { text } = await call(client, 'get_trace_errors', { request_id: boom })
    const stack = text.split('\n').filter((line) => line.startsWith('    '))
    expect(stack[0]).toBe('    Error: Something went wrong in /boom')
    // Where it was thrown first (here the app's handler), then what called it, folded.
    expect(stack[1]).toMatch(/^ {4}at .*test\/mcp\/app\.ts:\d+:\d+$/)
    expect(stack[2]).toMatch(/^ {4}\.\.\. \d+ frames of (hono|the toolbar|node|@opentelemetry\/api)(, (hono|the toolbar|node|@opentelemetry\/api))*$/)
    expect(stack.join('\n')).not.toMatch(/src\/core\/toolbar\.ts|compose\.js/)
    // The error's log line beside it gives its first line: the stack is above.
    expect(text).toMatch(/^ {2}log \+\S+ (µs|ms) ERROR Error: Something went wrong in \/boom \(stack above\)$/m)
  })
})
