/**
 * How the demo app's toolbar reads, in a real browser: what it says once rather than twice,
 * what it shows for something that did not happen, and lines that stay readable in a
 * 600 px window.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/readability.test.ts
 */
import { randomBytes } from 'node:crypto'
import type { Locator, Page } from 'playwright-core'
import { beforeEach, describe, expect, it } from 'vitest'
// @ts-expect-error TS7016: no .d.ts beside the compiled demo
import { createApp as compiledCreateApp } from '../../dist/examples/basic/app.js'
import type { createApp as CreateApp } from '../../examples/basic/app.js'
import { openPanel, useBrowserSession, type ServedApp } from './harness.js'

const createApp: typeof CreateApp = compiledCreateApp
const WITHIN = { timeout: 10_000 }

let server: ServedApp
let page: Page
let errors: string[]

const session = useBrowserSession(() => createApp(), { width: 1440, height: 900 })
beforeEach(() => {
  ;({ server, page, errors } = session)
})

/** Loads `path` in the test's page (status 200). */
const open = (path: string) => session.open(path)

/** Sends the demo's new-user form as a browser would (the answer is a 303), with a fresh email. */
function postForm(name: string): Promise<Response> {
  const email = `${name.split(' ')[0]!.toLowerCase()}-${Date.now()}@example.com`
  return fetch(`${server.url}/form`, { method: 'POST', body: new URLSearchParams({ name, email }), redirect: 'manual' })
}

async function otelPane(): Promise<Locator> {
  const pane = await openPanel(page, 'OpenTelemetry')
  await pane.locator('.hdt-wf-row').first().waitFor(WITHIN)
  return pane
}

describe('the OpenTelemetry panel of the demo, which exports nothing', () => {
  it('says once that nothing is exported, beside the way to start Jaeger', async () => {
    await open('/users/1')
    const pane = await otelPane()
    expect(await pane.locator('[data-export="none"]').innerText()).toContain('Nothing is exported')
    // The same fact in a second line above it only made the header longer.
    expect(await pane.getByText(/exports no spans|nothing is exported/i).count()).toBe(1)
    expect(errors).toEqual([])
  })

  it('compares with a request of another route: a group that one side does not have shows a dash for its time, not 0 ns', async () => {
    await open('/')
    await open('/users/1')
    const pane = await otelPane()
    await pane.getByRole('tab', { name: 'Compare' }).click()
    const select = pane.getByLabel('Request to compare with')
    const home = select.locator('option', { hasText: /^GET \/ · / }).first()
    await home.waitFor({ state: 'attached', ...WITHIN })
    await select.selectOption((await home.getAttribute('value'))!)
    const route = pane.locator('.hdt-compare-groups tbody tr', { hasText: 'GET /users/:id' })
    // The comparison with the previous /users/:id request shows first; then the one with /.
    await expect.poll(async () => (await route.locator('td').allInnerTexts())[1], WITHIN).toBe('0')
    const cells = await route.locator('td').allInnerTexts()
    expect(cells.slice(0, 4)).toEqual(['demo-basic: GET /users/:id', '0', '1', '+1'])
    expect(cells[4]).toBe('—')
    expect(cells[5]).toMatch(/^[\d.]+ (µs|ms)$/)
    const homeRow = pane.locator('.hdt-compare-groups tbody tr').filter({ has: page.locator('td', { hasText: /^demo-basic: GET \/$/ }) })
    expect((await homeRow.locator('td').allInnerTexts()).slice(1)).toEqual(['1', '0', '−1', expect.stringMatching(/^[\d.]+ (µs|ms)$/), '—'])
    expect(await pane.locator('.hdt-compare-groups').innerText()).not.toContain('0 ns')
    expect(errors).toEqual([])
  })
})

