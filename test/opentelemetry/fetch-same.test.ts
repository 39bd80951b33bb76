// An app's fetch() inside a recorded request reaches the other service as it does without
// the toolbar, but for the trace context it carries: the same method (as written: `patch`
// stays lower case, as fetch sends it), URL, headers and body, whatever the call's shape
// (a string, a URL or a Request; headers as an object, pairs or Headers; bodies of every
// kind), and the call's own headers are left as they were. fast-check writes the calls.
import { afterAll, beforeAll, describe, it } from 'vitest'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { request } from '../support/local.js'

// The other service: it answers what it received.
let base = ''
const echo = http.createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headersDistinct, body: Buffer.concat(chunks).toString('base64') }))
  })
})
beforeAll(async () => {
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => echo.close(() => resolve())))

interface Call {
  input: 'string' | 'url' | 'request'
  method: string
  path: string
  headers: Array<[string, string]>
  headersAs: 'object' | 'pairs' | 'Headers' | 'none'
  body: 'none' | 'text' | 'params' | 'bytes' | 'blob' | 'stream'
  text: string
}

const call: fc.Arbitrary<Call> = fc.record({
  input: fc.constantFrom('string' as const, 'url' as const, 'request' as const),
  method: fc.constantFrom('GET', 'get', 'POST', 'post', 'PUT', 'PATCH', 'patch', 'DELETE', 'OPTIONS', 'HEAD'),
  path: fc.constantFrom('/', '/a/b', '/a?x=1&y=%20', '/caf%C3%A9?q=%ZZ', '/p?token=abc'),
  headers: fc.uniqueArray(
    fc.tuple(fc.constantFrom('x-id', 'accept', 'content-type', 'x-trace', 'authorization', 'traceparent', 'baggage', 'x-multi'), fc.stringMatching(/^[a-z0-9 ;=,/-]{0,12}$/).map((v) => v.trim())),
    { maxLength: 4, selector: ([name]) => name },
  ),
  headersAs: fc.constantFrom('object' as const, 'pairs' as const, 'Headers' as const, 'none' as const),
  body: fc.constantFrom('none' as const, 'text' as const, 'params' as const, 'bytes' as const, 'blob' as const, 'stream' as const),
  text: fc.string({ maxLength: 20 }),
})

function bodyOf(c: Call): { body?: BodyInit; duplex?: 'half' } {
  if (c.body === 'none' || ['GET', 'HEAD', 'get'].includes(c.method)) return {}
  if (c.body === 'text') return { body: c.text }
  if (c.body === 'params') return { body: new URLSearchParams({ q: c.text }) }
  if (c.body === 'bytes') return { body: new TextEncoder().encode(c.text) }
  if (c.body === 'blob') return { body: new Blob([c.text]) }
  return { body: new ReadableStream({ start: (controller) => (controller.enqueue(new TextEncoder().encode(c.text)), controller.close()) }), duplex: 'half' }
}

/** Makes the call with the global fetch; answers what the service got, and whether the call's own headers changed. */
async function make(c: Call): Promise<{ got: any; kept: boolean }> {
  const headersInit = c.headersAs === 'none' ? undefined : c.headersAs === 'pairs' ? c.headers.map(([n, v]) => [n, v] as [string, string]) : c.headersAs === 'Headers' ? new Headers(c.headers) : Object.fromEntries(c.headers)
  const before = JSON.stringify(headersInit instanceof Headers ? [...headersInit] : headersInit)
  const url = `${base}${c.path}`
  const init = { method: c.method, ...(headersInit && { headers: headersInit }), ...bodyOf(c) } as RequestInit
  const res =
    c.input === 'request' ? await fetch(new Request(url, init)) : await fetch(c.input === 'url' ? new URL(url) : url, init)
  // Node's server refuses a method it does not know (`patch` in lower case): a 400 with no body.
  const text = await res.text()
  const got = res.headers.get('content-type') === 'application/json' && text !== '' ? JSON.parse(text) : { status: res.status, text }
  const after = JSON.stringify(headersInit instanceof Headers ? [...headersInit] : headersInit)
  return { got, kept: before === after }
}

const CONTEXT = ['traceparent', 'tracestate', 'baggage']

describe("an app's fetch() in a recorded request", () => {
  it('reaches the other service as without the toolbar, but for the trace context', async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
    let pending: Call | undefined
    let traced: { got: any; kept: boolean } | undefined
    app.get('/call', async (c) => {
      traced = await make(pending!)
      return c.text('ok')
    })
    await fc.assert(
      fc.asyncProperty(call, async (c) => {
        const plain = await make(c)
        pending = c
        traced = undefined
        if ((await request(app, '/call')).status !== 200 || !traced) return false
        const withTrace: any = traced
        if (!withTrace.kept || !plain.kept) return false
        if (!('headers' in plain.got)) return isDeepStrictEqual(withTrace.got, plain.got)
        const strip = (headers: Record<string, string[]>) => Object.fromEntries(Object.entries(headers).filter(([name]) => !CONTEXT.includes(name)))
        // One traceparent, the toolbar's, whatever the app set.
        if (withTrace.got.headers.traceparent?.length !== 1 || !/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-3]$/.test(withTrace.got.headers.traceparent[0])) return false
        return (
          withTrace.got.method === plain.got.method &&
          withTrace.got.url === plain.got.url &&
          withTrace.got.body === plain.got.body &&
          isDeepStrictEqual(strip(withTrace.got.headers), strip(plain.got.headers))
        )
      }),
      { numRuns: 300 },
    )
  })
})
