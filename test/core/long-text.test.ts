import { describe, expect, it, vi } from 'vitest'
import { Hono } from 'hono'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import { debugToolbar, recordLog, recordQuery, type LoggingStats, type SqlStats } from '../../src/index.js'
import { OpenTelemetryPanel, type ToolbarSpan } from '../../src/opentelemetry/index.js'
import { loopbackServers } from '../support/loopback-service.js'

// The redaction rules read every log line, error and span value the toolbar keeps or shows,
// and an error's stack is read for its frames. Text that is long and regular (a body decoded
// in the wrong charset, a stack of blank lines) must cost them time in proportion to its
// length, not to its square: a request that logs it is not held up, and the page of its
// error still comes at once.
//
// Each case is timed beside the same work on ordinary prose of the same length, in the same
// process, so the check holds on a slow machine and on a fast one: in proportion to its
// length, the regular text costs about what prose costs; in proportion to its square, it
// cost 100 to 1,000 times more (2-3 s against a few milliseconds when these were written).

const start = loopbackServers()

/** What a Chinese or Japanese reply turns into when decoded as ASCII: runs of `?` with no space. */
const MISDECODED = '?'.repeat(8000)

/** Ordinary prose of `length` characters: what the same work costs on text of that size. */
function prose(length: number): string {
  return 'The report for March lists 42 orders, three of them late; see the attached sheet. '.repeat(Math.ceil(length / 83)).slice(0, length)
}

/** The quickest of three runs of `run`, in milliseconds (the first may compile code). */
async function quickest(run: () => Promise<void>): Promise<number> {
  let best = Infinity
  for (let i = 0; i < 3; i++) {
    const started = performance.now()
    await run()
    best = Math.min(best, performance.now() - started)
  }
  return best
}

/** The regular text costs no more than a small multiple of what prose of its length costs (and 100 ms of slack for timer noise). */
function expectLinear(regularMs: number, proseMs: number): void {
  expect(regularMs).toBeLessThan(10 * proseMs + 100)
}

/**
 * A toolbar app whose `/sync/:kind` logs what `write(kind)` logs: the quickest request of
 * each kind (`prose` first, then `regular`), and the Logging panel's messages of the last.
 */
async function timeLogging(write: (kind: string) => void) {
  const app = new Hono()
  app.use(debugToolbar())
  app.get('/sync/:kind', (c) => {
    write(c.req.param('kind'))
    return c.text('ok')
  })
  const base = await start(app)
  let id: string | null = null
  const load = (kind: string) => async () => {
    const res = await fetch(`${base}/sync/${kind}`)
    expect(await res.text()).toBe('ok')
    id = res.headers.get('x-debug-toolbar-request-id')
  }
  const proseMs = await quickest(load('prose'))
  const regularMs = await quickest(load('regular'))
  const detail = await (await fetch(`${base}/_debug_toolbar/api/requests/${id}`)).json()
  return { proseMs, regularMs, messages: (detail.panels.logging as LoggingStats).logs.map((log) => log.message) }
}

/**
 * A toolbar with the OpenTelemetry receiver on loopback: `send` posts one span of a service
 * with the given attributes (as OTLP/JSON), `read` answers its attributes as the trace API
 * shows them, after `quickest` timed the read.
 */
async function receivedSpans() {
  const panel = new OpenTelemetryPanel({ exporter: 'none' })
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [panel] }))
  const base = await start(app)
  return {
    async send(traceId: string, attributes: Record<string, string>) {
      const now = BigInt(Date.now()) * 1_000_000n
      const span = {
        traceId,
        spanId: 'b2'.repeat(8),
        name: 'generated query',
        kind: 3,
        startTimeUnixNano: String(now),
        endTimeUnixNano: String(now + 5_000_000n),
        attributes: Object.entries(attributes).map(([key, value]) => ({ key, value: { stringValue: value } })),
      }
      const body = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'reports' } }] }, scopeSpans: [{ spans: [span] }] }] }
      const sent = await fetch(`${base}/_debug_toolbar/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      expect(sent.status).toBe(200)
    },
    /** The quickest read of the trace `regular` beside that of `prose`, and the attributes each showed. */
    async timeReads(regular: string, prose: string) {
      const shown: Record<string, Record<string, unknown>> = {}
      const read = (traceId: string) => async () => {
        const trace = (await (await fetch(`${base}/_debug_toolbar/api/traces/${traceId}`)).json()) as { spans: ToolbarSpan[] }
        shown[traceId] = trace.spans[0]!.attributes
      }
      const proseMs = await quickest(read(prose))
      const regularMs = await quickest(read(regular))
      return { proseMs, regularMs, shown: shown[regular]! }
    },
    shutdown: () => panel.shutdown(),
  }
}

/** `count` attributes `<prefix>.<i>`, each `value`. */
function repeated(prefix: string, count: number, value: string): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}.${i}`, value]))
}

