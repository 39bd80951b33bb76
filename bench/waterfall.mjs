// Rendering benchmark of the OpenTelemetry waterfall in a real browser (Debian's Chromium):
// a request whose trace has about 2,000 real spans (nested app spans made with the
// OpenTelemetry API, plus SQL queries on an in-memory SQLite database), opened in the
// toolbar again and again. Every figure is measured in the page with performance.now():
//   - first rows: from the click on "OpenTelemetry" until the first waterfall rows are painted
//   - live trace: until the trace refetched from /api/traces/:id has been rendered
//   - filter, collapse, scroll to the end: from the input event to the next painted frame
//   - analysis: from the click until the critical path, self times and groups are shown, and
//     the time the analysis itself took in the page (the panel's "analysed in N ms")
// Prints medians (and min/max) over the runs. Not a test: nothing is asserted.
//
//   npm run build && node bench/waterfall.mjs [--spans 2000] [--runs 7]
//   node bench/waterfall.mjs --spans 100000 --runs 3   (maxSpansPerTrace is raised to fit)
import Database from 'better-sqlite3'
import { trace } from '@opentelemetry/api'
import { Hono } from 'hono'
import { serve } from '@hono/node-server'
import { chromium } from 'playwright-core'
import { debugToolbar, instrumentBetterSqlite3 } from '../dist/src/index.js'
import { OpenTelemetryPanel } from '../dist/src/opentelemetry/index.js'

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
)
const SPANS = Number(args.spans ?? 2000)
const RUNS = Number(args.runs ?? 7)
const QUERIES = Math.min(200, Math.floor(SPANS / 10))

const db = instrumentBetterSqlite3(new Database(':memory:'))
db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)')
const insert = db.prepare('INSERT INTO items (name) VALUES (?)')
for (let i = 1; i <= 100; i++) insert.run(`item ${i}`)

// A little real work per span, so that durations differ as they do in an app.
function work(n) {
  let h = 0
  for (let i = 0; i < n; i++) h = (h * 31 + i) | 0
  return h
}

const app = new Hono()
// A small history: each recorded trace of 100,000 spans holds its spans in memory.
app.use(
  debugToolbar({
    app,
    maxRequests: 4,
    extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'bench', maxSpansPerTrace: Math.max(10_000, SPANS + 100) })],
  }),
)
app.get('/big', (c) => {
  const tracer = trace.getTracer('bench')
  // Spans left to make besides the request span and the query spans: steps of 1 + 4 children.
  let left = SPANS - 1 - QUERIES
  let step = 0
  let query = 0
  while (left > 0) {
    tracer.startActiveSpan(`step ${step}`, { attributes: { 'bench.step': step } }, (span) => {
      left--
      for (let j = 0; j < 4 && left > 0; j++, left--) {
        const child = tracer.startSpan(`step ${step}.${j}`, { attributes: { 'bench.child': j } })
        work(2000 + ((step * 7 + j * 13) % 50) * 200)
        if (j === 1) child.addEvent('checkpoint', { 'bench.step': step })
        child.end()
      }
      if (query < QUERIES && step % 2 === 0) {
        db.prepare('SELECT id, name FROM items WHERE id = ?').get((step % 100) + 1)
        query++
      }
      span.end()
    })
    step++
  }
  while (query < QUERIES) {
    db.prepare('SELECT count(*) FROM items').get()
    query++
  }
  return c.html('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>big trace</title></head><body><h1>A trace of many spans</h1></body></html>')
})

