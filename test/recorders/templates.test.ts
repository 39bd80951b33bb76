import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { debugToolbar, Panel, renderTemplate, slotKey, SLOTS, TemplatesPanel, type RecordedRender, type RequestRecord, type SlotKey, type TemplatesStats } from '../../src/index.js'
import { request } from '../support/local.js'
import { heapAfterGc } from '../support/heap.js'

function appWithTemplates(panel = new TemplatesPanel()) {
  const app = new Hono()
  app.use(debugToolbar({ panels: [panel] }))
  return app
}

async function rendersOf(app: Hono, path: string) {
  const res = await request(app, path)
  const id = res.headers.get('x-debug-toolbar-request-id')
  const detail = (await request(app, `/_debug_toolbar/api/requests/${id}`)).json()
  return { res, detail, stats: detail.panels.templates as TemplatesStats }
}

const tree = (stats: TemplatesStats) => stats.renders.map((r) => `${'  '.repeat(r.depth)}${r.name}`)

describe('renderTemplate', () => {
  it('times sync renders and nests partials under the layout that rendered them', async () => {
    const app = appWithTemplates()
    const partial = (name: string) => renderTemplate(name, () => `<p>${name}</p>`)
    app.get('/', (c) => {
      const page = renderTemplate('layout', () => `<main>${partial('header')}${renderTemplate('list', () => partial('item'))}</main>`)
      const footer = renderTemplate('footer', () => '<footer></footer>')
      return c.text(page + footer)
    })
    const { res, stats } = await rendersOf(app, '/')
    expect(res.text).toBe('<main><p>header</p><p>item</p></main><footer></footer>')
    expect(tree(stats)).toEqual(['layout', '  header', '  list', '    item', 'footer'])
    expect(stats.renders.map((r) => [r.id, r.parentId ?? null])).toEqual([
      [1, null],
      [2, 1],
      [3, 1],
      [4, 3],
      [5, null],
    ])
    const [layout, header, list, item, footer] = stats.renders
    // A child starts after its parent and ends before it.
    for (const [parent, child] of [[layout, header], [layout, list], [list, item]] as const) {
      expect(child!.startMs).toBeGreaterThanOrEqual(parent!.startMs)
      expect(child!.startMs + child!.durationMs!).toBeLessThanOrEqual(parent!.startMs + parent!.durationMs! + 1e-6)
    }
    expect(footer!.startMs).toBeGreaterThanOrEqual(layout!.startMs + layout!.durationMs!)
    expect(stats.totalMs).toBeCloseTo(layout!.durationMs! + footer!.durationMs!, 6)
  })

  it('times async renders until their promise settles, nesting across awaits and in parallel', async () => {
    const app = appWithTemplates()
    app.get('/', async (c) => {
      const page = await renderTemplate('page', async () => {
        await sleep(5)
        const [a, b] = await Promise.all([
          renderTemplate('card a', async () => (await sleep(3), 'a')),
          renderTemplate('card b', async () => (await sleep(1), 'b')),
        ])
        return `${a}${b}`
      })
      return c.text(page)
    })
    const { res, stats } = await rendersOf(app, '/')
    expect(res.text).toBe('ab')
    expect(tree(stats)).toEqual(['page', '  card a', '  card b'])
    const [page, a, b] = stats.renders
    expect(a!.parentId).toBe(page!.id)
    expect(b!.parentId).toBe(page!.id)
    // The page waited 5 ms before its cards, and covers both of them.
    expect(a!.startMs - page!.startMs).toBeGreaterThanOrEqual(4)
    expect(page!.durationMs!).toBeGreaterThanOrEqual(a!.startMs - page!.startMs + a!.durationMs!)
    expect(page!.durationMs!).toBeGreaterThanOrEqual(b!.startMs - page!.startMs + b!.durationMs!)
  })

  it('records errors of sync and async renders and rethrows them', async () => {
    const app = appWithTemplates()
    app.get('/', async (c) => {
      const caught: string[] = []
      try {
        renderTemplate('broken sync', () => {
          throw new Error('missing variable "user"')
        })
      } catch (error) {
        caught.push((error as Error).message)
      }
      await renderTemplate('broken async', async () => {
        await sleep(1)
        throw new TypeError('cannot read "name"')
      }).catch((error: Error) => caught.push(error.message))
      return c.json(caught)
    })
    const { res, stats } = await rendersOf(app, '/')
    expect(JSON.parse(res.text)).toEqual(['missing variable "user"', 'cannot read "name"'])
    expect(stats.renders.map((r) => [r.name, r.error])).toEqual([
      ['broken sync', 'missing variable "user"'],
      ['broken async', 'cannot read "name"'],
    ])
    expect(stats.renders.every((r) => typeof r.durationMs === 'number')).toBe(true)
  })

  it('rethrows what a render threw unchanged, even a value String() cannot convert', async () => {
    const app = appWithTemplates()
    const thrown = Object.create(null)
    app.get('/', (c) => {
      try {
        renderTemplate('odd', () => {
          throw thrown
        })
      } catch (error) {
        return c.text(error === thrown ? 'the same value' : `another value: ${error}`)
      }
      return c.text('not thrown')
    })
    const { res, stats } = await rendersOf(app, '/')
    expect(res.text).toBe('the same value')
    expect(stats.renders.map((r) => [r.name, r.error])).toEqual([['odd', '[object Object]']])
  })

  it('just calls the function outside a request', async () => {
    expect(renderTemplate('alone', () => 42)).toBe(42)
    await expect(renderTemplate('alone', async () => 'later')).resolves.toBe('later')
  })

  it('keeps maxRenders renders with unique ids and counts the rest', async () => {
    const app = appWithTemplates(new TemplatesPanel({ maxRenders: 2 }))
    app.get('/', (c) => {
      for (let i = 0; i < 5; i++) renderTemplate(`row ${i}`, () => i)
      return c.text('ok')
    })
    const { stats, detail } = await rendersOf(app, '/')
    expect(stats.renders.map((r) => r.name)).toEqual(['row 0', 'row 1'])
    expect(stats.dropped).toBe(3)
    expect(detail.nav.find((n: { id: string }) => n.id === 'templates').subtitle).toBe('5 renders')
  })

  it('cuts a very long template name or error message and says how much it left out', async () => {
    const app = appWithTemplates()
    app.get('/', (c) => {
      renderTemplate('n'.repeat(1_000_000), () => 'page')
      try {
        renderTemplate('broken', () => {
          throw new Error('e'.repeat(1_000_000))
        })
      } catch {}
      // The cut does not split the emoji at its end in two.
      renderTemplate(`${'a'.repeat(1023)}😀😀`, () => 'emoji')
      renderTemplate('t'.repeat(1024), () => 'just fits')
      return c.text('ok')
    })
    const { detail, stats } = await rendersOf(app, '/')
    expect(JSON.stringify(detail).length).toBeLessThan(20_000)
    const [long, broken, emoji, exact] = stats.renders
    expect(long!.name).toBe(`${'n'.repeat(1024)}… (998976 more characters)`)
    expect(broken!.error).toBe(`${'e'.repeat(8192)}… (991808 more characters)`)
    expect(emoji!.name).toBe(`${'a'.repeat(1023)}… (4 more characters)`)
    expect(exact!.name).toBe('t'.repeat(1024))
  })

  it('holds on to no more of a long name than it keeps, while the request is in the history', async () => {
    const app = appWithTemplates()
    let n = 0
    app.get('/', (c) => {
      renderTemplate(`${n++}`.padEnd(1_000_000, 'n'), () => 'page')
      return c.text('ok')
    })
    await rendersOf(app, '/')
    const before = heapAfterGc()
    const ids: string[] = []
    for (let i = 0; i < 40; i++) ids.push((await request(app, '/')).headers.get('x-debug-toolbar-request-id')!)
    // 40 names of a megabyte each, if the history held them.
    expect(heapAfterGc() - before).toBeLessThan(10_000_000)
    const last = (await request(app, `/_debug_toolbar/api/requests/${ids.at(-1)}`)).json().panels.templates as TemplatesStats
    expect(last.renders[0]!.name).toBe(`40${'n'.repeat(1022)}… (998976 more characters)`)
  })

  it('says what an HTTPException thrown without a message was: its status, not an empty message', async () => {
    const app = appWithTemplates()
    app.get('/', (c) => {
      try {
        renderTemplate('product', () => {
          throw new HTTPException(404)
        })
      } catch {}
      return c.text('ok')
    })
    const { stats } = await rendersOf(app, '/')
    expect(stats.renders[0]!.error).toBe('404 Not Found')
  })

  it('tells a panel a render made after the response started (onLateStart), and ended (onLateWrite), each once', async () => {
    const HEARD = slotKey<string[]>('late-renders.heard')
    // A panel of the app's own that lists what it heard of renders made after the response.
    class LateRendersPanel extends Panel<string[]> {
      readonly id = 'late-renders'
      readonly title = 'Late renders'
      onLateStart(record: RequestRecord, slot: SlotKey<unknown>, item: unknown) {
        const render = item as RecordedRender
        if (slot === SLOTS.templates) record.slot(HEARD, () => []).push(`${render.name} started, ${render.durationMs === undefined ? 'running' : 'ended'}`)
      }
      onLateWrite(record: RequestRecord, slot: SlotKey<unknown>, item: unknown) {
        const render = item as RecordedRender
        if (slot === SLOTS.templates) record.slot(HEARD, () => []).push(`${render.name} written, ${render.durationMs === undefined ? 'running' : 'ended'}`)
      }
      generateStats(record: RequestRecord) {
        return record.peek(HEARD) ?? []
      }
    }
    const app = new Hono()
    app.use(debugToolbar({ panels: [new TemplatesPanel(), new LateRendersPanel()] }))
    app.get('/', (c) => {
      void sleep(5).then(() => renderTemplate('receipt', () => sleep(5)))
      return c.text(renderTemplate('page', () => 'ok'))
    })
    const res = await request(app, '/')
    await sleep(60)
    const detail = (await request(app, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    expect(detail.panels['late-renders']).toEqual(['receipt started, running', 'receipt written, ended'])
    // The Templates panel counts the render once.
    expect((detail.panels.templates as TemplatesStats).renders.map((r) => r.name)).toEqual(['page', 'receipt'])
  })
})
