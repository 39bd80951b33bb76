/** @jsxImportSource hono/jsx */
// Whatever tree of timed components a page renders (sync and async ones, nested, text with
// markup), the page is the one the same components give without the toolbar (but for the
// loader tag), and the Templates panel shows one render per component rendered, each under
// the component that rendered it and within its time. fast-check writes the trees.
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, it } from 'vitest'
import fc from 'fast-check'
import { Hono } from 'hono'
import { jsxRenderer } from 'hono/jsx-renderer'
import { debugToolbar, TemplatesPanel, timedComponent, type TemplatesStats } from '../../src/index.js'
import { request } from '../support/local.js'

interface Tree {
  name: string
  text: string
  async: boolean
  children: Tree[]
}

// Up to three levels of up to three children each.
const treeOf = (depth: number): fc.Arbitrary<Tree> =>
  fc.record({
    name: fc.constantFrom('Page', 'List', 'Row', 'Badge', 'Card'),
    text: fc.oneof(fc.string({ maxLength: 8 }), fc.constant('<b>&"x"</b>')),
    async: fc.boolean(),
    children: depth === 0 ? fc.constant([]) : fc.array(treeOf(depth - 1), { maxLength: 3 }),
  })
const tree = treeOf(3)

const count = (t: Tree): number => 1 + t.children.reduce((sum, child) => sum + count(child), 0)

// One component per tree node, as an app writes them, wrapped or not.
function component(t: Tree, timed: boolean): () => unknown {
  const children = t.children.map((child) => component(child, timed))
  const body = () => (
    <section data-name={t.name}>
      <h2>{t.text}</h2>
      {children.map((Child) => (
        <Child />
      ))}
    </section>
  )
  const plain = t.async
    ? async () => {
        await sleep(0)
        return body()
      }
    : body
  return timed ? timedComponent(t.name, plain) : plain
}

function appFor(render: () => Tree, toolbar: boolean): Hono {
  const app = new Hono()
  if (toolbar) app.use(debugToolbar({ panels: [new TemplatesPanel()] }))
  app.use(jsxRenderer(({ children }) => (
    <html>
      <body>{children}</body>
    </html>
  )))
  app.get('/', (c) => {
    const Root = component(render(), toolbar) as () => null
    return c.render(<Root />)
  })
  return app
}

describe('a page of timed components', () => {
  it('is the page the same components give without the toolbar, and each render shows under its parent, within its time', async () => {
    let current: Tree = { name: 'Page', text: '', async: false, children: [] }
    const plain = appFor(() => current, false)
    const recorded = appFor(() => current, true)
    await fc.assert(
      fc.asyncProperty(tree, async (t) => {
        current = t
        const expected = (await request(plain, '/')).text
        const res = await request(recorded, '/')
        if (res.text.replace(/<script src="\/_debug_toolbar[^>]*><\/script>/, '') !== expected) {
          throw new Error(`page ${JSON.stringify(res.text.slice(0, 300))} against ${JSON.stringify(expected.slice(0, 300))}`)
        }
        const detail = (await request(recorded, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
        const { renders } = detail.panels.templates as TemplatesStats
        // The page's own render (`c.render /`) at the top, and one per component under it.
        const roots = renders.filter((r) => r.parentId === undefined)
        if (roots.length !== 1 || roots[0]!.name !== 'c.render /' || renders.length !== count(t) + 1) {
          throw new Error(`${renders.length} renders for ${count(t)} components: ${JSON.stringify(renders.map((r) => [r.name, r.depth]))}`)
        }
        const byId = new Map(renders.map((r) => [r.id, r]))
        return renders.every((r) => {
          if (r.parentId === undefined) return true
          const parent = byId.get(r.parentId)
          if (!parent || r.depth !== parent.depth + 1 || r.startMs < parent.startMs) return false
          return parent.durationMs === undefined || r.durationMs === undefined || r.startMs + r.durationMs <= parent.startMs + parent.durationMs + 0.01
        })
      }),
      { numRuns: 150 },
    )
  })
})
