import { Console } from 'node:console'
import { Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import pino from 'pino'
import { HTTPException } from 'hono/http-exception'
import { pinoToolbarStream, recordLog, uninstallConsoleCapture, type LoggingStats } from '../../src/index.js'
import { otelApp } from '../support/otel-app.js'
import { loopbackServers } from '../support/loopback-service.js'
import { call, connect } from '../mcp/app.js'

const serveOnLoopback = loopbackServers()

// The terminal: the app's own lines go there, whole.
const realConsole = globalThis.console
beforeEach(() => {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() })
  globalThis.console = new Console({ stdout: sink, stderr: sink })
})
afterEach(() => {
  uninstallConsoleCapture()
  globalThis.console = realConsole
})

/** The log lines of one request to `app`, as the panel's API shows them, and the 'log' span events exported with them. */
async function logged(handler: () => void) {
  const { app, run } = otelApp()
  app.get('/', (c) => {
    handler()
    return c.text('ok')
  })
  const { detail, stats } = await run('/')
  const logs = (detail.panels.logging as LoggingStats).logs
  const events = stats.spans.flatMap((span) => span.events).filter((event) => event.name === 'log')
  return { logs, events }
}

describe('recordLog attributes that are not plain data', () => {
  it('shows a Map or Set as Node prints it, secrets redacted, in the panel and the span event', async () => {
    const { logs, events } = await logged(() => {
      recordLog('info', 'login', {
        creds: new Map([['user', 'ann'], ['password', 'SECRET-1']]),
        roles: new Set(['admin', { token: 'SECRET-2' }]),
        nested: { tags: new Set(['a', 'b']) },
      })
    })
    expect(logs[0]!.attributes).toEqual({
      creds: "Map(2) { 'user' => 'ann', 'password' => '********' }",
      roles: "Set(2) { 'admin', { token: '********' } }",
      nested: "{ tags: Set(2) { 'a', 'b' } }",
    })
    expect(events[0]!.attributes.creds).toBe("Map(2) { 'user' => 'ann', 'password' => '********' }")
    expect(JSON.stringify(events)).not.toMatch(/SECRET-\d/)
  })

  it("reads the same in MCP's get_request, secrets redacted there too", async () => {
    const { app } = otelApp()
    app.get('/', (c) => {
      recordLog('info', 'login', { creds: new Map([['user', 'ann'], ['password', 'SECRET-1']]) })
      return c.text('ok')
    })
    const base = await serveOnLoopback(app)
    const id = (await fetch(`${base}/`)).headers.get('x-debug-toolbar-request-id')!
    const client = await connect(base)
    try {
      const { data, text } = await call(client, 'get_request', { request_id: id })
      expect(data.logs.lines[0].attributes).toEqual({ creds: "Map(2) { 'user' => 'ann', 'password' => 'REDACTED' }" })
      expect(JSON.stringify(data) + text).not.toContain('SECRET-1')
    } finally {
      await client.close()
    }
  })

  it('shows dates, bigints, class instances, buffers, functions and symbols as Node prints them, bounded, without throwing', async () => {
    class Account {
      constructor(
        readonly id: number,
        readonly apiKey: string,
      ) {}
    }
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('trap') }, get: () => { throw new Error('trap') } })
    const throwingGetter = { get boom() { throw new Error('getter') } }
    const { logs } = await logged(() => {
      recordLog('info', 'values', {
        at: new Date(0),
        big: 12345678901234567890n,
        account: new Account(7, 'SECRET-3'),
        bytes: Buffer.from([1, 2, 3]),
        typed: new Uint8Array([4, 5]),
        fn: function checkout() {},
        sym: Symbol('order'),
        huge: new Map(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 'v'.repeat(50)])),
        hostile,
        throwingGetter,
      })
    })
    const a = logs[0]!.attributes
    expect(a.at).toBe('1970-01-01T00:00:00.000Z')
    expect(a.big).toBe('12345678901234567890')
    expect(a.account).toBe("Account { id: 7, apiKey: '********' }")
    expect(a.bytes).toBe('<Buffer 01 02 03>')
    expect(a.typed).toBe('Uint8Array(2) [ 4, 5 ]')
    expect(a.fn).toBe('[Function: checkout]')
    expect(a.sym).toBe('Symbol(order)')
    expect(String(a.huge).length).toBeLessThan(9000)
    expect(String(a.huge)).toMatch(/^Map\(5000\) \{/)
    expect(typeof a.hostile).toBe('string')
    expect(typeof a.throwingGetter).toBe('string')
    expect(JSON.stringify(logs)).not.toMatch(/SECRET-\d/)
  })
})

