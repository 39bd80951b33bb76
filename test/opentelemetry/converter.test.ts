import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { trace } from '@opentelemetry/api'
import { Hono } from 'hono'
import { timing, startTime, endTime } from 'hono/timing'
import { debugToolbar, currentRecord, recordLog, recordQuery, renderTemplate, SLOTS, type RecordedProfile } from '../../src/index.js'
import { OpenTelemetryPanel, type OpenTelemetryStats, type ToolbarSpan } from '../../src/opentelemetry/index.js'
import { withSpans, type StatsWithSpans } from '../support/trace-spans.js'

const loopback = { incoming: { socket: { remoteAddress: '127.0.0.1' } } }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function makeApp(options: ConstructorParameters<typeof OpenTelemetryPanel>[0] = {}) {
  const app = new Hono()
  app.use(timing())
  app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', ...options })] }))
  const run = async (path: string) => {
    const res = await app.request(path, undefined, loopback)
    await res.text()
    const detail = await (await app.request(`/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`, undefined, loopback)).json()
    return withSpans(app, detail.panels.opentelemetry as OpenTelemetryStats)
  }
  return { app, run }
}

const ms = (nanos: string) => Number(BigInt(nanos) / 1000n) / 1000
const offsetMs = (span: ToolbarSpan, server: ToolbarSpan) => ms(span.startTimeUnixNano) - ms(server.startTimeUnixNano)
const named = (stats: StatsWithSpans, name: string) => stats.spans.find((s) => s.name === name)!
const serverOf = (stats: StatsWithSpans) => stats.spans.find((s) => s.kind === 'SERVER')!

/** A node of a V8 profile: `functionName` in `url` at a 0-based `lineNumber`, calling `children`. */
const node = (id: number, functionName: string, url: string, lineNumber: number, children: number[] = []) => ({
  id, callFrame: { functionName, scriptId: '1', url, lineNumber, columnNumber: 2 }, children,
})

/**
 * Serves GET / with `nodes` and `samples` as the request's profile, in the documented shape of
 * the profiling slot: samples every 500 µs, from 10 ms into the request.
 */
function serveProfile(app: ReturnType<typeof makeApp>['app'], nodes: RecordedProfile['profile']['nodes'], samples: number[]) {
  app.get('/', (c) => {
    const profile: RecordedProfile = {
      profile: { nodes, startTime: 0, endTime: samples.length * 500, samples, timeDeltas: samples.map((_, i) => (i === 0 ? 0 : 500)) },
      startMs: 10, samplingIntervalUs: 500, skipped: undefined,
    }
    currentRecord()!.slot(SLOTS.profiling, () => profile)
    return c.text('ok')
  })
}