describe('long text read by the redaction rules and the stack reader', () => {
  it('does not hold up a request that logs text decoded in the wrong charset', async () => {
    const texts: Record<string, string> = { regular: MISDECODED, prose: prose(MISDECODED.length) }
    const { proseMs, regularMs, messages } = await timeLogging((kind) => {
      for (let i = 0; i < 20; i++) recordLog('warn', `upstream reply (charset=latin1): ${texts[kind]}`)
    })
    expect(messages).toHaveLength(20)
    expect(messages[0]).toBe(`upstream reply (charset=latin1): ${MISDECODED}`)
    expectLinear(regularMs, proseMs)
  })


  it('does not hold up a request that logs a statement spread over many blank lines, or many unfinished ones', async () => {
    const blank = `INSERT INTO${'\n'.repeat(8000)}`
    const unfinished = 'insert into audit ('.repeat(400)
    const texts: Record<string, [string, string]> = { regular: [blank, unfinished], prose: [prose(blank.length), prose(unfinished.length)] }
    const { proseMs, regularMs, messages } = await timeLogging((kind) => {
      const [first, second] = texts[kind]!
      for (let i = 0; i < 40; i++) recordLog('info', first)
      for (let i = 0; i < 10; i++) recordLog('info', second)
    })
    expect(messages).toEqual([...Array(40).fill(blank), ...Array(10).fill(unfinished)])
    expectLinear(regularMs, proseMs)
  })


  it('answers a page load at once with the error page of an error whose stack another process wrote, of many blank lines', async () => {
    const stacks: Record<string, string> = { regular: `WorkerError: layout failed${'\n '.repeat(50_000)}` }
    stacks.prose = `WorkerError: layout failed\n${prose(stacks.regular!.length)}`
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/report/:kind', (c) => {
      // An error passed on from a worker: its stack as the worker printed it, no frame of this process.
      const error = new Error('the report worker failed')
      error.stack = stacks[c.req.param('kind')]
      throw error
    })
    const base = await start(app)
    const load = (kind: string) => async () => {
      const res = await fetch(`${base}/report/${kind}`, { headers: { accept: 'text/html' } })
      expect(res.status).toBe(500)
      expect(await res.text()).toContain('the report worker failed')
    }
    // Hono's default handler prints each error with its stack: not wanted in the test's output.
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const proseMs = await quickest(load('prose'))
      const regularMs = await quickest(load('regular'))
      expectLinear(regularMs, proseMs)
    } finally {
      printed.mockRestore()
    }
  })


  it("does not hold up a request that logs a secret name and an unclosed '[' many times", async () => {
    // `password = [` with no `]` after it: the bracket was looked for to the text's end from each one.
    const unclosed = 'password = [ '.repeat(615)
    const texts: Record<string, string> = { regular: unclosed, prose: prose(unclosed.length) }
    const { proseMs, regularMs, messages } = await timeLogging((kind) => {
      for (let i = 0; i < 100; i++) recordLog('info', texts[kind]!)
    })
    expect(messages).toEqual(Array(100).fill('password = [********] '.repeat(615)))
    expectLinear(regularMs, proseMs)
  })


  // A service's attributes, each at the receiver's length bound (16,384 characters), and what each shows.
  it.each([
    ["'='", 'password = f('.repeat(1260), (text: string) => expect(text.startsWith('password = REDACTED = f(password = REDACTED = f(')).toBe(true)],
    ["an unclosed '['", 'password = [ '.repeat(1260), (text: string) => expect(text).toBe('password = [REDACTED] '.repeat(1260))],
  ])('shows a received span at once whose values repeat a secret name and %s many times', async (_, regular, check) => {
    const spans = await receivedSpans()
    await spans.send('a1'.repeat(16), repeated('app.sql', 100, regular))
    await spans.send('c3'.repeat(16), repeated('app.sql', 100, prose(regular.length)))
    const { proseMs, regularMs, shown } = await spans.timeReads('a1'.repeat(16), 'c3'.repeat(16))
    expect(Object.values(shown)).toHaveLength(100)
    for (const text of Object.values(shown) as string[]) check(text)
    expectLinear(regularMs, proseMs)
    await spans.shutdown()
  })

  it('exports at once the spans of queries whose text is a long run of digits, or of escaped quotes cut after a backslash', async () => {
    const exporter = new InMemorySpanExporter()
    const panel = new OpenTelemetryPanel({ exporter, serviceName: 'shop' })
    // A reference written into the SQL by the app (no number: letters follow its digits), and
    // a string literal of escaped quotes cut in the middle (its text goes, as any literal's).
    const digits = `SELECT * FROM orders WHERE ref = ${'1'.repeat(1200)}a`
    const quotes = `SELECT * FROM notes WHERE body = '${"\\'".repeat(16_000)}\\`
    const texts: Record<string, [string, string]> = { regular: [digits, quotes], prose: [prose(digits.length), prose(quotes.length)] }
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [panel] }))
    app.get('/sql/:kind', (c) => {
      for (const sql of texts[c.req.param('kind')]!) recordQuery({ sql, durationMs: 1, dbSystem: 'postgresql' })
      return c.text('ok')
    })
    const base = await start(app)
    const load = (kind: string) => async () => {
      exporter.reset()
      const res = await fetch(`${base}/sql/${kind}`)
      expect(await res.text()).toBe('ok')
      await panel.forceFlush()
    }
    const proseMs = await quickest(load('prose'))
    const regularMs = await quickest(load('regular'))
    expectLinear(regularMs, proseMs)
    const exported = exporter.getFinishedSpans().filter((span) => span.attributes['db.system.name'] === 'postgresql')
    expect(exported.map((span) => span.attributes['db.query.text'])).toEqual([digits, 'SELECT * FROM notes WHERE body = ?'])
    expect(exported.map((span) => span.name)).toEqual(['SELECT orders', 'SELECT notes'])
    await panel.shutdown()
  })

  it('shows at once the SQL panel of a query whose params sit deep inside calls on a secret column', async () => {
    // A fallback chain a query builder nests: every param is bound, through the calls around it, to `token`.
    const params = Array.from({ length: 5000 }, (_, i) => `tk-${i}`)
    const nested = `UPDATE sessions SET token = ${'ifnull('.repeat(6000)}${params.map(() => '?').join(', ')}${')'.repeat(6000)} WHERE id = 7`
    const texts: Record<string, string> = { regular: nested, prose: prose(nested.length) }
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/sql/:kind', (c) => {
      recordQuery({ sql: texts[c.req.param('kind')]!, params, durationMs: 1, dbSystem: 'postgresql' })
      return c.text('ok')
    })
    const base = await start(app)
    const ids: Record<string, string> = {}
    for (const kind of ['regular', 'prose']) {
      const res = await fetch(`${base}/sql/${kind}`)
      expect(await res.text()).toBe('ok')
      ids[kind] = res.headers.get('x-debug-toolbar-request-id')!
    }
    let shown: unknown[] = []
    const open = (kind: string) => async () => {
      const sql = (await (await fetch(`${base}/_debug_toolbar/api/requests/${ids[kind]}`)).json()).panels.sql as SqlStats
      const full = await (await fetch(`${base}/_debug_toolbar/api/sql/${ids[kind]}/${sql.queries[0]!.id}`)).json()
      shown = full.params
    }
    const proseMs = await quickest(open('prose'))
    const regularMs = await quickest(open('regular'))
    expect(shown).toEqual(Array(5000).fill('********'))
    expectLinear(regularMs, proseMs)
  })

  it("shows a received span at once whose values run 'eyJ-' many times, and redacts a token of that shape as before", async () => {
    const spans = await receivedSpans()
    // Base64url text that starts a JWT's header at every hyphen: each start was read to the text's end.
    const regular = 'eyJ-'.repeat(4096)
    const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI3In0.${'c2ln'.repeat(8)}`
    const note = { 'app.note': `signed in with ${jwt} at ${'a-eyJ-'.repeat(3)}` }
    await spans.send('f6'.repeat(16), { ...repeated('app.blob', 20, regular), ...note })
    await spans.send('a7'.repeat(16), { ...repeated('app.blob', 20, prose(regular.length)), ...note })
    const { proseMs, regularMs, shown } = await spans.timeReads('f6'.repeat(16), 'a7'.repeat(16))
    expectLinear(regularMs, proseMs)
    expect(shown['app.blob.0']).toBe(regular)
    expect(shown['app.note']).toBe(`signed in with REDACTED at ${'a-eyJ-'.repeat(3)}`)
    await spans.shutdown()
  })
})
