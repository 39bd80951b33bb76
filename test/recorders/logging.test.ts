import { Console } from 'node:console'
import { inspect } from 'node:util'
import { Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { logger } from 'hono/logger'
import pino from 'pino'
import { debugToolbar, LoggingPanel, pinoToolbarStream, recordLog, renderTemplate, uninstallConsoleCapture, type LoggingStats } from '../../src/index.js'
import { request } from '../support/local.js'
import { heapAfterGc } from '../support/heap.js'

/** A real Console writing into a string, standing in for the terminal. */
function terminal() {
  let text = ''
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk)
      done()
    },
  })
  return { console: new Console({ stdout: stream, stderr: stream }), printed: () => text }
}

let screen: ReturnType<typeof terminal>
const realConsole = globalThis.console

beforeEach(() => {
  screen = terminal()
  globalThis.console = screen.console
})

afterEach(() => {
  uninstallConsoleCapture()
  globalThis.console = realConsole
})

function appWithLogging(panel = new LoggingPanel()) {
  const app = new Hono()
  app.use(debugToolbar({ panels: [panel] }))
  return app
}

async function logsOf(app: Hono, path: string): Promise<LoggingStats> {
  const res = await request(app, path)
  const id = res.headers.get('x-debug-toolbar-request-id')
  expect(id).toBeTruthy()
  return (await request(app, `/_debug_toolbar/api/requests/${id}`)).json().panels.logging
}