describe('PanelDataConverter', () => {
  it('places a query run 30 ms into the request 30 ms after the request span starts', async () => {
    const { app, run } = makeApp()
    let ranAt = 0
    app.get('/orders', async (c) => {
      await sleep(30)
      // The offset of the very reading the query is recorded with: a second clock reading
      // could come a time slice later on a busy machine.
      const started = performance.now()
      ranAt = currentRecord()!.offsetOf(started)
      recordQuery({ sql: 'SELECT id, total FROM orders WHERE user_id = ?', params: [7], startTime: started, durationMs: 2.5, rowCount: 3, dbSystem: 'sqlite' })
      return c.text('ok')
    })
    const stats = await run('/orders')
    const query = named(stats, 'SELECT orders')
    expect(ranAt).toBeGreaterThanOrEqual(30)
    expect(Math.abs(offsetMs(query, serverOf(stats)) - ranAt)).toBeLessThan(1)
    expect(ms(query.endTimeUnixNano!) - ms(query.startTimeUnixNano)).toBeCloseTo(2.5, 2)
    expect(query.kind).toBe('CLIENT')
    expect(query.parentSpanId).toBe(stats.rootSpanId)
    expect(query.attributes).toMatchObject({
      'db.system.name': 'sqlite',
      'db.query.text': 'SELECT id, total FROM orders WHERE user_id = ?',
      'db.query.summary': 'SELECT orders',
      'db.response.returned_rows': 3,
    })
    // "The operation name SHOULD NOT be extracted from db.query.text": only what the caller gave.
    expect(query.attributes['db.operation.name']).toBeUndefined()
    expect(query.attributes['db.collection.name']).toBeUndefined()
    // Parameters are user data: never exported.
    expect(JSON.stringify(query.attributes)).not.toContain('"7"')
    expect(stats.convert.sql).toEqual({ enabled: true, converted: 1 })
  })

  it("gives a query's span the query's own duration, to the nanosecond, so the waterfall reads the SQL panel's time", async () => {
    const { app, run } = makeApp()
    app.get('/quick', (c) => {
      recordQuery({ sql: 'SELECT id FROM users', params: [], durationMs: 0.2345678, rowCount: 1, dbSystem: 'sqlite' })
      return c.text('ok')
    })
    const query = named(await run('/quick'), 'SELECT users')
    // Both ends rounded to the microsecond made it 234 or 235 µs: the SQL panel said 235 µs, the waterfall 234 µs.
    expect(BigInt(query.endTimeUnixNano!) - BigInt(query.startTimeUnixNano)).toBe(234_568n)
  })

  it("exports a query's caller in the TypeScript the built file maps to, as the SQL panel shows it", async () => {
    const { app, run } = makeApp()
    // test/fixtures/code-location/build/users.js, compiled by tsc from ../src/users.ts with a source map.
    const built = fileURLToPath(new URL('../fixtures/code-location/build/users.js', import.meta.url))
    const source = fileURLToPath(new URL('../fixtures/code-location/src/users.ts', import.meta.url))
    app.get('/users', (c) => {
      recordQuery({ sql: 'SELECT id FROM users', params: [], durationMs: 0.2, rowCount: 1, dbSystem: 'sqlite' })
      recordQuery({ sql: 'SELECT id FROM orders', params: [], durationMs: 0.2, rowCount: 1, dbSystem: 'sqlite' })
      recordQuery({ sql: 'SELECT id FROM carts', params: [], durationMs: 0.2, rowCount: 1, dbSystem: 'sqlite' })
      // As an app running its built JavaScript has them: two calls in users.js, and one from code that is not a file.
      const [users, orders, carts] = currentRecord()!.peek(SLOTS.sql)!.queries
      users!.caller = `${built}:2:27`
      orders!.caller = `${built}:1:17`
      carts!.caller = '<anonymous>'
      return c.text('ok')
    })
    const stats = await run('/users')
    // Not users.js:2:27: the line the developer wrote, so Jaeger and the waterfall read as the SQL
    // panel does, in the code conventions' attributes (a stacktrace is V8's text of a whole stack).
    const users = named(stats, 'SELECT users').attributes
    expect(users).toMatchObject({ 'code.file.path': source, 'code.line.number': 10, 'code.column.number': 25 })
    expect(users['code.stacktrace']).toBeUndefined()
    expect(named(stats, 'SELECT orders').attributes).toMatchObject({ 'code.file.path': source, 'code.line.number': 9, 'code.column.number': 17 })
    // Code that is not a file has no position: its text is kept as V8 wrote it.
    const carts = named(stats, 'SELECT carts').attributes
    expect(carts['code.stacktrace']).toBe('<anonymous>')
    expect(carts['code.file.path']).toBeUndefined()
  })

  it("gives a render's span the render's own duration, to the nanosecond, so the waterfall reads the Templates panel's time", async () => {
    const { app, run } = makeApp()
    let record: ReturnType<typeof currentRecord>
    app.get('/page', async (c) => {
      record = currentRecord()
      return c.html(await renderTemplate('users', async () => {
        await sleep(1)
        return '<p>users</p>'
      }))
    })
    const render = named(await run('/page'), 'render users')
    const measured = record!.peek(SLOTS.templates)!.renders[0]!.durationMs!
    expect(BigInt(render.endTimeUnixNano!) - BigInt(render.startTimeUnixNano)).toBe(BigInt(Math.round(measured * 1e6)))
  })

  it('marks a failed query as ERROR with an exception event', async () => {
    const { app, run } = makeApp()
    app.get('/', (c) => {
      recordQuery({ sql: 'INSERT INTO users (name) VALUES (?)', params: ['x'], durationMs: 1, error: new Error('UNIQUE constraint failed: users.name'), dbSystem: 'sqlite' })
      return c.text('ok')
    })
    const query = named(await run('/'), 'INSERT users')
    expect(query.status).toEqual({ code: 'ERROR', message: 'UNIQUE constraint failed: users.name' })
    expect(query.events[0]).toMatchObject({ name: 'exception', attributes: { 'exception.message': 'UNIQUE constraint failed: users.name' } })
  })

  it('nests renders by parent, and puts queries and log lines inside the render they ran in', async () => {
    const { app, run } = makeApp()
    app.get('/page', async (c) => {
      recordLog('info', 'page requested', { userId: 7, password: 'hunter2' })
      const html = await renderTemplate('layout', async () => {
        const body = await renderTemplate('users', async () => {
          const started = performance.now()
          await sleep(2)
          recordQuery({ sql: 'SELECT * FROM users', params: [], startTime: started, durationMs: performance.now() - started, rowCount: 2, dbSystem: 'sqlite' })
          recordLog('warn', 'slow partial')
          return '<ul></ul>'
        })
        return `<main>${body}</main>`
      })
      return c.html(html)
    })
    const stats = await run('/page')
    const layout = named(stats, 'render layout')
    const users = named(stats, 'render users')
    expect(layout.parentSpanId).toBe(stats.rootSpanId)
    expect(users.parentSpanId).toBe(layout.spanId)
    expect(named(stats, 'SELECT users').parentSpanId).toBe(users.spanId)
    expect(users.events).toEqual([
      expect.objectContaining({ name: 'log', attributes: { 'log.severity': 'warn', 'log.message': 'slow partial', 'log.source': 'recordLog' } }),
    ])
    const requestLog = serverOf(stats).events.find((e) => e.name === 'log')!
    expect(requestLog.attributes).toEqual({ 'log.severity': 'info', 'log.message': 'page requested', 'log.source': 'recordLog', userId: 7, password: '********' })
    expect(stats.convert.templates.converted).toBe(2)
    expect(stats.convert.logging.converted).toBe(2)
  })

  it('turns hono/timing timers into spans at their real start', async () => {
    const { app, run } = makeApp()
    let startedAt = 0
    let startedBy = 0
    app.get('/', async (c) => {
      await sleep(5)
      // hono/timing reads its own clock: the timer starts between these two readings, which
      // a busy machine may set a time slice apart.
      startedAt = currentRecord()!.now()
      startTime(c, 'db', 'Database')
      startedBy = currentRecord()!.now()
      await sleep(3)
      endTime(c, 'db')
      return c.text('ok')
    })
    const stats = await run('/')
    const db = named(stats, 'db')
    expect(offsetMs(db, serverOf(stats))).toBeGreaterThan(startedAt - 1)
    expect(offsetMs(db, serverOf(stats))).toBeLessThan(startedBy + 1)
    expect(db.attributes['hono.timing.description']).toBe('Database')
    expect(stats.convert.timer.converted).toBe(1)
  })

  it('turns the hot frames of a profile into spans with their code location', async () => {
    const { app, run } = makeApp({ profileSpanThresholdMs: 1 })
    const node = (id: number, functionName: string, lineNumber: number) => ({
      id, callFrame: { functionName, scriptId: '1', url: 'file:///srv/app/routes.js', lineNumber, columnNumber: 4 },
    })
    serveProfile(app, [node(1, '(root)', -1), node(2, 'renderRows', 41), node(3, 'tiny', 9)], [2, 2, 2, 2, 3, 1])
    const stats = await run('/')
    const hot = named(stats, 'renderRows')
    expect(hot.attributes).toMatchObject({ 'code.function.name': 'renderRows', 'code.file.path': '/srv/app/routes.js', 'code.line.number': 42 })
    expect(offsetMs(hot, serverOf(stats))).toBeCloseTo(10, 2)
    expect(ms(hot.endTimeUnixNano!) - ms(hot.startTimeUnixNano)).toBeCloseTo(2, 2)
    // 'tiny' ran for one 500 µs sample: under the 1 ms threshold.
    expect(stats.spans.find((s) => s.name === 'tiny')).toBeUndefined()
    expect(stats.convert.profiling.converted).toBe(1)
  })

  it('names a profiled function and its code location in the TypeScript the built file maps to', async () => {
    const { app, run } = makeApp({ profileSpanThresholdMs: 1 })
    // test/fixtures/code-location/build/users.js, compiled by tsc from ../src/users.ts with a source map.
    const url = new URL('../fixtures/code-location/build/users.js', import.meta.url).href
    const node = (id: number, functionName: string, lineNumber: number, columnNumber: number, children: number[] = []) => ({
      id, callFrame: { functionName, scriptId: '1', url, lineNumber, columnNumber }, children,
    })
    // findUser (users.js:1) calls the arrow function it hands to rows.find (users.js:2:27).
    serveProfile(app, [node(1, '(root)', -1, -1, [2]), node(2, 'findUser', 0, 16, [3]), node(3, '', 1, 26)], [3, 3, 3, 3, 3, 1])
    const stats = await run('/')
    const arrow = stats.spans.find((s) => s.name.startsWith('(anonymous)'))!
    // Not '(anonymous) users.js:2': the file and line the developer wrote, as the Profile panel shows them.
    expect(arrow.name).toBe('(anonymous) users.ts:10')
    expect(arrow.attributes['code.file.path']).toBe(fileURLToPath(new URL('../fixtures/code-location/src/users.ts', import.meta.url)))
    expect(arrow.attributes).toMatchObject({ 'code.function.name': '(anonymous)', 'code.line.number': 10 })
    const findUser = named(stats, 'findUser')
    expect(findUser.attributes).toMatchObject({ 'code.line.number': 9, 'code.column.number': 17 })
    expect(arrow.parentSpanId).toBe(findUser.spanId)
  })

  it("shows starting the profiler as a span of its own, at its start and for what it cost the request", async () => {
    const { app, run } = makeApp()
    app.get('/', (c) => {
      // A profile that began starting 0.5 ms into the request and paid 250.25 ms for it.
      const profile: RecordedProfile = {
        profile: { nodes: [], startTime: 0, endTime: 0, samples: [], timeDeltas: [] },
        startMs: 250.75, samplingIntervalUs: 100, skipped: undefined, startBeganMs: 0.5, startCostMs: 250.25,
      }
      currentRecord()!.slot(SLOTS.profiling, () => profile)
      return c.text('ok')
    })
    const stats = await run('/')
    expect(stats.spans.map((s) => s.name)).toEqual(['GET /', 'CPU profiler start'])
    const start = named(stats, 'CPU profiler start')
    expect(start.kind).toBe('INTERNAL')
    expect(start.parentSpanId).toBe(stats.rootSpanId)
    expect(start.attributes['hono_debug_toolbar.kind']).toBe('profiler')
    expect(offsetMs(start, serverOf(stats))).toBeCloseTo(0.5, 3)
    expect(BigInt(start.endTimeUnixNano!) - BigInt(start.startTimeUnixNano)).toBe(250_250_000n)
    expect(stats.convert.profiling.converted).toBe(1)
  })

  it("gives a profiled request's profiler start span the cost the Profile panel shows, and none to a request not profiled", async () => {
    const { app } = makeApp()
    app.get('/', (c) => c.text('ok'))
    const spansOf = async (path: string) => {
      const res = await app.request(path, undefined, loopback)
      await res.text()
      const detail = await (await app.request(`/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`, undefined, loopback)).json()
      return { profiling: detail.panels.profiling as { startCostMs: number }, stats: await withSpans(app, detail.panels.opentelemetry as OpenTelemetryStats) }
    }
    const profiled = await spansOf('/?_dt_profile=1')
    expect(profiled.stats.spans.map((s) => s.name)).toContain('CPU profiler start')
    const start = named(profiled.stats, 'CPU profiler start')
    expect(ms(start.endTimeUnixNano!) - ms(start.startTimeUnixNano)).toBeCloseTo(profiled.profiling.startCostMs, 2)
    expect(offsetMs(start, serverOf(profiled.stats))).toBeGreaterThanOrEqual(0)
    expect(BigInt(start.endTimeUnixNano!)).toBeLessThanOrEqual(BigInt(serverOf(profiled.stats).endTimeUnixNano!))

    const plain = await spansOf('/')
    expect(plain.stats.spans.map((s) => s.name)).toEqual(['GET /'])
  })

  it('says on the SERVER span how many hot frames past the 200 longest did not become spans', async () => {
    const { app, run } = makeApp({ profileSpanThresholdMs: 1 })
    const node = (id: number, functionName: string, lineNumber: number) => ({
      id, callFrame: { functionName, scriptId: '1', url: 'file:///srv/app/rows.js', lineNumber, columnNumber: 4 },
    })
    app.get('/', (c) => {
      // 210 functions one after another, each on the stack for 1.5 ms (three samples of 500 µs).
      const steps = Array.from({ length: 210 }, (_, i) => node(i + 2, `row${i}`, i))
      const profile: RecordedProfile = {
        profile: {
          nodes: [node(1, '(root)', -1), ...steps],
          startTime: 0, endTime: 210 * 1500 + 500,
          samples: [...steps.flatMap((step) => [step.id, step.id, step.id]), 1],
          timeDeltas: Array.from({ length: 210 * 3 + 1 }, (_, i) => (i === 0 ? 0 : 500)),
        },
        startMs: 1, samplingIntervalUs: 500, skipped: undefined,
      }
      currentRecord()!.slot(SLOTS.profiling, () => profile)
      return c.text('ok')
    })
    const stats = await run('/')
    expect(stats.convert.profiling.converted).toBe(200)
    expect(serverOf(stats).attributes['profile.frames.left_out']).toBe(10)
  })

  it("makes one span per stretch an app function stayed on the stack, nested under its app caller, not one per leaf sample", async () => {
    const { app, run } = makeApp({ profileSpanThresholdMs: 1 })
    const routes = 'file:///srv/app/routes.js'
    // A handler sorting rows: V8's sort calls the app's comparator, and the collector runs
    // in between. Samples every 500 µs; the handler is entered through Hono (a dependency).
    serveProfile(
      app,
      [
        node(1, '(root)', '', -1, [2, 7, 8]),
        node(2, 'dispatch', 'file:///srv/app/node_modules/hono/dist/compose.js', 20, [3]),
        node(3, 'listUsers', routes, 9, [4, 9]),
        node(4, 'sortRows', routes, 19, [5]),
        node(5, 'sort', '', -1, [6]),
        node(6, '', routes, 20),
        node(7, '(garbage collector)', '', -1),
        node(8, '(idle)', '', -1),
        node(9, 'hashSync', 'file:///srv/app/node_modules/bcryptjs/index.js', 30, [10]),
        node(10, '_crypt', 'file:///srv/app/node_modules/bcryptjs/index.js', 90),
      ],
      [4, 5, 6, 5, 6, 7, 7, 5, 6, 5, 3, 10, 10, 3, 8, 8],
    )
    const stats = await run('/')
    const server = serverOf(stats)
    const profiled = stats.spans.filter((s) => s.attributes['code.function.name'] !== undefined)
    // Hono's dispatch (which called the app), V8's sort, the collector, bcrypt's internals and
    // the comparator's half-millisecond calls make no span of their own.
    expect(profiled.map((s) => s.name)).toEqual(['listUsers', 'sortRows', 'hashSync'])
    const [handler, sort, hash] = profiled as [ToolbarSpan, ToolbarSpan, ToolbarSpan]
    expect(offsetMs(handler, server)).toBeCloseTo(10, 2)
    // Until the idle samples: the collector, the comparator and bcrypt were working for it.
    expect(ms(handler.endTimeUnixNano!) - ms(handler.startTimeUnixNano)).toBeCloseTo(7, 2)
    expect(handler.parentSpanId).toBe(server.spanId)
    expect(offsetMs(hash, server)).toBeCloseTo(15.5, 2)
    expect(ms(hash.endTimeUnixNano!) - ms(hash.startTimeUnixNano)).toBeCloseTo(1, 2)
    expect(hash.parentSpanId).toBe(handler.spanId)
    expect(hash.attributes['code.file.path']).toBe('/srv/app/node_modules/bcryptjs/index.js')
    expect(offsetMs(sort, server)).toBeCloseTo(10, 2)
    expect(ms(sort.endTimeUnixNano!) - ms(sort.startTimeUnixNano)).toBeCloseTo(5, 2)
    expect(sort.parentSpanId).toBe(handler.spanId)
    expect(sort.attributes['code.line.number']).toBe(20)
    // Sampled self time, as the Profile panel counts it: samples with the function itself on
    // top of the stack, each until the next. The handler's 2 (5.0, 6.5), sortRows' 1 (0.0);
    // bcrypt's time is its internals', not hashSync's.
    expect([handler, sort, hash].map((s) => s.attributes['profile.sampled_self_ms'])).toEqual([1, 0.5, 0])
  })

  it("gives a handler's loop that V8 sampled as (program) to the handler that runs on after it, as it does the time a function ends in", async () => {
    const { app, run } = makeApp({ profileSpanThresholdMs: 1 })
    const routes = 'file:///srv/app/routes.js'
    // What /slow's profile is once its loop is optimised: the handler, resumed by a timer
    // after an await, runs the loop in code V8 optimised on the way in (on-stack
    // replacement), and every sample of it reads (program); the handler's own frame shows
    // only after the loop, when it logs; V8 works on for 1 ms before the thread idles.
    // Samples every 500 µs.
    serveProfile(
      app,
      [
        node(1, '(root)', '', -1, [2, 5, 6]),
        node(2, 'processTimers', 'node:internal/timers', 500, [3]),
        node(3, '', routes, 7, [4]),
        node(4, 'log', 'node:internal/console/constructor', 370),
        node(5, '(program)', '', -1),
        node(6, '(idle)', '', -1),
      ],
      [6, 6, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 3, 4, 5, 5, 6],
    )
    const stats = await run('/')
    const server = serverOf(stats)
    const profiled = stats.spans.filter((s) => s.attributes['code.function.name'] !== undefined)
    expect(profiled.map((s) => s.name)).toEqual(['(anonymous) routes.js:8'])
    const [handler] = profiled as [ToolbarSpan]
    // From the first (program) sample, 1 ms in, to the (program) samples after the log: the
    // loop and the log.
    expect(offsetMs(handler, server)).toBeCloseTo(11, 2)
    expect(ms(handler.endTimeUnixNano!) - ms(handler.startTimeUnixNano)).toBeCloseTo(10, 2)
    // Its own time is still only what its samples say: the one with it on top.
    expect(handler.attributes['profile.sampled_self_ms']).toBe(0.5)
    // Its samples are those of its stretch, the (program) ones at its start too, not the two
    // after its end: one every 500 µs, as the critical path reads how exact its edges are
    // (sampledEdgeNs), not 2 over 10 ms.
    expect(handler.attributes['profile.samples']).toBe(20)
  })

  it('converts only what the convert option allows', async () => {
    const { app, run } = makeApp({ convert: { sql: false, logging: false } })
    app.get('/', (c) => {
      recordQuery({ sql: 'SELECT 1', params: [], durationMs: 1, dbSystem: 'sqlite' })
      recordLog('info', 'hello')
      return c.text('ok')
    })
    const stats = await run('/')
    expect(stats.spans.map((s) => s.name)).toEqual(['GET /'])
    expect(serverOf(stats).events).toEqual([])
    expect(stats.convert.sql).toEqual({ enabled: false, converted: 0 })
  })
})

