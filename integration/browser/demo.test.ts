/**
 * Acceptance of the demo app (examples/basic) in a real browser, as a person trying it would
 * see it: a user's page with its SQL (and the N+1 queries flagged), templates, log line,
 * timing, route and trace; EXPLAIN from the SQL panel; the profiling toggle and the flame
 * chart of the slow page; the page's own fetch followed by the toolbar; and a page that calls
 * the app's own API, whose downstream request joins the same trace.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/demo.test.ts
 */
import { mkdirSync } from 'node:fs'
import type { BrowserContext, Locator, Page } from 'playwright-core'
import { beforeEach, describe, expect, it } from 'vitest'
// The demo as users run it: compiled by `npm run build`, importing the package by its name.
// It is compiled without declarations; its type is the source's.
// @ts-expect-error TS7016: no .d.ts beside the compiled demo
import { createApp as compiledCreateApp } from '../../dist/examples/basic/app.js'
import type { createApp as CreateApp } from '../../examples/basic/app.js'
import { useBrowserSession, openPanel, openToolbar, panelTitles, type ServedApp } from './harness.js'

const createApp: typeof CreateApp = compiledCreateApp

const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url).pathname

/** The toolbar refetches an in-flight request with a growing delay (at most 4 s). */
const WITHIN = { timeout: 10_000 }

let server: ServedApp
let context: BrowserContext
let page: Page
let errors: string[]

mkdirSync(SCREENSHOTS, { recursive: true })
const session = useBrowserSession(() => createApp(), { width: 1440, height: 900 })
beforeEach(() => {
  ;({ server, context, page, errors } = session)
})

/** Text with its whitespace collapsed: the SQL panel lays queries out on several lines. */
async function flatText(locator: Locator): Promise<string> {
  return ((await locator.innerText()) ?? '').replace(/\s+/g, ' ').trim()
}

/** Loads `path` in the test's page (status 200). */
const open = (path: string) => session.open(path)

/** The rows of the SQL panel's query table. */
const sqlRows = (pane: Locator) => pane.locator('.hdt-sql-queries tbody tr')

/** The waterfall's rows, and the `left` of a row's bar in percent of the time axis. */
const wfRows = (pane: Locator) => pane.locator('.hdt-wf-row')
const wfRow = (pane: Locator, name: string | RegExp) => wfRows(pane).filter({ has: page.locator('.hdt-wf-label', { hasText: name }) })
async function leftOf(row: Locator): Promise<number> {
  const style = (await row.locator('.hdt-wf-bar').getAttribute('style')) ?? ''
  return Number(/left:\s*([\d.e-]+)%/.exec(style)?.[1])
}