describe('console capture', () => {
  it('captures console calls inside a request, formatted as Node prints them, and still prints them', async () => {
    const app = appWithLogging()
    app.get('/', (c) => {
      console.log('user %s has %d items', 'ann', 3, { a: 1 })
      console.info('info line')
      console.warn('careful')
      console.error(new Error('boom').message)
      console.debug('details')
      return c.text('ok')
    })
    const stats = await logsOf(app, '/')
    expect(stats.logs.map((l) => [l.level, l.message, l.source])).toEqual([
      ['info', 'user ann has 3 items { a: 1 }', 'console'],
      ['info', 'info line', 'console'],
      ['warn', 'careful', 'console'],
      ['error', 'boom', 'console'],
      ['debug', 'details', 'console'],
    ])
    expect(stats.logs[0]!.attributes).toEqual({ 'console.method': 'log' })
    expect(screen.printed()).toContain('user ann has 3 items { a: 1 }\ninfo line\ncareful\nboom\ndetails\n')
    const starts = stats.logs.map((l) => l.startMs)
    expect(starts).toEqual([...starts].sort((a, b) => a - b))
    expect(starts[0]).toBeGreaterThanOrEqual(0)
  })

  it("shows a line without the terminal's colour codes, as hono/logger writes them, and still prints them in colour", async () => {
    const noColor = process.env.NO_COLOR
    delete process.env.NO_COLOR
    try {
      const app = appWithLogging()
      app.use(logger())
      app.get('/', (c) => c.text('ok'))
      const stats = await logsOf(app, '/')
      expect(stats.logs.map((l) => l.message)).toEqual(['<-- GET /', expect.stringMatching(/^--> GET \/ 200 \d+m?s$/)])
      expect(screen.printed()).toContain('\x1b[32m200\x1b[0m')
    } finally {
      if (noColor !== undefined) process.env.NO_COLOR = noColor
    }
  })

  it('leaves console calls outside a request alone: printed, recorded nowhere', async () => {
    const app = appWithLogging()
    app.get('/', (c) => c.text('ok'))
    console.log('before any request')
    const stats = await logsOf(app, '/')
    console.log('after the request')
    expect(stats.logs).toEqual([])
    expect(screen.printed()).toBe('before any request\nafter the request\n')
  })

  it('records console.trace once, with the caller, though Node prints it through console.error', async () => {
    const app = appWithLogging()
    app.get('/', (c) => {
      console.trace('where am I')
      return c.text('ok')
    })
    const stats = await logsOf(app, '/')
    expect(stats.logs).toHaveLength(1)
    expect(stats.logs[0]).toMatchObject({ level: 'trace', message: 'where am I' })
    expect(String(stats.logs[0]!.attributes.stack)).toContain('logging.test.ts')
    expect(screen.printed()).toContain('Trace: where am I')
  })

  it('captures console.dir as Node prints it, with its inspect options, and console.dirxml, secrets redacted, and still prints them', async () => {
    const app = appWithLogging()
    app.get('/', (c) => {
      console.dir({ a: 1, nested: { b: { c: 1 } } }, { depth: 0 })
      console.dir({ user: 'ann', password: 'hunter2' })
      console.dir({ deep: { deeper: { deepest: { token: 'abc' } } } }, { depth: null })
      console.dirxml('as log prints', { apiKey: 'k-1' })
      return c.text('ok')
    })
    const stats = await logsOf(app, '/')
    expect(stats.logs.map((l) => [l.level, l.message, l.source, l.attributes])).toEqual([
      ['info', '{ a: 1, nested: [Object] }', 'console', { 'console.method': 'dir' }],
      ['info', "{ user: 'ann', password: '********' }", 'console', { 'console.method': 'dir' }],
      ['info', "{\n  deep: { deeper: { deepest: { token: '********' } } }\n}", 'console', { 'console.method': 'dir' }],
      ['info', "as log prints { apiKey: '********' }", 'console', { 'console.method': 'dirxml' }],
    ])
    expect(screen.printed()).toContain("{ a: 1, nested: [Object] }\n{ user: 'ann', password: 'hunter2' }\n")
    expect(screen.printed()).toContain("token: 'abc'")
    expect(screen.printed()).toContain("as log prints { apiKey: 'k-1' }")
  })

  it('captures console.table once, drawn as Node draws it, with secret columns redacted, and still prints it', async () => {
    const app = appWithLogging()
    app.get('/', (c) => {
      console.table([{ user: 'ann', password: 'hunter2' }])
      console.table('not tabular')
      return c.text('ok')
    })
    const stats = await logsOf(app, '/')
    expect(stats.logs.map((l) => [l.level, l.message, l.attributes])).toEqual([
      [
        'info',
        [
          '┌─────────┬───────┬────────────┐',
          '│ (index) │ user  │ password   │',
          '├─────────┼───────┼────────────┤',
          "│ 0       │ 'ann' │ '********' │",
          '└─────────┴───────┴────────────┘',
        ].join('\n'),
        { 'console.method': 'table' },
      ],
      ['info', 'not tabular', { 'console.method': 'table' }],
    ])
    expect(screen.printed()).toContain("│ 0       │ 'ann' │ 'hunter2' │")
    expect(screen.printed()).toContain('not tabular\n')
  })

  it('does not recurse when formatting a value logs by itself', async () => {
    const app = appWithLogging()
    const chatty = {
      [inspect.custom]() {
        console.warn('inspecting chatty')
        return 'Chatty{}'
      },
    }
    app.get('/', (c) => {
      console.log('value:', chatty)
      return c.text('ok')
    })
    const stats = await logsOf(app, '/')
    expect(stats.logs.map((l) => l.message)).toEqual(['value: Chatty{}'])
    expect(screen.printed()).toContain('inspecting chatty')
    expect(screen.printed()).toContain('value: Chatty{}')
  })

  it('installs once however many toolbars, and uninstalls back to the original methods', async () => {
    const original = globalThis.console.log
    const app = appWithLogging()
    debugToolbar({ panels: [new LoggingPanel()] })
    app.get('/', (c) => {
      console.log('once')
      return c.text('ok')
    })
    const stats = await logsOf(app, '/')
    expect(stats.logs.map((l) => l.message)).toEqual(['once'])
    expect(screen.printed()).toBe('once\n')
    expect(globalThis.console.log).not.toBe(original)
    uninstallConsoleCapture()
    expect(globalThis.console.log).toBe(original)
  })
})