// Runs in the page: opens the panel and times each step until the next painted frame.
async function measureInPage() {
  const root = document.getElementById('hono-debug-toolbar').shadowRoot
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))
  const step = (name) => console.log(`step: ${name} at ${Math.round(performance.now())} ms`)
  const until = async (test) => {
    while (!test()) await new Promise((resolve) => requestAnimationFrame(resolve))
    await frame()
    return performance.now()
  }
  const q = (selector) => root.querySelector(selector)
  if (!q('.hdt-sidebar')) q('.hdt-handle').click()
  await until(() => root.querySelector('.hdt-nav-item'))
  const item = [...root.querySelectorAll('.hdt-nav-item')].find((el) => el.textContent.includes('OpenTelemetry'))
  const t0 = performance.now()
  item.click()
  step('firstRows')
  const firstRows = (await until(() => q('.hdt-wf-row'))) - t0
  step('live')
  const live = (await until(() => /updated/.test(q('.hdt-otel-controls')?.textContent ?? ''))) - t0
  step('analysed')
  const analysed = (await until(() => /analysed in/.test(q('.hdt-otel-analysis-note')?.textContent ?? ''))) - t0
  const analysis = Number(/analysed in (\d+) ms/.exec(q('.hdt-otel-analysis-note').textContent)?.[1])
  // "Span (shown)" or "Span (shown of all)": repeated siblings fold into one row each.
  const counts = () => /\((\d+)(?: of (\d+))?\)/.exec(q('.hdt-wf-name-head').textContent)
  const spans = Number(counts()[2] ?? counts()[1])
  const shown = Number(counts()[1])
  const rowsInDom = root.querySelectorAll('.hdt-wf-row').length

  const input = q('input.hdt-otel-filter')
  let t = performance.now()
  input.value = 'db.query.text=items'
  input.dispatchEvent(new Event('input', { bubbles: true }))
  step('filter')
  const filter = (await until(() => q('.hdt-wf-hit'))) - t
  t = performance.now()
  input.value = ''
  input.dispatchEvent(new Event('input', { bubbles: true }))
  step('unfilter')
  const unfilter = (await until(() => !q('.hdt-wf-hit') && Number(counts()[1]) === shown)) - t

  t = performance.now()
  q('.hdt-wf-toggle').click()
  step('collapse')
  const collapse = (await until(() => root.querySelectorAll('.hdt-wf-row').length === 1)) - t
  t = performance.now()
  q('.hdt-wf-toggle').click()
  step('expand')
  const expand = (await until(() => root.querySelectorAll('.hdt-wf-row').length > 1)) - t

  const scroller = q('.hdt-wf-scroll')
  t = performance.now()
  scroller.scrollTop = scroller.scrollHeight
  const lastTop = `${(shown - 1) * 24}px`
  step('scroll')
  const scroll = (await until(() => [...root.querySelectorAll('.hdt-wf-row')].some((r) => r.style.top === lastTop))) - t
  // Frames while scrolling through the trace: 60 scroll steps, each timed to the next frame.
  const frames = []
  for (let i = 0; i < 60; i++) {
    const start = performance.now()
    scroller.scrollTop = ((i + 1) / 60) * (scroller.scrollHeight - scroller.clientHeight) * (i % 2 ? 0.5 : 1)
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))
    frames.push((performance.now() - start) / 2)
  }
  frames.sort((a, b) => a - b)
  const scrollFrame = frames[Math.floor(frames.length * 0.95)]
  return { spans, shown, rowsInDom, firstRows, live, analysed, analysis, filter, unfilter, collapse, expand, scroll, scrollFrame }
}

const server = await new Promise((resolve) => {
  const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve({ s, url: `http://127.0.0.1:${info.port}` }))
})
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
})
const results = []
try {
  for (let run = 0; run <= RUNS; run++) {
    // A fresh context each run: the toolbar remembers its open panel in the page's storage.
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
    const page = await context.newPage()
    page.on('pageerror', (error) => console.error('page error:', error.message))
    if (process.env.BENCH_STEPS) page.on('console', (message) => process.stderr.write(`  page: ${message.text()}\n`))
    await page.goto(`${server.url}/big`)
    await page.locator('#hono-debug-toolbar .hdt-handle').waitFor()
    const result = await page.evaluate(measureInPage)
    // The first run warms up the browser's caches and JIT; it is not counted.
    if (run > 0) results.push(result)
    await context.close()
    process.stderr.write(`run ${run}${run === 0 ? ' (warm-up)' : ''}: ${JSON.stringify(result, (k, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v))}\n`)
  }
} finally {
  await browser.close()
  server.s.closeAllConnections?.()
  server.s.close()
}

const stat = (key) => {
  const xs = results.map((r) => r[key]).sort((a, b) => a - b)
  return { median: xs[Math.floor(xs.length / 2)], min: xs[0], max: xs.at(-1) }
}
console.log(
  `waterfall of ${results[0].spans} spans (${results[0].shown} rows with repeated siblings folded), ${results[0].rowsInDom} rows in the DOM, ${results.length} runs (Chromium, headless)`,
)
for (const [key, label] of [
  ['firstRows', 'click to first rows painted'],
  ['live', 'click to live trace rendered'],
  ['analysed', 'click to analysis shown'],
  ['analysis', 'analysis computed in the page'],
  ['filter', 'filter typed to repaint'],
  ['unfilter', 'filter cleared to repaint'],
  ['collapse', 'collapse root to repaint'],
  ['expand', 'expand root to repaint'],
  ['scroll', 'scroll to the end to repaint'],
  ['scrollFrame', 'scroll frame, 95th percentile'],
]) {
  const { median, min, max } = stat(key)
  console.log(`${label.padEnd(32)} median ${median.toFixed(1).padStart(7)} ms   (min ${min.toFixed(1)}, max ${max.toFixed(1)})`)
}