describe('work a request left running: the demo sends a welcome email 200 ms after answering POST /form', () => {
  it('the SQL panel marks the query run after the response and draws its bar at the end of the time line, inside the track', async () => {
    const sent = await postForm('Grace Hopper')
    expect(sent.status).toBe(303)
    const id = sent.headers.get('x-debug-toolbar-request-id')
    expect(id).toBeTruthy()
    await page.goto(`${server.url}/_debug_toolbar/requests/${id}`)
    const body = await openPanel(page, 'SQL')
    const late = body.locator('.hdt-sql-queries tbody tr', { hasText: 'SELECT name, email' })
    // The email's query runs 200 ms after the answer; the panel reads the request again until it is there.
    await expect
      .poll(async () => {
        if (!(await late.count())) await page.reload().then(() => openPanel(page, 'SQL'))
        return late.count()
      }, WITHIN)
      .toBe(1)
    expect(await late.locator('td').nth(1).innerText()).toMatch(/^[\d.]+ ms\nafter the response$/)
    const insert = body.locator('.hdt-sql-queries tbody tr', { hasText: 'INSERT INTO users' })
    expect(await insert.locator('td').nth(1).innerText()).toMatch(/^[\d.]+ ms$/)
    const track = (await late.locator('.hdt-bar').boundingBox())!
    const bar = (await late.locator('.hdt-bar > span').boundingBox())!
    expect(bar.width).toBeGreaterThanOrEqual(1)
    expect(bar.x).toBeGreaterThanOrEqual(track.x)
    expect(bar.x + bar.width).toBeLessThanOrEqual(track.x + track.width + 0.5)
    // In a 600 px window the note wraps under the time rather than widening its column.
    await page.setViewportSize({ width: 600, height: 900 })
    const start = late.locator('td').nth(1)
    expect((await start.boundingBox())!.width).toBeLessThanOrEqual(90)
    expect((await late.locator('.hdt-sql-cell').boundingBox())!.width).toBeGreaterThanOrEqual(150)
    const lines = await late.locator('.hdt-sql-late').evaluate((e) => Math.round(e.getBoundingClientRect().height / Number.parseFloat(getComputedStyle(e).lineHeight)))
    expect(lines).toBeLessThanOrEqual(2)
    expect(errors).toEqual([])
  })

  it('the Logging panel marks the line logged after the response, and the note wraps under its time in a 600 px window', async () => {
    const sent = await postForm('Dorothy Vaughan')
    const id = sent.headers.get('x-debug-toolbar-request-id')
    await new Promise((resolve) => setTimeout(resolve, 400))
    await page.setViewportSize({ width: 600, height: 900 })
    await page.goto(`${server.url}/_debug_toolbar/requests/${id}`)
    const body = await openPanel(page, 'Logging')
    const late = body.locator('tbody tr', { hasText: 'welcome email' })
    await late.waitFor(WITHIN)
    const at = late.locator('td').first()
    expect(await at.innerText()).toMatch(/^[\d.]+ ms\nafter the\s+response$/)
    expect((await at.boundingBox())!.width).toBeLessThanOrEqual(90)
    // Two lines, not a tower of letters (the cell breaks long tokens anywhere).
    const lines = await late.locator('.hdt-log-late').evaluate((e) => Math.round(e.getBoundingClientRect().height / Number.parseFloat(getComputedStyle(e).lineHeight)))
    expect(lines).toBeLessThanOrEqual(2)
    expect(errors).toEqual([])
  })
})

