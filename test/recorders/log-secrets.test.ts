import { Console } from 'node:console'
import { Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import pino from 'pino'
import { pinoToolbarStream, recordLog, uninstallConsoleCapture, type LoggingStats } from '../../src/index.js'
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
