/**
 * An app that opens spans of its own (`tracer.startActiveSpan('charge card', ...)`) and times
 * renders (`renderTemplate`), nested in each other in any way, one after the other or side by
 * side, and queries and logs inside them: in the waterfall (and in Jaeger) each query's span,
 * each log line and each render's span is under the innermost span or render it was made in,
 * not beside it under the request's span. The app's spans themselves stay where
 * OpenTelemetry put them (under the app's span they were opened in, else the request's: a
 * render is not a span until the request ends). fast-check writes the apps.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, it } from 'vitest'
import fc from 'fast-check'
import { Hono } from 'hono'
import { trace } from '@opentelemetry/api'
import { debugToolbar, LoggingPanel, recordLog, recordQuery, renderTemplate, SqlPanel, TemplatesPanel } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import type { ToolbarSpan } from '../../src/core/span-model.js'
import { request } from '../support/local.js'

interface Step {
  kind: 'span' | 'render' | 'query' | 'log'
  wait: number
  together: boolean
  children: Step[]
}

const stepOf = (depth: number): fc.Arbitrary<Step> =>
  fc.record({
    kind: depth === 0 ? fc.constantFrom('query' as const, 'log' as const) : fc.constantFrom('span' as const, 'render' as const, 'query' as const, 'log' as const),
    wait: fc.integer({ min: 0, max: 2 }),
    together: fc.boolean(),
    children: depth === 0 ? fc.constant([]) : fc.array(stepOf(depth - 1), { maxLength: 3 }),
  })

interface Named {
  name: string
  kind: Step['kind']
  /** The name of what it is expected under: the span, render or request span. */
  under: string
}

const tracer = trace.getTracer('shop')

/** Runs the steps; `names` gets each one's name and where it should show. */
async function run(steps: Step[], names: Named[], innermost: string, innermostSpan: string): Promise<void> {
  const one = async (step: Step) => {
    await sleep(step.wait)
    const name = `${step.kind}${names.length}`
    if (step.kind === 'query') {
      names.push({ name, kind: 'query', under: innermost })
      recordQuery({ sql: `SELECT * FROM ${name}`, dbSystem: 'postgresql', durationMs: 0.1 })
    } else if (step.kind === 'log') {
      names.push({ name, kind: 'log', under: innermost })
      recordLog('info', name)
    } else if (step.kind === 'render') {
      names.push({ name, kind: 'render', under: innermost })
      await renderTemplate(name, () => run(step.children, names, `render ${name}`, innermostSpan))
    } else {
      // OpenTelemetry knows only spans: a span opened in a render is under the span around the render.
      names.push({ name, kind: 'span', under: innermostSpan })
      await tracer.startActiveSpan(name, async (span) => {
        await run(step.children, names, name, name)
        span.end()
      })
    }
  }
  if (steps.length > 0 && steps[0]!.together) await Promise.all(steps.map(one))
  else for (const step of steps) await one(step)
}

describe("an app's own spans and renders, with queries and logs in them", () => {
  it('have each query, log line and render under the innermost span or render it was made in', async () => {
    let current: Step[] = []
    let names: Named[] = []
    const app = new Hono()
    app.use(debugToolbar({ panels: [new TemplatesPanel(), new SqlPanel(), new LoggingPanel()], extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'app-span-nesting' })] }))
    app.get('/', async (c) => {
      await run(current, names, 'GET /', 'GET /')
      return c.text('ok')
    })
    await fc.assert(
      fc.asyncProperty(fc.array(stepOf(3), { minLength: 1, maxLength: 3 }), async (steps) => {
        current = steps
        names = []
        const res = await request(app, '/')
        const detail = (await request(app, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
        const { spans } = (await request(app, `/_debug_toolbar/api/traces/${detail.traceId}`)).json() as { spans: ToolbarSpan[] }
        const byId = new Map(spans.map((s) => [s.spanId, s]))
        const parentName = (span: ToolbarSpan | undefined) => byId.get(span?.parentSpanId ?? '')?.name
        const shown = (n: Named): string | undefined => {
          if (n.kind === 'query') return parentName(spans.find((s) => s.attributes['db.query.text'] === `SELECT * FROM ${n.name}`))
          if (n.kind === 'render') return parentName(spans.find((s) => s.name === `render ${n.name}`))
          if (n.kind === 'span') return parentName(spans.find((s) => s.name === n.name))
          // A log line is an event of the span it was written in, or of a `log info` span under an app's span that has ended.
          const holder = spans.find((s) => s.events.some((e) => e.attributes['log.message'] === n.name))
          return holder?.name === 'log info' ? parentName(holder) : holder?.name
        }
        for (const n of names) {
          const where = shown(n)
          if (where !== n.under) throw new Error(`${n.kind} ${n.name} is under ${where ?? 'nothing'}, made in ${n.under}: ${JSON.stringify(spans.map((s) => [s.name, parentName(s)]))}`)
        }
        return true
      }),
      { numRuns: 100 },
    )
  })
})