describe('the Profile panel of /slow, profiled', () => {
  it('labels the flame chart with round times, on an axis as wide as the frames', async () => {
    await open('/slow?_dt_profile=1')
    const body = await openPanel(page, 'Profile')
    const axis = body.locator('.hdt-flame-axis')
    await axis.waitFor(WITHIN)
    const labels = await axis.locator('span').allInnerTexts()
    expect(labels.length).toBeGreaterThanOrEqual(2)
    // One unit for the whole axis, the one its latest time needs: ms while the profile ends in
    // the request's first second, s after it (a busy machine makes /slow slower).
    const id = await page.evaluate(() => document.querySelector('script[data-hdt-request-id]')?.getAttribute('data-hdt-request-id'))
    const profile = (await (await fetch(`${server.url}/_debug_toolbar/api/requests/${id}`)).json()).panels.profiling as { startMs: number; totalMs: number }
    const unit = profile.startMs + profile.totalMs >= 1000 ? 's' : 'ms'
    const values = labels.map((label) => {
      expect(label).toMatch(new RegExp(`^\\d+(\\.\\d+)? ${unit}$`))
      return Number.parseFloat(label)
    })
    // Evenly spaced by a step of 1, 2 or 5 times a power of ten, each a multiple of it.
    const step = values[1]! - values[0]!
    const mantissa = step / 10 ** Math.floor(Math.log10(step))
    expect([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6)).toBe(true)
    for (const [i, value] of values.entries()) {
      expect(value).toBeCloseTo(values[0]! + i * step, 6)
      expect(Math.abs(value / step - Math.round(value / step))).toBeLessThan(1e-6)
    }
    const axisBox = (await axis.boundingBox())!
    const frames = (await body.locator('.hdt-flame-frames').boundingBox())!
    expect(Math.abs(axisBox.x - frames.x)).toBeLessThanOrEqual(0.5)
    expect(Math.abs(axisBox.x + axisBox.width - (frames.x + frames.width))).toBeLessThanOrEqual(0.5)
    // No label reaches past the chart.
    for (const label of await axis.locator('span').all()) {
      const box = (await label.boundingBox())!
      expect(box.x).toBeGreaterThanOrEqual(frames.x - 0.5)
      expect(box.x + box.width).toBeLessThanOrEqual(frames.x + frames.width + 0.5)
    }
    expect(errors).toEqual([])
  })
})

describe('the waterfall of /slow, profiled', () => {
  it('names a hot anonymous function (the route handler) by its file and line in the TypeScript the demo is written in, not "(anonymous)" alone', async () => {
    await open('/slow?_dt_profile=1')
    const pane = await otelPane()
    const labels = async () => (await pane.locator('.hdt-wf-label').allTextContents()).map((l) => l.trim())
    // The handler calls a loop of square roots that is hot for about 50 ms, long enough for a
    // profiler starved of CPU on a loaded machine to sample it: the handler is on the stack
    // all that time, a span of the profile.
    await expect.poll(labels, WITHIN).toEqual(expect.arrayContaining([expect.stringMatching(/^\(anonymous\) app\.tsx:\d+$/)]))
    expect(await labels()).not.toContain('(anonymous)')
    expect(errors).toEqual([])
  })
})

describe('in a 600 px window', () => {
  it("the Traces list keeps a root span's route on one line", async () => {
    await page.setViewportSize({ width: 600, height: 900 })
    await open('/users/1')
    const body = await openPanel(page, 'History')
    const name = body.locator('tr[data-hdt-trace-row]', { hasText: 'GET /users/:id' }).first().locator('code')
    await name.waitFor(WITHIN)
    // One box per line the inline name takes: `GET` and `/users/:id` (or both on one line).
    const lines = await name.evaluate((element) => new Set([...element.getClientRects()].map((r) => Math.round(r.top))).size)
    expect(lines).toBeLessThanOrEqual(2)
    // The room came from the span count, now under the services.
    const trace = body.locator('tr[data-hdt-trace-row]', { hasText: 'GET /users/:id' }).first()
    expect(await trace.locator('.hdt-trace-services').innerText()).toMatch(/\n\d+ spans?$/)
    // Nothing reaches past the window's edge for it.
    const row = body.locator('tr[data-hdt-trace-row]').first()
    expect(((await row.boundingBox())?.x ?? 0) + ((await row.boundingBox())?.width ?? 0)).toBeLessThanOrEqual(600)
    expect(errors).toEqual([])
  })
})