describe('the demo user page /users/2', () => {
  it('shows real entries in every panel', async () => {
    await open('/users/2')
    expect(await page.locator('h1').innerText()).toBe('Grace Hopper')
    const titles = await panelTitles(page)
    expect(titles).toEqual(['History', 'Versions', 'Time', 'Request', 'Headers', 'Routes', 'SQL', 'Templates', 'Logging', 'Profile', 'OpenTelemetry'])
    for (const title of titles) {
      const body = await openPanel(page, title)
      expect(await body.locator('.hdt-error-note').count(), `panel ${title}`).toBe(0)
      expect((await body.innerText()).trim().length, `panel ${title}`).toBeGreaterThan(0)
    }

    let pane = await openPanel(page, 'SQL')
    const queries = await Promise.all((await sqlRows(pane).all()).map(flatText))
    // The user, their posts, then one comments query per post: the N+1 pattern.
    expect(queries).toHaveLength(5)
    expect(queries[0]).toContain('SELECT * FROM users WHERE id = ?')
    expect(queries[0]).toContain('params [2]')
    expect(queries[1]).toContain('SELECT * FROM posts WHERE user_id = ? ORDER BY id')
    for (const q of queries.slice(2)) {
      expect(q).toContain('SELECT author, text FROM comments WHERE post_id = ?')
      expect(q).toContain('similar ×3')
    }
    expect(await pane.locator('.hdt-sql-summary').innerText()).toMatch(/5 queries[\s\S]*3 similar/)
    // The caller is the demo's own handler, not the recorder: the line of app.tsx the built
    // app.js maps to, relative to the working directory.
    expect(await pane.locator('.hdt-sql-caller').first().innerText()).toMatch(/^examples\/basic\/app\.tsx:\d+:\d+$/)

    pane = await openPanel(page, 'Templates')
    const renders = pane.locator('.hdt-renders tbody tr')
    expect(await renders.locator('.hdt-render-name').allInnerTexts()).toEqual(['page Grace Hopper', '└ user-page', '└ layout'])
    const indents = await renders.locator('.hdt-render-line').evaluateAll((els) => els.map((el) => (el as HTMLElement).style.paddingLeft))
    expect(indents).toEqual(['0px', '16px', '16px'])

    pane = await openPanel(page, 'Logging')
    const line = pane.locator('.hdt-logs tbody tr', { hasText: 'showing Grace Hopper' })
    expect(await line.count()).toBe(1)
    expect(await line.innerText()).toMatch(/info[\s\S]*userId[\s\S]*2[\s\S]*posts[\s\S]*3/)

    pane = await openPanel(page, 'Time')
    expect(Number.parseFloat(await pane.locator('[data-hdt-figure="total"]').innerText())).toBeGreaterThan(0)

    pane = await openPanel(page, 'Request')
    expect(await pane.locator('[data-hdt-figure="route"]').innerText()).toBe('/users/:id')
    expect(await pane.locator('table[aria-label="Route parameters"]').innerText()).toMatch(/id\s+2/)

    pane = await openPanel(page, 'Routes')
    // The handler's route, and the middleware that ran for it on `/*`.
    const matched = await pane.locator('tr.hdt-matched').allInnerTexts()
    expect(matched.filter((row) => row.includes('/users/:id'))).toEqual([expect.stringMatching(/^GET\s+\/users\/:id/)])
    expect(matched.every((row) => row.includes('/users/:id') || row.includes('/*'))).toBe(true)
    expect(await pane.locator('[data-hdt-figure="matched-route"]').innerText()).toBe('/users/:id')

    pane = await openPanel(page, 'Headers')
    expect(await pane.locator('table[aria-label="Request headers"]').innerText()).toContain('user-agent')

    pane = await openPanel(page, 'History')
    await pane.locator('tr[data-hdt-history]', { hasText: '/users/2' }).first().waitFor()

    pane = await openPanel(page, 'Profile')
    expect(await pane.innerText()).toContain('This request was not profiled')
    expect(errors).toEqual([])
  })

  it('runs EXPLAIN on a query from the SQL panel and shows the SQLite plan', async () => {
    await open('/users/2')
    const pane = await openPanel(page, 'SQL')
    const byId = sqlRows(pane).nth(0)
    await byId.getByRole('button', { name: 'Explain' }).click()
    const plan = byId.locator('.hdt-sql-plan')
    await plan.waitFor(WITHIN)
    expect(await plan.innerText()).toContain('EXPLAIN QUERY PLAN SELECT * FROM users WHERE id = ?')
    // A primary key lookup: a SEARCH, not a SCAN.
    expect(await plan.locator('.hdt-code').innerText()).toMatch(/SEARCH users USING INTEGER PRIMARY KEY/)

    // comments.post_id has no index: SQLite scans the table, once per post.
    const comments = sqlRows(pane).nth(2)
    await comments.getByRole('button', { name: 'Explain' }).click()
    await comments.locator('.hdt-sql-plan').waitFor(WITHIN)
    expect(await comments.locator('.hdt-sql-plan .hdt-code').innerText()).toMatch(/SCAN comments/)
    expect(await comments.locator('.hdt-sql-plan-note').innerText()).toBe(
      'No index used: every row of comments is read. An index on the columns its WHERE or JOIN compares would let it read only the rows it needs (on a small table the database may scan anyway).',
    )
    // The primary key lookup reads no table in full: no note under its plan.
    expect(await byId.locator('.hdt-sql-plan-note').count()).toBe(0)
    await page.screenshot({ path: `${SCREENSHOTS}demo-sql.png` })
    expect(errors).toEqual([])
  })

  it('shows the trace as a waterfall with SQL, renders and the log line, span detail, filter and links', async () => {
    await open('/users/2')
    const pane = await openPanel(page, 'OpenTelemetry')
    // Repeated siblings fold by default (trace-analysis.test.ts checks that): show every query here.
    await pane.getByLabel('Fold repeated sibling spans from this count (0: never)').fill('0')
    await wfRows(pane).first().waitFor(WITHIN)
    const traceId = (await pane.locator('.hdt-otel-trace-id').innerText()).trim()
    expect(traceId).toMatch(/^[0-9a-f]{32}$/)

    await expect.poll(() => wfRow(pane, 'GET /users/:id').count(), WITHIN).toBe(1)
    expect(await leftOf(wfRow(pane, 'GET /users/:id'))).toBe(0)
    const sql = wfRows(pane).filter({ has: page.locator('.hdt-wf-label', { hasText: /^SELECT / }) })
    expect(await sql.locator('.hdt-wf-label').allInnerTexts()).toEqual(['SELECT users', 'SELECT posts', 'SELECT comments', 'SELECT comments', 'SELECT comments'])
    const lefts = await Promise.all((await sql.all()).map(leftOf))
    expect(lefts.every((left) => Number.isFinite(left) && left > 0)).toBe(true)
    for (let i = 1; i < lefts.length; i++) expect(lefts[i], `query ${i + 1} starts after query ${i}`).toBeGreaterThan(lefts[i - 1]!)
    for (const name of ['render page Grace Hopper', 'render user-page', 'render layout']) expect(await wfRow(pane, name).count(), name).toBe(1)
    const marks = await pane.locator('.hdt-wf-mark').evaluateAll((els) => els.map((el) => el.getAttribute('title') ?? ''))
    expect(marks.some((title) => title.includes('showing Grace Hopper'))).toBe(true)

    await wfRow(pane, 'SELECT posts').click()
    const detail = pane.locator('.hdt-span-detail')
    await detail.waitFor()
    const text = await detail.innerText()
    expect(text).toContain('db.query.text')
    expect(text).toContain('SELECT * FROM posts WHERE user_id = ? ORDER BY id')
    expect(text).toContain('CLIENT')
    expect(text).toContain(traceId)

    const all = await wfRows(pane).count()
    await pane.locator('input.hdt-otel-filter').fill('comments')
    await expect.poll(() => pane.locator('.hdt-wf-hit').count(), WITHIN).toBe(3)
    // The three comment queries and, dimmed, the request span they hang under.
    expect(await wfRows(pane).locator('.hdt-wf-label').allInnerTexts()).toEqual(['GET /users/:id', 'SELECT comments', 'SELECT comments', 'SELECT comments'])
    await pane.locator('input.hdt-otel-filter').fill('')
    await expect.poll(() => wfRows(pane).count(), WITHIN).toBe(all)

    // The demo exports nothing: no links to a trace Jaeger never received, but how to get one.
    const note = pane.locator('.hdt-otel-links [data-export="none"]')
    expect(await note.textContent()).toContain('docker run --rm -p 16686:16686 -p 4317:4317 -p 4318:4318 cr.jaegertracing.io/jaegertracing/jaeger:2.11.0')
    expect(await note.textContent()).toContain('OTEL_TRACES_EXPORTER=otlp')
    expect(await pane.locator('.hdt-otel-links a', { hasText: 'Open in Jaeger' }).count()).toBe(0)
    expect(errors).toEqual([])
  })
})

