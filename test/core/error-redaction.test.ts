import { Hono } from 'hono'
import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { debugToolbar, recordQuery, renderTemplate } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'

const PREFIX = '/_debug_toolbar'
// Built here so that no file holds a token a scanner would flag.
const JWT = `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${'A1b2C3d4E5'.repeat(4)}`

describe('an error whose message holds a secret', () => {
  let server: ServerType
  let base: string
  const exporter = new InMemorySpanExporter()
  const panel = new OpenTelemetryPanel({ exporter, serviceName: 'shop' })
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [panel] }))
    // Hono's default handler would print each error to the test's output.
    app.onError((_error, c) => c.text('failed', 500))
    app.get('/login', () => {
      throw new Error('login failed for password=hunter2')
    })
    app.get('/token', () => {
      throw new TypeError(`bad token ${JWT}`)
    })
    // A class named for a secret word: its name is not a `name: value` pair's.
    app.get('/named', () => {
      class TokenError extends Error {
        override name = 'TokenError'
      }
      throw new TokenError('signature expired')
    })
    app.get('/string', () => {
      // eslint-disable-next-line no-throw-literal
      throw 'upstream refused api_key=k-123'
    })
    app.get('/own-stack', () => {
      const error = new Error('sync failed')
      error.stack = 'Error: sync failed\nwhile sending token=t-456 to the mirror\n    at verify (file:///app/auth/token.js:12:9)'
      throw error
    })
    app.get('/ok', (c) => c.text('ok'))
    server = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    for (const path of ['/login', '/token', '/named', '/string', '/own-stack', '/ok']) {
      const res = await fetch(`${base}${path}`)
      await res.text()
      ids[path] = res.headers.get('x-debug-toolbar-request-id')!
    }
    await panel.forceFlush()
  })

  afterAll(async () => {
    await panel.shutdown()
    await new Promise((resolve) => server.close(resolve))
  })

  const requestPanel = async (path: string) => {
    const detail = await (await fetch(`${base}${PREFIX}/api/requests/${ids[path]}`)).json()
    return detail.panels.request as { error?: string }
  }
  const exported = (path: string): ReadableSpan => {
    const server = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER && span.name === `GET ${path}`)
    expect(server, `the SERVER span of GET ${path}`).toBeDefined()
    return server!
  }

  it('shows it redacted in the Request panel', async () => {
    expect((await requestPanel('/login')).error).toBe('Error: login failed for password=********')
    expect((await requestPanel('/token')).error).toBe('TypeError: bad token ********')
    expect((await requestPanel('/named')).error).toBe('TokenError: signature expired')
    expect((await requestPanel('/string')).error).toBe('upstream refused api_key=********')
    expect((await requestPanel('/ok')).error).toBeUndefined()
  })

  it('exports the SERVER span with the exception message, stack trace and status message redacted, the frames kept', () => {
    const login = exported('/login')
    expect(login.status).toEqual({ code: SpanStatusCode.ERROR, message: 'login failed for password=REDACTED' })
    expect(exception(login)['exception.message']).toBe('login failed for password=REDACTED')
    expect(String(exception(login)['exception.stacktrace'])).toMatch(/^Error: login failed for password=REDACTED\n {4}at .*error-redaction\.test\.ts/)

    const token = exported('/token')
    expect(token.status.message).toBe('bad token REDACTED')
    expect(exception(token)['exception.type']).toBe('TypeError')
    expect(exception(token)['exception.message']).toBe('bad token REDACTED')
    expect(String(exception(token)['exception.stacktrace'])).toMatch(/^TypeError: bad token REDACTED\n {4}at /)

    expect(exported('/named').status.message).toBe('signature expired')

    const thrown = exported('/string')
    expect(thrown.status.message).toBe('upstream refused api_key=REDACTED')
    expect(exception(thrown)['exception.message']).toBe('upstream refused api_key=REDACTED')

    // A stack the app wrote itself: its lines redacted, its frames kept as they are (`token.js:12:9` is no secret).
    expect(exception(exported('/own-stack'))['exception.stacktrace']).toBe('Error: sync failed\nwhile sending token=REDACTED to the mirror\n    at verify (file:///app/auth/token.js:12:9)')

    const everything = JSON.stringify(exporter.getFinishedSpans().map((span) => [span.status, span.events, span.attributes]))
    expect(everything).not.toMatch(/hunter2|k-123|t-456/)
    expect(everything).not.toContain(JWT)
  })
})

describe('a failed query or render whose error message holds a secret', () => {
  let server: ServerType
  let base: string
  let id: string
  const exporter = new InMemorySpanExporter()
  const panel = new OpenTelemetryPanel({ exporter, serviceName: 'shop' })

  beforeAll(async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [panel] }))
    app.get('/sign-in', (c) => {
      // What a driver may say: the value it refused, quoted back.
      recordQuery({ sql: 'SELECT * FROM sessions WHERE token = ?', params: ['t'], durationMs: 1, error: new Error(`invalid input syntax for type uuid: "Bearer ${JWT}"`) })
      try {
        renderTemplate('sign-in.html', () => {
          throw new Error('missing variable password=hunter2 in sign-in.html')
        })
      } catch {
        // The page falls back to a plain answer.
      }
      return c.text('try again', 401)
    })
    server = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const res = await fetch(`${base}/sign-in`)
    await res.text()
    id = res.headers.get('x-debug-toolbar-request-id')!
    await panel.forceFlush()
  })

  afterAll(async () => {
    await panel.shutdown()
    await new Promise((resolve) => server.close(resolve))
  })

  it('shows the message redacted in the SQL and Templates panels', async () => {
    const detail = await (await fetch(`${base}${PREFIX}/api/requests/${id}`)).json()
    expect(detail.panels.sql.queries[0].error).toBe('invalid input syntax for type uuid: "Bearer ********"')
    expect(detail.panels.templates.renders[0].error).toBe('missing variable password=******** in sign-in.html')
  })

  it('exports the query and render spans with the exception and status messages redacted', () => {
    const spans = exporter.getFinishedSpans()
    const query = spans.find((span) => span.kind === SpanKind.CLIENT)!
    const render = spans.find((span) => span.name.includes('sign-in.html'))!
    expect(query.status).toEqual({ code: SpanStatusCode.ERROR, message: 'invalid input syntax for type uuid: "Bearer REDACTED"' })
    expect(exception(query)['exception.message']).toBe('invalid input syntax for type uuid: "Bearer REDACTED"')
    expect(render.status.message).toBe('missing variable password=REDACTED in sign-in.html')
    expect(exception(render)['exception.message']).toBe('missing variable password=REDACTED in sign-in.html')
    const everything = JSON.stringify(spans.map((span) => [span.status, span.events]))
    expect(everything).not.toMatch(/hunter2/)
    expect(everything).not.toContain(JWT)
  })
})

function exception(span: ReadableSpan) {
  return span.events.find((event) => event.name === 'exception')!.attributes!
}