describe("the sidebar's title", () => {
  it('stays whole at 800 px and narrower, in a sidebar no wider than before, on a page and in the full-page view', async () => {
    await open('/users/1')
    const id = await page.evaluate(() => document.querySelector('script[data-hdt-request-id]')?.getAttribute('data-hdt-request-id'))
    for (const path of ['/users/1', `/_debug_toolbar/requests/${id}`]) {
      for (const width of [800, 600]) {
        await page.setViewportSize({ width, height: 900 })
        await page.goto(`${server.url}${path}`)
        const sidebar = page.locator('#hono-debug-toolbar .hdt-sidebar')
        if (!(await sidebar.isVisible())) await page.locator('#hono-debug-toolbar .hdt-handle').click()
        const brand = sidebar.locator('.hdt-brand')
        await brand.waitFor(WITHIN)
        expect(await brand.innerText(), `${path} at ${width}px`).toMatch(/^DT\s+Hono Debug\s+Toolbar$/)
        // Nothing in it is cut: no ellipsis, no text past its box.
        const cut = await brand.evaluate((el) => [el, ...el.querySelectorAll('*')].filter((e) => e.scrollWidth > e.clientWidth + 0.5).length)
        expect(cut, `${path} at ${width}px`).toBe(0)
        const side = (await sidebar.boundingBox())!
        const box = (await brand.boundingBox())!
        expect(box.x).toBeGreaterThanOrEqual(side.x)
        expect(box.x + box.width).toBeLessThanOrEqual(side.x + side.width + 0.5)
        // The layout did not widen for it: below 800 px the sidebar is 176 px, as it was.
        expect(side.width, `${path} at ${width}px`).toBe(176)
        const hide = sidebar.locator('.hdt-hide')
        if (await hide.count()) {
          const button = (await hide.boundingBox())!
          expect(button.x + button.width).toBeLessThanOrEqual(side.x + side.width + 0.5)
        }
      }
    }
    expect(errors).toEqual([])
  })
})

describe('durations, written by one rule in every panel', () => {
  it('reads the same time for the same quantity in the SQL panel, its entry in the panel list and the waterfall; a time under 1 ms in µs', async () => {
    await open('/users/1')
    const sql = await openPanel(page, 'SQL')
    const summary = await sql.locator('.hdt-sql-summary').innerText()
    const total = /queries\s+in\s+([\d.]+ (?:ns|µs|ms|s))/.exec(summary)?.[1]
    expect(total, summary).toBeDefined()
    const subtitle = await page.locator('#hono-debug-toolbar .hdt-nav-item[data-hdt-panel="sql"] .hdt-nav-subtitle').innerText()
    expect(subtitle).toBe(`5 queries in ${total}`)
    const rows = sql.locator('.hdt-sql-queries tbody tr')
    const userQuery = rows.filter({ hasText: 'FROM users' }).first()
    // The start and the duration of every query.
    const durations = await rows.evaluateAll((trs) => trs.flatMap((tr) => [...tr.querySelectorAll('td.hdt-num')].slice(1, 3).map((td) => td.firstChild?.textContent?.trim() ?? '')))
    expect(durations).toHaveLength(10)
    for (const text of durations) {
      // Three significant digits, in the unit that puts the number between 1 and 999.
      expect(text).toMatch(/^(\d{1,3}|\d\.\d\d|\d\d\.\d) (ns|µs|ms|s)$/)
      expect(text).not.toMatch(/^0\./)
    }
    const queryTime = await userQuery.locator('td.hdt-num').nth(2).innerText()
    const otel = await otelPane()
    const span = otel.locator('.hdt-wf-row', { has: page.locator('.hdt-wf-label', { hasText: /^SELECT users$/ }) })
    expect(await span.locator('.hdt-wf-dur').innerText()).toBe(queryTime)
    expect(errors).toEqual([])
  })
})

describe('a request whose trace goes on after the response (POST /form sends an email 200 ms later)', () => {
  it('History and the Traces list say why their durations differ, and so does the OpenTelemetry panel', async () => {
    const sent = await postForm('Katherine Johnson')
    const id = sent.headers.get('x-debug-toolbar-request-id')!
    await new Promise((resolve) => setTimeout(resolve, 600))
    await page.goto(`${server.url}/_debug_toolbar/requests/${id}`)
    const history = await openPanel(page, 'History')
    const request = history.locator('tr', { has: page.locator('td', { hasText: /^POST$/ }) }).first()
    await request.waitFor(WITHIN)
    const answered = (await request.locator('td.hdt-num').first().innerText()).trim()
    expect(answered).toMatch(/ms$/)
    const trace = history.locator('tr[data-hdt-trace-row]', { hasText: 'POST /form' }).first()
    await trace.waitFor(WITHIN)
    const cell = trace.locator('td.hdt-num').last()
    await expect.poll(() => cell.innerText(), WITHIN).toMatch(new RegExp(`^[\\d.]+ (ms|s)\\nincludes work after the ${answered.replace('.', '\\.')} response$`))
    const otel = await openPanel(page, 'OpenTelemetry')
    await expect.poll(() => otel.locator('.hdt-otel-head').innerText(), WITHIN).toContain(`total (includes work after the ${answered} response)`)
    expect(errors).toEqual([])
  })
})