describe('profiling from the toolbar', () => {
  it('profiles /slow after the toggle: flame chart, hottest functions and a .cpuprofile download', async () => {
    await open('/users/2')
    let pane = await openPanel(page, 'Profile')
    await pane.getByRole('button', { name: 'Profile my requests' }).click()
    await pane.getByRole('button', { name: 'Stop profiling my requests' }).waitFor()
    expect((await context.cookies()).find((cookie) => cookie.name === 'hdt_profile')?.value).toBe('1')
    // The toggle started V8's profiler on the server, so that /slow does not pay its setup.
    const status = pane.locator('.hdt-profile-toggle-status')
    await expect.poll(() => status.innerText(), WITHIN).toMatch(
      /^On: V8's profiler (started now, in [\d.]+ (ms|µs) that the next profiled request will not pay, and|was running already and) it keeps running for 30 s without a profiled request: reload the page to profile it\.$/,
    )

    await open('/slow')
    pane = await openPanel(page, 'Profile')
    await pane.locator('.hdt-flame').waitFor(WITHIN)
    expect(await pane.innerText()).toMatch(/starting it took [\d.]+ (µs|ms) here: it was running already\./)
    expect(await pane.locator('.hdt-profile-toggle-status').innerText()).toBe("On: this browser's requests are profiled.")
    expect(await pane.innerText()).toMatch(/\d+ samples over/)
    const frames = pane.locator('.hdt-flame-frame')
    expect(await frames.count()).toBeGreaterThan(0)
    const widths = await frames.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().width))
    expect(Math.max(...widths)).toBeGreaterThan(0)
    const hot = pane.locator('.hdt-hot tbody tr')
    expect(await hot.count()).toBeGreaterThan(0)
    // The busy loop of the demo's /slow handler is among the hottest functions, named in the
    // TypeScript the built app.js maps to.
    expect(await pane.locator('.hdt-hot .hdt-location').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringMatching(/^examples\/basic\/app\.tsx:\d+:\d+$/)]))
    // V8's own entries have no location: the column says what they stand for (the 250 ms wait is idle).
    expect(await hot.filter({ hasText: '(idle)' }).locator('.hdt-location').innerText()).toBe('waiting: nothing to run')

    const href = await pane.locator('a', { hasText: 'Download .cpuprofile' }).getAttribute('href')
    expect(href).toMatch(/\.cpuprofile$/)
    const profile = await page.evaluate(async (url) => {
      const res = await fetch(url!)
      return { status: res.status, body: (await res.json()) as { nodes: unknown[]; samples: unknown[]; startTime: number; endTime: number } }
    }, href)
    expect(profile.status).toBe(200)
    expect(profile.body.nodes.length).toBeGreaterThan(0)
    expect(profile.body.samples.length).toBeGreaterThan(0)
    expect(profile.body.endTime).toBeGreaterThan(profile.body.startTime)
    await page.screenshot({ path: `${SCREENSHOTS}demo-profile.png` })

    // Switched off, the profiler stops at once: the next request is neither profiled nor sampled.
    await pane.getByRole('button', { name: 'Stop profiling my requests' }).click()
    await expect.poll(() => pane.locator('.hdt-profile-toggle-status').innerText(), WITHIN).toBe('Off.')
    expect((await context.cookies()).find((cookie) => cookie.name === 'hdt_profile')).toBeUndefined()
    await open('/users/2')
    pane = await openPanel(page, 'Profile')
    await expect.poll(() => pane.innerText(), WITHIN).toContain('This request was not profiled.')
    expect(await pane.innerText()).not.toContain("V8's profiler was running while it was served")
    expect(errors).toEqual([])
  })
})