describe('recordLog', () => {
  it('records a line with attributes, secrets redacted and values made printable', async () => {
    const app = appWithLogging()
    app.get('/', (c) => {
      recordLog('warn', 'slow payment', { orderId: 42, ok: false, apiKey: 'sk-1', nested: { a: [1, 2] }, big: 10n, skipped: undefined })
      return c.text('ok')
    })
    const [line] = (await logsOf(app, '/')).logs
    expect(line).toMatchObject({ level: 'warn', message: 'slow payment', source: 'recordLog' })
    expect(line!.renderId).toBeUndefined()
    expect(line!.attributes).toEqual({ orderId: 42, ok: false, apiKey: '********', nested: '{"a":[1,2]}', big: '10' })
  })

  it('is a no-op outside a request and rejects unknown levels', () => {
    expect(() => recordLog('info', 'nobody listens')).not.toThrow()
    expect(() => recordLog('loud' as never, 'x')).toThrow(/level must be one of trace, debug, info, warn, error, fatal/)
  })

  it('notes the template render a line was written in', async () => {
    const app = appWithLogging()
    app.get('/', (c) => {
      recordLog('info', 'outside')
      renderTemplate('page', () => {
        recordLog('info', 'in page')
        renderTemplate('partial', () => console.log('in partial'))
      })
      return c.text('ok')
    })
    const stats = await logsOf(app, '/')
    expect(stats.logs.map((l) => [l.message, l.renderId ?? null])).toEqual([
      ['outside', null],
      ['in page', 1],
      ['in partial', 2],
    ])
  })
})

describe('bounds', () => {
  it('keeps maxLogs lines, counts the dropped ones, and counts every level', async () => {
    const app = appWithLogging(new LoggingPanel({ maxLogs: 3 }))
    app.get('/', (c) => {
      for (let i = 1; i <= 4; i++) recordLog('info', `line ${i}`)
      recordLog('error', 'the last one')
      return c.text('ok')
    })
    const stats = await logsOf(app, '/')
    expect(stats.logs.map((l) => l.message)).toEqual(['line 1', 'line 2', 'line 3'])
    expect(stats.dropped).toBe(2)
    expect(stats.counts).toEqual({ trace: 0, debug: 0, info: 4, warn: 0, error: 1, fatal: 0 })
  })

  it('cuts a very long message or attribute and says how much it left out, so lines stay bounded in size', async () => {
    const app = appWithLogging(new LoggingPanel())
    app.get('/', (c) => {
      recordLog('info', 'x'.repeat(20_000), { body: 'y'.repeat(9_000), nested: { list: 'z'.repeat(10_000) }, n: 1 })
      console.log('w'.repeat(8_192))
      recordLog('info', `${'a'.repeat(8191)}😀😀`)
      return c.text('ok')
    })
    const stats = await logsOf(app, '/')
    const [long, exact, emoji] = stats.logs
    expect(long!.message).toBe(`${'x'.repeat(8192)}… (11808 more characters)`)
    expect(long!.attributes.body).toBe(`${'y'.repeat(8192)}… (808 more characters)`)
    expect(String(long!.attributes.nested)).toMatch(/^\{"list":"z+… \(1819 more characters\)$/)
    expect(long!.attributes.n).toBe(1)
    expect(exact!.message).toBe('w'.repeat(8192))
    // The cut does not split the emoji at its end in two.
    expect(emoji!.message).toBe(`${'a'.repeat(8191)}… (4 more characters)`)
  })

  it('holds on to no more of a long message or attribute than it keeps, while the request is in the history', async () => {
    // A terminal that keeps nothing of what it prints.
    globalThis.console = new Console({ stdout: new Writable({ write: (_chunk, _encoding, done) => done() }) })
    const app = appWithLogging(new LoggingPanel())
    let n = 0
    app.get('/', (c) => {
      const id = `${n++}`
      recordLog('info', id.padEnd(500_000, 'x'), { body: id.padEnd(500_000, 'y') })
      console.log(id.padEnd(500_000, 'z'))
      return c.text('ok')
    })
    await logsOf(app, '/')
    const before = heapAfterGc()
    const ids: string[] = []
    for (let i = 0; i < 40; i++) ids.push((await request(app, '/')).headers.get('x-debug-toolbar-request-id')!)
    // 40 requests of 1.5 MB of text each, if the history held it.
    expect(heapAfterGc() - before).toBeLessThan(10_000_000)
    const last = (await request(app, `/_debug_toolbar/api/requests/${ids.at(-1)}`)).json().panels.logging as LoggingStats
    expect(last.logs.map((l) => l.message)).toEqual([`40${'x'.repeat(8190)}… (491808 more characters)`, `40${'z'.repeat(8190)}… (491808 more characters)`])
  })

  it('keeps the first 128 attributes of a line and says how many more it left out', async () => {
    const app = appWithLogging(new LoggingPanel())
    const cache = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`key${i}`, 'v'.repeat(8_000)]))
    app.get('/', (c) => {
      recordLog('info', 'cache dump', cache)
      recordLog('info', 'small', { a: 1 })
      return c.text('ok')
    })
    const [wide, small] = (await logsOf(app, '/')).logs
    expect(Object.keys(wide!.attributes)).toEqual(Object.keys(cache).slice(0, 128))
    expect(wide!.droppedAttributes).toBe(872)
    expect(small!.droppedAttributes).toBeUndefined()
  })

  it('rejects a maxLogs that is not a count', () => {
    expect(() => new LoggingPanel({ maxLogs: -1 })).toThrow(/maxLogs/)
  })
})