/** Opens a panel of the full-page view, also in a phone-wide window, where a panel covers the panel list. */
async function openPanelAtAnyWidth(title: string): Promise<Locator> {
  const pane = page.locator('#hono-debug-toolbar .hdt-pane')
  // The full page shows a panel once it has read the request, and only then, in a phone-wide
  // window, covers the list with it: asked before, "Panels" is not there yet and the list's
  // item is covered a moment later.
  await pane.locator('.hdt-pane-title').waitFor(WITHIN)
  const list = pane.getByRole('button', { name: /panels/i })
  if (await list.isVisible()) await list.click()
  return openPanel(page, title)
}

describe('the note of a trace that goes on after its response, in narrow windows', () => {
  it('stays within two short lines under the duration at 600 px and 375 px, with the whole sentence in its tooltip, in the trace list and the OpenTelemetry panel', async () => {
    const sent = await postForm('Mary Jackson')
    const id = sent.headers.get('x-debug-toolbar-request-id')!
    await new Promise((resolve) => setTimeout(resolve, 600))
    for (const width of [600, 375]) {
      await page.setViewportSize({ width, height: 900 })
      await page.goto(`${server.url}/_debug_toolbar/requests/${id}`)
      const history = await openPanelAtAnyWidth('History')
      const answered = (await history.locator('tr[data-hdt-history]', { hasText: '/form' }).first().locator('td.hdt-num').first().innerText()).trim()
      expect(answered).toMatch(/^[\d.]+ ms$/)
      const trace = history.locator('tr[data-hdt-trace-row]', { hasText: 'POST /form' }).first()
      const note = trace.locator('.hdt-after-response')
      await note.waitFor(WITHIN)
      // Two lines at most, not a tower of four or five words squeezed into the Duration column.
      const lines = await note.evaluate((e) => Math.round(e.getBoundingClientRect().height / Number.parseFloat(getComputedStyle(e).lineHeight)))
      expect(lines, `the note at ${width}px`).toBeLessThanOrEqual(2)
      // The row is no taller than its other cells make it: the root span's name, the services and the span count.
      const cell = trace.locator('td.hdt-num').last()
      const others = await trace.evaluate((tr, last) => Math.max(...[...tr.children].filter((td) => td !== tr.children[last]).map((td) => td.getBoundingClientRect().height)), 4)
      expect((await cell.boundingBox())!.height, `the Duration cell at ${width}px`).toBeLessThanOrEqual(Math.max(others, 0) + 1)
      // Still the response time, and the whole sentence for whoever points at it.
      expect(await note.innerText()).toContain(answered)
      const sentence = await note.getAttribute('title')
      expect(sentence).toMatch(new RegExp(`^Includes work after the ${answered.replace('.', '\\.')} response`))
      // The OpenTelemetry panel says it the same way, and its header keeps to one line for it.
      const otel = await openPanelAtAnyWidth('OpenTelemetry')
      const head = otel.locator('.hdt-otel-after-response')
      await head.waitFor(WITHIN)
      expect(await head.getAttribute('title')).toBe(sentence)
      expect(await head.evaluate((e) => new Set([...e.getClientRects()].map((r) => Math.round(r.top))).size), `the header's note at ${width}px`).toBeLessThanOrEqual(2)
    }
    expect(errors).toEqual([])
  })
})