describe('errors in log lines', () => {
  it('name a logged HTTPException as the Request panel does, in console text and recordLog attributes', async () => {
    const { logs, events } = await logged(() => {
      console.error(new HTTPException(404))
      recordLog('error', 'lookup failed', { err: new HTTPException(401, { message: 'no session' }) })
    })
    expect(logs[0]!.message).toMatch(/^HTTPException: 404 Not Found\n {4}at /)
    expect(String(logs[1]!.attributes.err)).toMatch(/^HTTPException: no session\n {4}at /)
    expect(String(events[0]!.attributes['log.message'])).toMatch(/^HTTPException: 404 Not Found\n/)
  })

  it('name an error of a subclass without a name of its own after its class, in console text, recordLog and pino', async () => {
    class NotFound extends Error {}
    const logger = pino({}, pinoToolbarStream())
    const { logs, events } = await logged(() => {
      console.error(new NotFound('no such order'))
      recordLog('error', new NotFound('as the message'))
      recordLog('error', 'lookup failed', { err: new NotFound('as an attribute') })
      logger.error(new NotFound('through pino'))
    })
    const first = (text: unknown) => String(text).split('\n')[0]
    expect(first(logs[0]!.message)).toBe('NotFound: no such order')
    expect(first(logs[1]!.message)).toBe('NotFound: as the message')
    expect(first(logs[2]!.attributes.err)).toBe('NotFound: as an attribute')
    expect(String(logs[3]!.attributes.err)).toContain('"stack":"NotFound: through pino\\n')
    expect(first(events[0]!.attributes['log.message'])).toBe('NotFound: no such order')
  })

  it('name an HTTPException logged through pino, whose message is empty', async () => {
    const logger = pino({}, pinoToolbarStream())
    const { logs } = await logged(() => logger.error(new HTTPException(404)))
    expect(logs[0]!.message).toBe('404 Not Found')
    expect((logs[0]!.attributes.err as string)).toMatch(/"stack":"HTTPException: 404 Not Found\\n {4}at /)
  })

  it('show an error with an empty message, a changed name, a cause chain and an AggregateError as Node prints them, bounded', async () => {
    const renamed = new Error('bad input')
    renamed.name = 'ValidationError'
    const early = new Error('read early')
    void early.stack // V8 writes the stack's first line when it is first read
    early.name = 'TimeoutError'
    let deep: Error = new Error('root')
    for (let i = 0; i < 50; i++) deep = new Error(`level ${i}`, { cause: deep })
    const { logs } = await logged(() => {
      console.error(new Error(''))
      console.error(renamed)
      console.error(early)
      console.error(new Error('checkout failed', { cause: new HTTPException(503) }))
      console.error(new AggregateError([new Error('one'), new HTTPException(404)], 'many'))
      recordLog('error', 'chain', { err: new Error('outer', { cause: new Error('inner', { cause: 'plain text' }) }) })
      console.error(deep)
    })
    const first = (text: string) => text.split('\n')[0]
    const notFrames = (text: string) => text.split('\n').filter((line) => !/^\s+at |^\s+\.\.\. \d+ lines? matching/.test(line)).join('\n')
    expect(first(logs[0]!.message)).toBe('Error')
    // Node names the class beside a name of its own, and so does the panel, also for a name
    // given after V8 wrote the stack (V8's first line still says `Error: read early`).
    expect(first(logs[1]!.message)).toBe('Error [ValidationError]: bad input')
    expect(first(logs[2]!.message)).toBe('Error [TimeoutError]: read early')
    expect(notFrames(logs[3]!.message)).toMatch(/^Error: checkout failed\n {2}\[cause\]: HTTPException: 503 Service Unavailable/)
    expect(notFrames(logs[4]!.message)).toMatch(/^AggregateError: many\n {2}\[errors\]: \[\n {4}Error: one\n {4}HTTPException: 404 Not Found/)
    expect(notFrames(String(logs[5]!.attributes.err))).toMatch(/^Error: outer\n {2}\[cause\]: Error: inner\n {4}\[cause\]: 'plain text'/)
    expect(logs[6]!.message.length).toBeLessThan(9000)
  })
})

describe('SQL written in a log line', () => {
  it('hides the literals of a call assigned to a secret column, as in an EXPLAIN plan', async () => {
    const { logs, events } = await logged(() => {
      console.log("UPDATE users SET password = crypt('SECRET-1', gen_salt('bf')) WHERE id = 7")
      console.log("Filter: (password_hash = lower('SECRET-2'::text))")
    })
    expect(logs.map((l) => l.message)).toEqual([
      "UPDATE users SET password = crypt('********', gen_salt('********')) WHERE id = 7",
      "Filter: (password_hash = lower('********'::text))",
    ])
    expect(JSON.stringify(events)).not.toMatch(/SECRET-\d/)
  })
})

describe('a URL nested two levels deep in a log line', () => {
  const link = `/login?next=${encodeURIComponent(`https://idp.example/auth?redirect_uri=${encodeURIComponent('https://app.example/cb?token=SECRET-1&step=2')}&lang=en`)}`

  it('has its secrets redacted in the Logging panel and the span event, encoded as it was written', async () => {
    const { logs, events } = await logged(() => console.log(`redirecting to ${link}`))
    const shown = `/login?next=${encodeURIComponent(`https://idp.example/auth?redirect_uri=${encodeURIComponent('https://app.example/cb?token=********&step=2')}&lang=en`)}`
    expect(logs[0]!.message).toBe(`redirecting to ${shown}`)
    expect(JSON.stringify(events)).not.toContain('SECRET-1')
  })

  it("has its secrets redacted in MCP's search_logs", async () => {
    const { app } = otelApp()
    app.get('/', (c) => {
      recordLog('info', `redirecting to ${link}`)
      return c.text('ok')
    })
    const base = await serveOnLoopback(app)
    await fetch(`${base}/`)
    const client = await connect(base)
    try {
      const { data, text } = await call(client, 'search_logs', { text: 'redirecting' })
      expect(text).toContain('token%253D')
      expect(JSON.stringify(data) + text).not.toContain('SECRET-1')
    } finally {
      await client.close()
    }
  })
})

describe('recordLog given something other than a string message and an object of attributes', () => {
  it('prints a message that is not a string as console.log does, secrets redacted, bounded', async () => {
    const { logs, events } = await logged(() => {
      recordLog('info', { a: 1, user: { name: 'ann', password: 'SECRET-1' } })
      recordLog('warn', 42)
      recordLog('info', Object.create(null))
      recordLog('info', Array.from({ length: 100_000 }, (_, i) => `item-${i}`))
    })
    expect(logs.map((l) => l.message).slice(0, 3)).toEqual(["{ a: 1, user: { name: 'ann', password: '********' } }", '42', '[Object: null prototype] {}'])
    expect(logs[3]!.message).toMatch(/^\[\n {2}'item-0',/)
    expect(logs[3]!.message).toContain('... 99900 more items')
    expect(logs[3]!.message.length).toBeLessThan(9000)
    expect(events[0]!.attributes['log.message']).toBe("{ a: 1, user: { name: 'ann', password: '********' } }")
    expect(JSON.stringify(logs) + JSON.stringify(events)).not.toContain('SECRET-1')
  })

  it('keeps attributes that are not a plain object as one attribute named value, and no attributes for null', async () => {
    class Account {
      constructor(readonly id: number, readonly apiKey: string) {}
    }
    const { logs, events } = await logged(() => {
      recordLog('info', 'a string', 'abc')
      recordLog('info', 'a number', 7)
      recordLog('info', 'an array', ['x', { token: 'SECRET-2' }])
      recordLog('info', 'an instance', new Account(7, 'SECRET-3'))
      recordLog('error', 'an error', new Error('boom'))
      recordLog('info', 'null', null)
      recordLog('info', 'a null-prototype object', Object.assign(Object.create(null), { id: 1 }))
    })
    expect(logs.map((l) => l.attributes).slice(0, 4)).toEqual([
      { value: 'abc' },
      { value: 7 },
      { value: '["x",{"token":"********"}]' },
      { value: "Account { id: 7, apiKey: '********' }" },
    ])
    expect(String(logs[4]!.attributes.value)).toMatch(/^Error: boom\n {4}at /)
    expect(logs[5]!.attributes).toEqual({})
    expect(logs[6]!.attributes).toEqual({ id: 1 })
    expect(events[0]!.attributes.value).toBe('abc')
    expect(JSON.stringify(logs)).not.toMatch(/SECRET-\d/)
  })
})