describe('pino', () => {
  /** Where pino's JSON lines end up, as they would in a file or on stdout. */
  function lines() {
    const written: string[] = []
    return { write: (line: string) => void written.push(line), written }
  }

  it('records level, message, bindings and fields of a real pino logger, and still writes every line', async () => {
    const out = lines()
    const logger = pino({ level: 'trace', base: { service: 'shop' } }, pinoToolbarStream(out))
    const app = appWithLogging()
    app.get('/orders/:id', (c) => {
      const log = logger.child({ orderId: c.req.param('id') })
      log.trace('looking up')
      log.info({ items: 3, password: 'hunter2' }, 'order %s loaded', c.req.param('id'))
      log.error(new Error('card declined'))
      logger.fatal({ msg: 'message in the object' })
      return c.text('ok')
    })
    logger.info('outside any request')
    const stats = await logsOf(app, '/orders/7')
    expect(stats.logs.map((l) => [l.level, l.message, l.source])).toEqual([
      ['trace', 'looking up', 'pino'],
      ['info', 'order 7 loaded', 'pino'],
      ['error', 'card declined', 'pino'],
      ['fatal', 'message in the object', 'pino'],
    ])
    expect(stats.logs[1]!.attributes).toEqual({ service: 'shop', orderId: '7', items: 3, password: '********' })
    expect(String(stats.logs[2]!.attributes.err)).toContain('Error: card declined')
    expect(out.written).toHaveLength(5)
    expect(JSON.parse(out.written[0]!)).toMatchObject({ msg: 'outside any request', service: 'shop' })
    expect(JSON.parse(out.written[2]!)).toMatchObject({ level: 30, msg: 'order 7 loaded', orderId: '7', items: 3 })
  })

  it("shows the fields as the logger's serializers and redact paths wrote them", async () => {
    const out = lines()
    const logger = pino({ serializers: { user: (user: { id: number }) => ({ id: user.id }) }, redact: ['card.number'] }, pinoToolbarStream(out))
    const app = appWithLogging()
    app.get('/pay', (c) => {
      logger.info({ user: { id: 1, email: 'ann@example.com' }, card: { number: '4111111111111111', brand: 'visa' } }, 'paid')
      return c.text('ok')
    })
    const [line] = (await logsOf(app, '/pay')).logs
    expect(line!.message).toBe('paid')
    expect(line!.attributes).toEqual({ user: '{"id":1}', card: '{"number":"[Redacted]","brand":"visa"}' })
    expect(JSON.stringify(line)).not.toContain('4111')
    expect(JSON.parse(out.written[0]!)).toMatchObject({ user: { id: 1 }, card: { number: '[Redacted]' } })
  })

  it('redacts secrets nested in a field, as pino-http logs the request\'s headers', async () => {
    const logger = pino({}, pinoToolbarStream(lines()))
    const app = appWithLogging()
    app.get('/', (c) => {
      logger.info({ req: { method: 'GET', headers: { accept: 'text/html', authorization: 'Bearer abc', cookie: 'sid=s3' } } }, 'request completed')
      recordLog('info', 'signed in', { user: { name: 'ada', password: 'hunter2', tokens: ['t1'] } })
      const cart: Record<string, unknown> = { id: 7, apiKey: 'k-9' }
      cart.self = cart
      recordLog('info', 'looped', { cart })
      return c.text('ok')
    })
    const [http, signIn, looped] = (await logsOf(app, '/')).logs
    expect(looped!.attributes.cart).toMatch(/id: 7.*apiKey: '\*{8}'.*self: \[Circular \*1\]/s)
    expect(JSON.parse(String(http!.attributes.req))).toEqual({ method: 'GET', headers: { accept: 'text/html', authorization: '********', cookie: '********' } })
    expect(JSON.parse(String(signIn!.attributes.user))).toEqual({ name: 'ada', password: '********', tokens: '********' })
  })

  it('works as one stream of a pino.multistream, with its own level', async () => {
    const all = lines()
    const logger = pino({ level: 'debug' }, pino.multistream([{ level: 'debug', stream: all }, { level: 'warn', stream: pinoToolbarStream() }]))
    const app = appWithLogging()
    app.get('/', (c) => {
      logger.debug('noise')
      logger.warn({ attempt: 2 }, 'retrying')
      return c.text('ok')
    })
    const stats = await logsOf(app, '/')
    expect(stats.logs.map((l) => [l.level, l.message, l.attributes])).toEqual([['warn', 'retrying', { attempt: 2 }]])
    expect(all.written).toHaveLength(2)
  })

  it('shows a line whose message is a number, true or null, and a message under another messageKey once', async () => {
    const out = lines()
    const logger = pino({}, pinoToolbarStream(out))
    const gcp = pino({ messageKey: 'message' }, pinoToolbarStream(out))
    const app = appWithLogging()
    app.get('/', (c) => {
      logger.info(42 as unknown as string)
      logger.warn({ retries: 3 }, true as unknown as string)
      gcp.info({ orderId: 7 }, 'paid')
      return c.text('ok')
    })
    const stats = await logsOf(app, '/')
    expect(stats.logs.map((l) => [l.level, l.message, l.attributes])).toEqual([
      ['info', '42', {}],
      ['warn', 'true', { retries: 3 }],
      ['info', 'paid', { orderId: 7 }],
    ])
    expect(out.written).toHaveLength(3)
  })

  it('maps custom levels to the nearest toolbar level', async () => {
    const logger = pino({ customLevels: { audit: 35, notice: 45 }, level: 'info' }, pinoToolbarStream())
    const app = appWithLogging()
    app.get('/', (c) => {
      logger.audit('who did what')
      logger.notice('heads up')
      return c.text('ok')
    })
    const stats = await logsOf(app, '/')
    expect(stats.logs.map((l) => [l.level, l.message])).toEqual([
      ['warn', 'who did what'],
      ['error', 'heads up'],
    ])
  })
})