/** Sends the demo's OTLP receiver a root span of `rootMs` with `events` (ms) and a child from 10 ms to `childEndMs`; returns the root's name. */
async function sendRootWithEvents(rootMs: number, childEndMs: number, events: number[]): Promise<string> {
  const traceId = randomBytes(16).toString('hex')
  const rootId = randomBytes(8).toString('hex')
  const name = `nightly job ${traceId.slice(0, 6)}`
  const start = BigInt(Date.now()) * 1_000_000n
  const at = (ms: number) => String(start + BigInt(ms * 1e6))
  const spans = [
    { traceId, spanId: rootId, name, kind: 1, startTimeUnixNano: at(0), endTimeUnixNano: at(rootMs), events: events.map((ms, i) => ({ timeUnixNano: at(ms), name: `step ${i + 1}` })) },
    { traceId, spanId: randomBytes(8).toString('hex'), parentSpanId: rootId, name: 'send report', kind: 3, startTimeUnixNano: at(10), endTimeUnixNano: at(childEndMs) },
  ]
  const otlp = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'jobs' } }] }, scopeSpans: [{ scope: { name: 'jobs' }, spans }] }] }
  const sent = await fetch(`${server.url}/_debug_toolbar/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(otlp) })
  expect(sent.status).toBe(200)
  return name
}

describe("the waterfall's root bar", () => {
  it('keeps its duration label off the event markers, and the markers in sight, at 1440 px and at 600 px', async () => {
    // The label inside the bar's end (a root as long as the trace), and after it (a child ends later).
    const inside = await sendRootWithEvents(100, 40, [96, 98])
    const after = await sendRootWithEvents(50, 100, [52, 54])
    for (const width of [1440, 600]) {
      await page.setViewportSize({ width, height: 900 })
      await open('/')
      const history = await openPanel(page, 'History')
      for (const name of [inside, after]) {
        const row = history.locator('tr[data-hdt-trace-row]', { hasText: name })
        await row.getByRole('button', { name: 'Waterfall' }).click()
        const root = history.locator('.hdt-wf-row', { has: page.locator('.hdt-wf-label', { hasText: name }) })
        await root.waitFor(WITHIN)
        await root.scrollIntoViewIfNeeded()
        const label = root.locator('.hdt-wf-dur')
        const box = (await label.boundingBox())!
        const track = (await root.locator('.hdt-wf-track').boundingBox())!
        expect(box.x, `${name} at ${width}px`).toBeGreaterThanOrEqual(track.x - 0.5)
        expect(box.x + box.width, `${name} at ${width}px`).toBeLessThanOrEqual(track.x + track.width + 0.5)
        const marks = root.locator('.hdt-wf-mark')
        expect(await marks.count()).toBe(2)
        for (const mark of await marks.all()) {
          const m = (await mark.boundingBox())!
          const overlaps = m.x < box.x + box.width && box.x < m.x + m.width
          expect(overlaps, `label ${JSON.stringify(box)} on marker ${JSON.stringify(m)} (${name} at ${width}px)`).toBe(false)
          // The marker is what the user sees at its place, not hidden under anything.
          expect(await mark.evaluate((el) => {
            const r = el.getBoundingClientRect()
            return (el.getRootNode() as ShadowRoot).elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === el
          })).toBe(true)
        }
        await row.getByRole('button', { name: 'Close' }).click()
      }
    }
    expect(errors).toEqual([])
  })
})

describe('the SQL panel of a request that ran no query (GET /form)', () => {
  it('says "No queries" in the panel list and the pane\'s title, not "0 queries in 0 ms"', async () => {
    await open('/form')
    const sql = await openPanel(page, 'SQL')
    const subtitle = page.locator('#hono-debug-toolbar .hdt-nav-item[data-hdt-panel="sql"] .hdt-nav-subtitle')
    expect(await subtitle.innerText()).toBe('No queries')
    expect(await page.locator('#hono-debug-toolbar .hdt-pane-subtitle').innerText()).toBe('No queries')
    const body = await sql.innerText()
    expect(body).toContain('No queries in this request.')
    expect(body).not.toMatch(/0 queries|0 ms/)
    expect(errors).toEqual([])
  })
})

describe("the SQL panel's time line between 800 and 1250 px", () => {
  it('keeps each bar inside its column, clear of the query\'s "sqlite" badge', async () => {
    for (const width of [1024, 900]) {
      await page.setViewportSize({ width, height: 900 })
      await open('/users/2')
      const sql = await openPanel(page, 'SQL')
      const rows = sql.locator('.hdt-sql-queries tbody tr')
      await rows.first().waitFor(WITHIN)
      const boxes = await rows.evaluateAll((trs) =>
        trs.map((tr) => {
          const right = (el: Element | null) => el!.getBoundingClientRect().right
          const left = (el: Element | null) => el!.getBoundingClientRect().left
          return { bar: right(tr.querySelector('.hdt-bar')), column: right(tr.querySelector('td.hdt-sql-timeline')), badge: left(tr.querySelector('.hdt-sql-badges .hdt-badge')) }
        }),
      )
      for (const [i, box] of boxes.entries()) {
        expect(box.bar, `${width}px, query ${i + 1}: the bar ends past its column`).toBeLessThanOrEqual(box.column + 0.5)
        expect(box.bar, `${width}px, query ${i + 1}: the bar runs over the badge`).toBeLessThanOrEqual(box.badge)
      }
      // The badge reads whole: the time line does not cover it.
      const badge = rows.first().locator('.hdt-sql-badges .hdt-badge').first()
      const hit = await badge.evaluate((el) => {
        const r = el.getBoundingClientRect()
        const root = el.getRootNode() as ShadowRoot
        return root.elementFromPoint(r.left + 2, r.top + r.height / 2) === el
      })
      expect(hit, `${width}px: the badge's first letter is under something else`).toBe(true)
    }
    expect(errors).toEqual([])
  })
})

