import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { Hono } from 'hono'
import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { trace } from '@opentelemetry/api'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { debugToolbar, recordQuery } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import type { SqlStats } from '../../src/panels/sql.js'
import { call, connect } from './app.js'

// The app's code as `tsc` built it: test/fixtures/code-location/build/users.js and its map.
const BUILT = fileURLToPath(new URL('../fixtures/code-location/build/users.js', import.meta.url))
const BROKEN = fileURLToPath(new URL('../fixtures/code-location/build/broken.js', import.meta.url))
const TS = 'test/fixtures/code-location/src/users.ts'

// The recorder finds the app's frame in the stack; here the app's frame is a line of the built file.
const caller = vi.hoisted(() => ({ location: '' }))
vi.mock('../../src/recorders/sql/caller.js', () => ({ appCaller: () => caller.location }))

describe('code locations in the SQL panel and the MCP answers', () => {
  let server: ServerType
  let base: string
  let client: Client
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    const app = new Hono()
    const otel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })
    app.use(debugToolbar({ extraPanels: [otel] }))
    app.get('/users/:id', (c) => {
      recordQuery({ sql: 'SELECT * FROM users WHERE id = ?', params: [c.req.param('id')], startTime: performance.now(), durationMs: 150, rowCount: 1 })
      // A function of the built file, as the converter names a CPU profile's frame.
      trace.getTracer('shop').startActiveSpan('findUser', { attributes: { 'code.function.name': 'findUser', 'code.file.path': BUILT, 'code.line.number': 2, 'code.column.number': 5 } }, (span) => span.end())
      return c.text('ok')
    })
    server = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const get = async (path: string) => {
      const res = await fetch(`${base}${path}`)
      await res.text()
      return res.headers.get('x-debug-toolbar-request-id')!
    }
    caller.location = `${BUILT}:2:17`
    ids.mapped = await get('/users/1')
    caller.location = `${BROKEN}:2:17`
    ids.broken = await get('/users/2')
    caller.location = '/srv/elsewhere/users.js:7:3'
    ids.outside = await get('/users/3')
    client = await connect(base)
  })

  afterAll(async () => {
    await client?.close()
    await new Promise((resolve) => server?.close(resolve))
  })

  const sqlOf = async (id: string) => ((await (await fetch(`${base}/_debug_toolbar/api/requests/${id}`)).json()).panels.sql as SqlStats)

  it("shows a query's caller at its TypeScript line, relative to the working directory", async () => {
    expect((await sqlOf(ids.mapped!)).queries[0]!.caller).toBe(`${TS}:10:15`)
    const slow = await call(client, 'find_slow_queries', { request_id: ids.mapped })
    expect(slow.text).toContain(`at ${TS}:10:15`)
    expect(slow.data.queries[0].caller).toBe(`${TS}:10:15`)
  })

  it('keeps the built file and its line when the map is broken, and a path outside the working directory absolute', async () => {
    expect((await sqlOf(ids.broken!)).queries[0]!.caller).toBe('test/fixtures/code-location/build/broken.js:2:17')
    expect((await sqlOf(ids.outside!)).queries[0]!.caller).toBe('/srv/elsewhere/users.js:7:3')
  })

  it("shows get_trace's function and query spans at their TypeScript line", async () => {
    const { text, data } = await call(client, 'get_trace', { request_id: ids.mapped })
    expect(text).toContain(` findUser at ${TS}:10:3 `)
    expect(data.lines.find((l: { name: string }) => l.name === 'findUser').at).toBe(`${TS}:10:3`)
    // The query's span carries its caller in the code attributes, so the trace says where the query was made, as the SQL panel does.
    expect(text).toContain(` SELECT users at ${TS}:10:15 `)
    expect(data.lines.find((l: { name: string }) => l.name === 'SELECT users').at).toBe(`${TS}:10:15`)
  })
})
