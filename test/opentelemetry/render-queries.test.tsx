/** @jsxImportSource hono/jsx */
// A page of async components that render side by side (hono/jsx renders an element's async
// children together) and query the database between their awaits: in the waterfall (and in
// Jaeger) each query's span is under the render span of the component that ran it, whichever
// other render was going on at the time. fast-check writes the trees and the waits.
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, it } from 'vitest'
import fc from 'fast-check'
import { Hono } from 'hono'
import { jsxRenderer } from 'hono/jsx-renderer'
import { debugToolbar, recordQuery, SqlPanel, TemplatesPanel, timedComponent } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import type { ToolbarSpan } from '../../src/core/span-model.js'
import { request } from '../support/local.js'

interface Tree {
  /** Milliseconds the component waits before its query, and after it. */
  before: number
  after: number
  children: Tree[]
}

const treeOf = (depth: number): fc.Arbitrary<Tree> =>
  fc.record({
    before: fc.integer({ min: 0, max: 4 }),
    after: fc.integer({ min: 0, max: 4 }),
    children: depth === 0 ? fc.constant([]) : fc.array(treeOf(depth - 1), { maxLength: 3 }),
  })

/** Components named C0, C1... in the order of the tree; each queries once, naming itself. */
function components(t: Tree, names: { next: number }): () => unknown {
  const name = `C${names.next++}`
  const children = t.children.map((child) => components(child, names))
  return timedComponent(name, async () => {
    await sleep(t.before)
    const started = performance.now()
    await sleep(1)
    recordQuery({ sql: `SELECT * FROM ${name.toLowerCase()}`, dbSystem: 'postgresql', startTime: started, durationMs: performance.now() - started })
    await sleep(t.after)
    return (
      <div data-name={name}>
        {children.map((Child) => (
          <Child />
        ))}
      </div>
    )
  })
}

const count = (t: Tree): number => 1 + t.children.reduce((sum, child) => sum + count(child), 0)

describe('queries made in async components rendered side by side', () => {
  it('are each under the render span of the component that made them', async () => {
    let current: Tree = { before: 0, after: 0, children: [] }
    const app = new Hono()
    app.use(debugToolbar({ panels: [new TemplatesPanel(), new SqlPanel()], extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'render-queries' })] }))
    app.use(jsxRenderer(({ children }) => (
      <html>
        <body>{children}</body>
      </html>
    )))
    app.get('/', (c) => {
      const Root = components(current, { next: 0 }) as () => null
      return c.render(<Root />)
    })
    await fc.assert(
      fc.asyncProperty(treeOf(2), async (t) => {
        current = t
        const res = await request(app, '/')
        await res.text
        const detail = (await request(app, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
        const { spans } = (await request(app, `/_debug_toolbar/api/traces/${detail.traceId}`)).json() as { spans: ToolbarSpan[] }
        const byId = new Map(spans.map((s) => [s.spanId, s]))
        const queries = spans.filter((s) => s.kind === 'CLIENT')
        if (queries.length !== count(t)) throw new Error(`${queries.length} query spans for ${count(t)} components`)
        for (const query of queries) {
          const component = String(query.attributes['db.query.text']).replace('SELECT * FROM c', 'C')
          const parent = byId.get(query.parentSpanId ?? '')
          if (parent?.name !== `render ${component}`) throw new Error(`the query of ${component} is under ${parent?.name ?? 'nothing'}: ${JSON.stringify(spans.map((s) => [s.name, s.startTimeUnixNano.slice(-9, -3), s.endTimeUnixNano?.slice(-9, -3)]))}`)
        }
        return true
      }),
      { numRuns: 40 },
    )
  })
})