/**
 * The contrast ratio (WCAG 2) between the text colour of each element and the background it
 * is painted on: its own, else the nearest ancestor's (through the shadow root), blended over white.
 */
function contrastOf(locator: Locator): Promise<number[]> {
  return locator.evaluateAll((els) => {
    const rgba = (css: string) => {
      const [r = 0, g = 0, b = 0, a = 1] = (/rgba?\(([^)]+)\)/.exec(css)?.[1] ?? '').split(/[\s,/]+/).filter(Boolean).map(Number)
      return { r, g, b, a }
    }
    const over = (top: { r: number; g: number; b: number; a: number }, under: { r: number; g: number; b: number }) => ({
      r: top.r * top.a + under.r * (1 - top.a),
      g: top.g * top.a + under.g * (1 - top.a),
      b: top.b * top.a + under.b * (1 - top.a),
    })
    const luminance = ({ r, g, b }: { r: number; g: number; b: number }) => {
      const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b)
    }
    return els.map((el) => {
      const layers = []
      for (let e: Element | null = el; e; e = e.parentElement ?? ((e.getRootNode() as ShadowRoot).host ?? null)) {
        const layer = rgba(getComputedStyle(e).backgroundColor)
        if (layer.a > 0) layers.unshift(layer)
        if (layer.a >= 1) break
      }
      const background = layers.reduce((under, top) => over(top, under), { r: 255, g: 255, b: 255 })
      const [a, b] = [luminance(over(rgba(getComputedStyle(el).color), background)), luminance(background)]
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)
    })
  })
}

describe('small text on its background, in light and dark themes', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`reads at a contrast of 4.5:1 or more: the open panel's subtitle in the panel list, the count of a folded N+1 row (${colorScheme})`, async () => {
      await page.emulateMedia({ colorScheme })
      await open('/users/2')
      const pane = await otelPane()
      const count = pane.locator('.hdt-wf-group-count')
      await count.first().waitFor(WITHIN)
      const subtitle = page.locator('#hono-debug-toolbar .hdt-nav-item.hdt-active .hdt-nav-subtitle')
      expect(await subtitle.innerText()).toBe('9 spans')
      for (const [what, ratios] of [
        ['subtitle of the open panel', await contrastOf(subtitle)],
        ['count of the folded row', await contrastOf(count)],
      ] as const) {
        expect(ratios.length, what).toBeGreaterThan(0)
        for (const ratio of ratios) expect(ratio, what).toBeGreaterThanOrEqual(4.5)
      }
      expect(errors).toEqual([])
    })
  }
})
