// Whatever an app times with hono/timing (metrics set with values or durations, timers started
// and ended or left running, descriptions with quotes, commas and semicolons), and
// whichever of the two middlewares comes first, the response's Server-Timing is the app's own
// header as hono/timing writes it without the toolbar, with the toolbar's entries beside it, and
// the Timer panel lists each metric. fast-check writes the timings.
import { describe, it } from 'vitest'
import fc from 'fast-check'
import { Hono, type Context } from 'hono'
import { endTime, setMetric, startTime, timing } from 'hono/timing'
import { debugToolbar, type TimerStats } from '../../src/index.js'
import { request } from '../support/local.js'

type Step =
  | { kind: 'value'; name: string; value: string | number; description?: string }
  | { kind: 'timer'; name: string; description?: string; end: boolean }

// Metric names are tokens (the Server-Timing syntax); hono/timing writes any other as it is,
// which no reader of the header, devtools included, reads back whole.
const name = fc.constantFrom('db', 'cache', 'render', 'region', 'cache-hit', 'db.query', 'a_b')
const description = fc.option(fc.constantFrom('primary', 'eu, "west"; zone b', 'a\\b', '', 'semi;colon'), { nil: undefined })
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ name, value: fc.oneof(fc.constantFrom('eu-west; zone b', 'plain'), fc.integer({ min: 0, max: 100 })), description }).map((s): Step => ({ kind: 'value', ...s })),
  fc.record({ name, description, end: fc.boolean() }).map((s): Step => ({ kind: 'timer', ...s })),
)

function play(c: Context, steps: Step[]): void {
  for (const s of steps) {
    if (s.kind === 'value') {
      if (typeof s.value === 'number') setMetric(c, s.name, s.value, s.description)
      else setMetric(c, s.name, s.value)
    } else {
      startTime(c, s.name, s.description)
      if (s.end) endTime(c, s.name)
    }
  }
}

function app(steps: () => Step[], order: 'toolbar first' | 'timing first' | 'no toolbar'): Hono {
  const a = new Hono()
  if (order === 'toolbar first') a.use(debugToolbar())
  a.use(timing())
  if (order === 'timing first') a.use(debugToolbar())
  a.get('/', (c) => {
    play(c, steps())
    return c.text('ok')
  })
  return a
}

// Durations differ from one run to the next: compared as written, their figures aside.
const shape = (header: string | null) => (header ?? '').replace(/dur=[\d.]+/g, 'dur=N')

describe("an app's hono/timing metrics", () => {
  it('go out as without the toolbar, its own entries beside them, and show in the Timer panel', async () => {
    let steps: Step[] = []
    const plain = app(() => steps, 'no toolbar')
    const apps = [app(() => steps, 'toolbar first'), app(() => steps, 'timing first')]
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 6 }), async (drawn) => {
        steps = drawn
        const expected = shape((await request(plain, '/')).headers.get('server-timing'))
        for (const a of apps) {
          const res = await request(a, '/')
          const sent = shape(res.headers.get('server-timing'))
          // The toolbar's own entries (hdt-*: they come after the app's, or before hono/timing's
          // `total` when hono/timing runs first and adds it last), taken out: the app's are left as written.
          const appPart = sent.replace(/(?:^|,\s*)hdt-[a-z]+;dur=N;desc="[^"]*"/g, '').replace(/^,\s*/, '')
          if (appPart !== expected) throw new Error(`sent ${JSON.stringify(sent)} against ${JSON.stringify(expected)}`)
          const detail = (await request(a, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
          const metrics = (detail.panels.timer as TimerStats).metrics.map((m) => m.name)
          // Every metric the app set or timed is in the panel (hono/timing's `total` aside: the panel has its own).
          if (!drawn.every((d) => metrics.includes(d.name))) throw new Error(`panel ${JSON.stringify(metrics)} against ${JSON.stringify(drawn.map((d) => d.name))}`)
        }
        return true
      }),
      { numRuns: 300 },
    )
  })
})
