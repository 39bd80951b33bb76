import { Console } from 'node:console'
import { Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import pino from 'pino'
import { Hono } from 'hono'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import { debugToolbar, pinoToolbarStream, recordLog, uninstallConsoleCapture, type LoggingStats } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { clientEnv } from '../support/local.js'
import { otelApp } from '../support/otel-app.js'

// The terminal: what the app prints is kept whole there (the toolbar only changes what it shows).
let printed = ''
const realConsole = globalThis.console
beforeEach(() => {
  printed = ''
  const sink = new Writable({ write: (chunk, _encoding, done) => ((printed += String(chunk)), done()) })
  globalThis.console = new Console({ stdout: sink, stderr: sink })
})
afterEach(() => {
  uninstallConsoleCapture()
  globalThis.console = realConsole
})

describe('secrets inside logged objects', () => {
  it('are redacted at any depth in the Logging panel and in the span events it exports, for pino, recordLog and console', async () => {
    const { app, run } = otelApp()
    const logger = pino({}, pinoToolbarStream())
    app.get('/login', (c) => {
      // What pino-http and many apps log: the request, headers included.
      logger.info({ req: { method: 'POST', headers: { authorization: 'Bearer SECRET-1', cookie: 'sid=SECRET-2', accept: 'text/html' } } }, 'incoming')
      recordLog('info', 'login', { user: { name: 'ann', password: 'SECRET-3' }, keys: [{ apiKey: 'SECRET-4' }] })
      const circular: Record<string, unknown> = { name: 'ann', session: { token: 'SECRET-5' } }
      circular.self = circular
      recordLog('info', 'circular', { circular })
      console.log('user %s', 'ann', { profile: { name: 'ann', password: 'SECRET-6' } })
      logger.child({ creds: { secret: 'SECRET-7' } }).info('child logger')
      return c.text('ok')
    })
    const { detail, stats } = await run('/login')
    const logging = detail.panels.logging as LoggingStats
    expect(JSON.stringify(logging)).not.toMatch(/SECRET-\d/)
    expect(JSON.stringify(stats.spans)).not.toMatch(/SECRET-\d/)
    // What is not secret stays as it was logged.
    expect(logging.logs.map((l) => [l.message, l.attributes])).toEqual([
      ['incoming', { req: '{"method":"POST","headers":{"authorization":"********","cookie":"********","accept":"text/html"}}' }],
      ['login', { user: '{"name":"ann","password":"********"}', keys: '[{"apiKey":"********"}]' }],
      ['circular', { circular: "<ref *1> { name: 'ann', session: '********', self: [Circular *1] }" }],
      ["user ann { profile: { name: 'ann', password: '********' } }", { 'console.method': 'log' }],
      ['child logger', { creds: '{"secret":"********"}' }],
    ])
    // The terminal still gets the line as the app wrote it.
    expect(printed).toContain("password: 'SECRET-6'")
  })

  it('are redacted as deep as the console prints: %j writes the whole object', async () => {
    const { app, run } = otelApp()
    const deep = { a: { b: { c: { d: { e: { f: { password: 'SECRET-9' } } } } } } }
    app.get('/', (c) => {
      console.log('config %j', deep)
      console.log('config', deep)
      return c.text('ok')
    })
    const { detail } = await run('/')
    const [json, inspected] = (detail.panels.logging as LoggingStats).logs
    expect(json!.message).toBe('config {"a":{"b":{"c":{"d":{"e":{"f":{"password":"********"}}}}}}}')
    // Node prints nothing below depth 2 here, so nothing there needs hiding.
    expect(inspected!.message).toBe('config { a: { b: { c: [Object] } } }')
    expect(printed).toContain('SECRET-9')
  })

  it('are redacted in Maps and Sets: under a Map\'s secret-named key, and in the objects a Map or Set holds', async () => {
    const { app, run } = otelApp()
    app.get('/', (c) => {
      console.log({ auth: new Map([['password', 'SECRET-1'], ['user', 'ann']]) })
      console.log(new Set([{ token: 'SECRET-2', id: 7 }]), new Map([['session', new Set(['SECRET-3'])]]))
      console.log('%o', { headers: new Map([['Authorization', 'Bearer SECRET-4'], ['accept', 'text/html']]) })
      console.dir(new Map([[{ apiKey: 'SECRET-5' }, 'owner']]))
      return c.text('ok')
    })
    const { detail, stats } = await run('/')
    const logging = detail.panels.logging as LoggingStats
    expect(logging.logs.map((l) => l.message)).toEqual([
      "{ auth: Map(2) { 'password' => '********', 'user' => 'ann' } }",
      "Set(1) { { token: '********', id: 7 } } Map(1) { 'session' => '********' }",
      "{\n  headers: Map(2) { 'Authorization' => '********', 'accept' => 'text/html' }\n}",
      "Map(1) { { apiKey: '********' } => 'owner' }",
    ])
    expect(JSON.stringify(stats.spans)).not.toMatch(/SECRET-\d/)
    expect(printed).toContain('SECRET-1')
  })

  it('leave class instances, errors and values without secrets printed as Node prints them', async () => {
    const { app, run } = otelApp()
    class Account {
      constructor(
        readonly id: number,
        readonly password: string,
      ) {}
    }
    app.get('/', (c) => {
      console.log(new Account(7, 'SECRET-8'), [1, 2, 3], new Map([['a', 1]]), new Date(0))
      console.error(new Error('failed'))
      return c.text('ok')
    })
    const { detail } = await run('/')
    const [account, error] = (detail.panels.logging as LoggingStats).logs
    expect(account!.message).toBe("Account { id: 7, password: '********' } [ 1, 2, 3 ] Map(1) { 'a' => 1 } 1970-01-01T00:00:00.000Z")
    expect(error!.message).toMatch(/^Error: failed\n {4}at /)
  })
})

describe('secrets written in the text of a log line', () => {
  it('are redacted in the Logging panel and in the exported span events, and printed as written', async () => {
    const exported = new InMemorySpanExporter()
    const panel = new OpenTelemetryPanel({ exporter: exported })
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [panel] }))
    const logger = pino({}, pinoToolbarStream())
    app.get('/login', (c) => {
      console.log('password=SECRET-1 user=ann')
      logger.info('token: SECRET-2')
      recordLog('warn', 'connecting to postgres://admin:SECRET-3@db/app', { note: 'api_key=SECRET-4 tried' })
      console.log('<-- GET /reset?token=SECRET-5&step=2')
      return c.text('ok')
    })
    const res = await app.request('/login', undefined, clientEnv())
    await res.text()
    const detail = await (await app.request(`/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`, undefined, clientEnv())).json()
    const logging = detail.panels.logging as LoggingStats
    expect(logging.logs.map((l) => l.message)).toEqual([
      'password=******** user=ann',
      'token: ********',
      'connecting to postgres://********:********@db/app',
      '<-- GET /reset?token=********&step=2',
    ])
    expect(logging.logs[2]!.attributes.note).toBe('api_key=******** tried')
    await panel.forceFlush()
    const events = exported.getFinishedSpans().flatMap((span) => span.events).filter((event) => event.name === 'log')
    expect(events.map((event) => event.attributes?.['log.message'])).toContain('token: ********')
    expect(JSON.stringify(events)).toContain('api_key=******** tried')
    expect(JSON.stringify(events)).not.toMatch(/SECRET-\d/)
    expect(JSON.stringify(logging)).not.toMatch(/SECRET-\d/)
    // The terminal still prints what the app wrote.
    expect(printed).toContain('password=SECRET-1 user=ann')
    expect(printed).toContain('/reset?token=SECRET-5')
    await panel.shutdown()
  })
  it('are redacted in a percent-encoded URL given as a query value', async () => {
    const { app, run } = otelApp()
    app.get('/', (c) => {
      console.log('redirecting to /login?next=https%3A%2F%2Fx%2Fcb%3Ftoken%3DSECRET-1&lang=en')
      return c.text('ok')
    })
    const { detail, stats } = await run('/')
    expect((detail.panels.logging as LoggingStats).logs.map((l) => l.message)).toEqual(['redirecting to /login?next=https%3A%2F%2Fx%2Fcb%3Ftoken%3D********&lang=en'])
    expect(JSON.stringify(stats.spans)).not.toContain('SECRET-1')
  })

  it('leave a sentence about a session or token readable in the Logging panel', async () => {
    const { app, run } = otelApp()
    app.get('/', (c) => {
      console.log('Session: started')
      console.info('Token: refreshed for user 7')
      console.log('Session: 9f8e7d6c5b4a')
      return c.text('ok')
    })
    const { detail } = await run('/')
    expect((detail.panels.logging as LoggingStats).logs.map((l) => l.message)).toEqual(['Session: started', 'Token: refreshed for user 7', 'Session: ********'])
  })

  it('are found in one pass over a line of thousands of name:value pairs, and the app\'s call returns', async () => {
    const { app, run } = otelApp()
    const chain = 'a:b:'.repeat(2000)
    app.get('/', (c) => {
      recordLog('info', `${chain} password=SECRET-10`)
      return c.text('ok')
    })
    const { detail } = await run('/')
    expect(detail.status).toBe(200)
    expect((detail.panels.logging as LoggingStats).logs[0]!.message).toBe(`${chain} password=********`)
  })
})