describe('work the request left running', () => {
  /** A route that answers, then logs and queries once `release()` is called, as apps send mail after the answer. */
  function leftRunning(options: ConstructorParameters<typeof OpenTelemetryPanel>[0] = {}, inAppSpan = false) {
    const { app } = makeApp(options)
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    let done!: Promise<void>
    const work = () => {
      recordLog('warn', 'welcome email failed: SMTP 421', { attempt: 2, password: 'hunter2' })
      recordQuery({ sql: 'INSERT INTO outbox (kind) VALUES (?)', params: ['welcome'], durationMs: 1.5, dbSystem: 'sqlite' })
    }
    app.post('/signup', (c) => {
      done = released.then(() => {
        if (!inAppSpan) return work()
        return trace.getTracer('shop').startActiveSpan('send welcome email', (span) => {
          work()
          span.end()
        })
      })
      return c.text('ok')
    })
    const run = async () => {
      const res = await app.request('/signup', { method: 'POST' }, loopback)
      await res.text()
      const detailPath = `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`
      const read = async () => withSpans(app, (await (await app.request(detailPath, undefined, loopback)).json()).panels.opentelemetry as OpenTelemetryStats)
      // Read as the toolbar in the page does, as soon as the page has loaded.
      const early = await read()
      release()
      await done
      return { early, later: await read() }
    }
    return { run }
  }

  it('exports a line logged and a query run after the response as spans of the request, at their real times', async () => {
    const { early, later } = await leftRunning().run()
    expect(early.spans.map((s) => s.name)).toEqual(['POST /signup'])
    const server = serverOf(later)
    const query = named(later, 'INSERT outbox')
    expect(query).toMatchObject({ kind: 'CLIENT', parentSpanId: server.spanId })
    expect(ms(query.startTimeUnixNano)).toBeGreaterThanOrEqual(ms(server.endTimeUnixNano!))
    expect(ms(query.endTimeUnixNano!) - ms(query.startTimeUnixNano)).toBeCloseTo(1.5, 2)
    // The SERVER span has ended: the line goes on a zero-length span of its own under it.
    const holder = named(later, 'log warn')
    expect(holder.parentSpanId).toBe(server.spanId)
    expect(holder.events).toEqual([
      expect.objectContaining({ name: 'log', attributes: expect.objectContaining({ 'log.severity': 'warn', 'log.message': 'welcome email failed: SMTP 421', attempt: 2, password: '********' }) }),
    ])
    expect(later.lateSpans).toBe(2)
    expect(later.convert.sql).toEqual({ enabled: true, converted: 1 })
    expect(later.convert.logging).toEqual({ enabled: true, converted: 1 })
  })

  it('puts them in the span the app opened for that work', async () => {
    const { later } = await leftRunning({}, true).run()
    const email = named(later, 'send welcome email')
    expect(email.parentSpanId).toBe(serverOf(later).spanId)
    expect(named(later, 'INSERT outbox').parentSpanId).toBe(email.spanId)
    expect(email.events.map((e) => e.attributes['log.message'])).toEqual(['welcome email failed: SMTP 421'])
    expect(later.spans.some((s) => s.name.startsWith('log'))).toBe(false)
  })

  it('exports once a render that started before the response and ended after it', async () => {
    const { app } = makeApp()
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    let rendered!: Promise<string>
    app.get('/receipt', (c) => {
      // The receipt's email is rendered from a promise the handler does not await.
      rendered = renderTemplate('receipt email', async () => {
        await released
        return '<p>thanks</p>'
      })
      return c.text('ok')
    })
    const res = await app.request('/receipt', undefined, loopback)
    await res.text()
    release()
    await rendered
    const detail = await (await app.request(`/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`, undefined, loopback)).json()
    const stats = await withSpans(app, detail.panels.opentelemetry as OpenTelemetryStats)
    expect(stats.spans.filter((s) => s.name === 'render receipt email')).toHaveLength(1)
    expect(stats.convert.templates).toEqual({ enabled: true, converted: 1 })
  })

  it('names a line logged after the response with no span of the app open by its level, and shows the line on that span', async () => {
    const { later } = await leftRunning().run()
    const server = serverOf(later)
    const line = named(later, 'log warn')
    const shown = { 'log.severity': 'warn', 'log.message': 'welcome email failed: SMTP 421', 'log.source': 'recordLog', attempt: 2, password: '********' }
    // Zipkin keeps a span's attributes but only the names of its events: the line is on the span itself too.
    expect(line).toMatchObject({ kind: 'INTERNAL', parentSpanId: server.spanId, attributes: shown })
    expect(line.endTimeUnixNano).toBe(line.startTimeUnixNano)
    expect(line.events).toEqual([expect.objectContaining({ name: 'log', attributes: expect.objectContaining(shown) })])
    expect(later.spans.some((s) => s.name === 'log')).toBe(false)
  })

  it('nests what a render made after the response logged, queried and rendered under that render', async () => {
    const { app } = makeApp()
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    let done!: Promise<unknown>
    const receipt = () => renderTemplate('receipt email', async () => {
      recordLog('info', 'rendering the receipt of order 7')
      const started = performance.now()
      await sleep(1)
      recordQuery({ sql: 'SELECT name FROM products WHERE id = ?', params: [3], startTime: started, durationMs: performance.now() - started, dbSystem: 'sqlite' })
      const items = await renderTemplate('line items', async () => {
        recordLog('debug', '3 line items')
        await sleep(2)
        return '<li>tea</li>'
      })
      await sleep(2)
      return `<ul>${items}</ul>`
    })
    app.post('/order', (c) => {
      // One receipt rendered by work the request left running, one inside a span the app opened for it.
      done = released.then(async () => {
        await receipt()
        await trace.getTracer('shop').startActiveSpan('send receipt', async (span) => {
          await receipt()
          span.end()
        })
      })
      return c.text('ok')
    })
    const res = await app.request('/order', { method: 'POST' }, loopback)
    await res.text()
    release()
    await done
    const detail = await (await app.request(`/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`, undefined, loopback)).json()
    const stats = await withSpans(app, detail.panels.opentelemetry as OpenTelemetryStats)
    const server = serverOf(stats)
    const send = named(stats, 'send receipt')
    const emails = stats.spans.filter((s) => s.name === 'render receipt email')
    expect(emails.map((s) => s.parentSpanId)).toEqual([server.spanId, send.spanId])
    for (const email of emails) {
      const children = stats.spans.filter((s) => s.parentSpanId === email.spanId)
      expect(children.map((s) => s.name).sort()).toEqual(['SELECT products', 'render line items'])
      expect(email.events.map((e) => e.attributes['log.message'])).toEqual(['rendering the receipt of order 7'])
      const items = children.find((s) => s.name === 'render line items')!
      expect(items.events.map((e) => e.attributes['log.message'])).toEqual(['3 line items'])
    }
    expect(send.events).toEqual([])
    expect(stats.spans.filter((s) => s.name.startsWith('log'))).toEqual([])
    expect(stats.convert).toMatchObject({ templates: { converted: 4 }, sql: { converted: 2 }, logging: { converted: 4 } })
  })

  it('leaves out what the convert option leaves out, and what comes after the late window', async () => {
    const off = await leftRunning({ convert: { sql: false, logging: false } }).run()
    expect(off.later.spans.map((s) => s.name)).toEqual(['POST /signup'])
    const { app } = makeApp({ gracePeriodMs: 50 })
    let done!: Promise<void>
    app.get('/', (c) => {
      done = sleep(120).then(() => recordQuery({ sql: 'SELECT 1', durationMs: 1, dbSystem: 'sqlite' }))
      return c.text('ok')
    })
    const res = await app.request('/', undefined, loopback)
    await res.text()
    await done
    const detail = await (await app.request(`/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`, undefined, loopback)).json()
    expect((detail.panels.opentelemetry as OpenTelemetryStats).convert.sql.converted).toBe(0)
  })
})