describe('a profiled request in the waterfall', () => {
  it("shows the profiler's start as a row of its own under the request span, at the request's start", async () => {
    await open('/slow?_dt_profile=1')
    const pane = await openPanel(page, 'OpenTelemetry')
    await wfRows(pane).first().waitFor(WITHIN)
    const start = wfRow(pane, /^CPU profiler start$/)
    await expect.poll(() => start.count(), WITHIN).toBe(1)
    // Started from the toolbar before the handler ran: at the left of the time axis, not after the handler's work.
    expect(await leftOf(start)).toBeLessThan(5)
    await start.click()
    const detail = pane.locator('.hdt-span-detail')
    await detail.waitFor()
    expect(await detail.innerText()).toContain('hono_debug_toolbar.kind')
    expect(await detail.innerText()).toContain('profiler')
    expect(errors).toEqual([])
  })
})

describe('requests the page makes', () => {
  it('follows the fetch of "Load users" on /live and switches to it', async () => {
    await open('/live')
    await page.getByRole('button', { name: 'Load users' }).click()
    await expect.poll(() => page.locator('#users li').count(), WITHIN).toBe(6)
    const sidebar = await openToolbar(page)
    const followed = sidebar.locator('.hdt-page-request')
    await expect.poll(() => followed.allInnerTexts(), WITHIN).toEqual([expect.stringMatching(/GET \/api\/users\s+200/), 'This page'])

    await followed.filter({ hasText: '/api/users' }).click()
    await expect.poll(() => sidebar.locator('.hdt-current').innerText(), WITHIN).toContain('/api/users')
    let pane = await openPanel(page, 'Request')
    expect(await pane.locator('[data-hdt-figure="route"]').innerText()).toBe('/api/users')
    pane = await openPanel(page, 'SQL')
    expect(await flatText(sqlRows(pane).first())).toContain('SELECT id, name, email FROM users ORDER BY id')

    await followed.filter({ hasText: 'This page' }).click()
    await expect.poll(() => sidebar.locator('.hdt-current').innerText(), WITHIN).toContain('/live')
    expect(errors).toEqual([])
  })

  it('shows the fetch of /report to /api/stats and that request\'s own span in one trace', async () => {
    await open('/report')
    expect(await page.locator('p', { hasText: 'users wrote' }).innerText()).toBe('6 users wrote 18 notes.')
    const pane = await openPanel(page, 'OpenTelemetry')
    await expect.poll(() => wfRow(pane, 'GET /api/stats').count(), WITHIN).toBe(1)
    const traceId = (await pane.locator('.hdt-otel-trace-id').innerText()).trim()
    const labels = await wfRows(pane).locator('.hdt-wf-label').allInnerTexts()
    // The page's span, the fetch (a CLIENT span named for its method, the URL it fetched beside it), then the server side of it.
    const fetched = `GET ${server.url}/api/stats`
    expect(labels.indexOf('GET /report')).toBe(0)
    expect(labels.indexOf(fetched)).toBeGreaterThan(0)
    expect(labels.indexOf('GET /api/stats')).toBeGreaterThan(labels.indexOf(fetched))

    await wfRow(pane, /^GET http:/).click()
    let detail = pane.locator('.hdt-span-detail')
    await detail.waitFor()
    expect(await detail.innerText()).toMatch(/Kind\s+CLIENT/)
    expect(await detail.innerText()).toContain('/api/stats')
    const clientId = await detail.getAttribute('data-span-id')

    await wfRow(pane, 'GET /api/stats').click()
    detail = pane.locator(`.hdt-span-detail:not([data-span-id="${clientId}"])`)
    await detail.waitFor()
    const text = await detail.innerText()
    expect(text).toMatch(/Kind\s+SERVER/)
    expect(text).toContain(traceId)
    // Its parent is the fetch's CLIENT span, named as its row is: the traceparent crossed the call.
    expect(text).toMatch(new RegExp(`Parent\\s+${fetched.replace(/[.]/g, '\\.')} ${clientId}`))

    // The downstream request is in the history too, with the same trace id.
    const api = await page.evaluate(async () => (await fetch('/_debug_toolbar/api/requests?path=/api/stats')).json())
    expect((api as { requests: Array<{ traceId: string }> }).requests.map((r) => r.traceId)).toContain(traceId)
    expect(errors).toEqual([])
  })
})

describe('the demo streamed page /stream', () => {
  it('shows the toolbar without a failed request in the console or a 404 for /favicon.ico in the history', async () => {
    await open('/stream')
    await page.locator('#hono-debug-toolbar .hdt-handle').waitFor(WITHIN)
    expect(await page.locator('p').allInnerTexts()).toContain('chunk 5 of 5')
    await page.waitForLoadState('networkidle')
    const history = await openPanel(page, 'History')
    await history.locator('tr[data-hdt-history]', { hasText: '/stream' }).first().waitFor(WITHIN)
    expect(await history.locator('tr[data-hdt-history]', { hasText: '/favicon.ico' }).count()).toBe(0)
    expect(errors).toEqual([])
  })
})
