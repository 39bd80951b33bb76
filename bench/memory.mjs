// Memory held by the toolbar over a long run: the resident set size after 1,000 and after
// 100,000 recorded requests (target: within 30 MB). The toolbar has its default panels and
// the default history (50 requests); each request goes through @hono/node-server's request
// listener with an in-memory Node request/response pair (as bench/inprocess.mjs does),
// renders an HTML page, records a query and a log line, and has a path of its own.
// A full garbage collection runs before each reading, so what is measured is what is held.
//
// With --otel, the toolbar also has the OpenTelemetry panel (exporting nothing): each request
// is then a trace of two spans (the SERVER span with the log line as its event, and the
// query's) kept in the panel's trace store, 100 traces by default.
//
// With --plain, the same app and requests without the toolbar (its recorders then do
// nothing): what V8 itself grows to under this loop. The readings end with the size of V8's
// young generation (new space), which such a loop grows to its largest (32 MB on 64-bit Node 20).
//
//   npm run build && node bench/memory.mjs [--requests 100000] [--warmup 1000] [--otel | --plain]
import { getRequestListener } from '@hono/node-server'
import { inMemoryRequest } from './in-memory-request.mjs'
import { execFileSync } from 'node:child_process'
import { Hono } from 'hono'
import { getHeapSpaceStatistics } from 'node:v8'

if (typeof globalThis.gc !== 'function') {
  // Readings are only comparable after a full collection: run again with it exposed.
  execFileSync(process.execPath, ['--expose-gc', new URL(import.meta.url).pathname, ...process.argv.slice(2)], { stdio: 'inherit' })
  process.exit(0)
}

const otel = process.argv.includes('--otel')
const plain = process.argv.includes('--plain')
const args = Object.fromEntries(
  process.argv.slice(2).filter((arg) => arg !== '--otel' && arg !== '--plain').reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
)
const total = Number(args.requests ?? 100_000)
const warmup = Number(args.warmup ?? 1000)
const { debugToolbar, recordLog, recordQuery } = await import('hono-debug-toolbar')

const app = new Hono()
const extraPanels = []
if (otel) {
  const { OpenTelemetryPanel } = await import('hono-debug-toolbar/opentelemetry')
  extraPanels.push(new OpenTelemetryPanel({ exporter: 'none', serviceName: 'bench' }))
}
if (!plain) app.use(debugToolbar({ app, extraPanels }))
app.get('/items/:id', (c) => {
  const id = c.req.param('id')
  recordQuery({ sql: 'SELECT * FROM items WHERE id = ?', params: [id], durationMs: 0.2, dbSystem: 'sqlite' })
  recordLog('info', 'item shown', { id })
  return c.html(`<!doctype html><html><head><title>Item ${id}</title></head><body><h1>Item ${id}</h1></body></html>`)
})
const listener = getRequestListener(app.fetch)

const MB = 1024 * 1024
function reading(count) {
  globalThis.gc()
  globalThis.gc()
  const { rss, heapUsed } = process.memoryUsage()
  const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0
  return { count, rss: rss / MB, heap: heapUsed / MB, young: young / MB }
}

const checkpoints = [warmup, 10_000, 50_000, total].filter((n, i, all) => n <= total && all.indexOf(n) === i)
const readings = []
let sent = 0
for (const checkpoint of checkpoints) {
  for (; sent < checkpoint; sent++) await inMemoryRequest(listener, `/items/${sent}`)
  // Let the finishing requests settle before the reading.
  await new Promise((resolve) => setImmediate(resolve))
  readings.push(reading(sent))
}

const what = plain ? 'the app without the toolbar' : `toolbar with the default panels${otel ? ' and the OpenTelemetry panel' : ''}`
console.log(`${what}, ${total} ${plain ? '' : 'recorded '}requests (GET /items/:id: HTML, 1 query, 1 log line)\n`)
console.log('requests     RSS MB   heap used MB   young generation MB')
for (const r of readings) console.log(`${String(r.count).padStart(8)} ${r.rss.toFixed(1).padStart(10)} ${r.heap.toFixed(1).padStart(14)} ${r.young.toFixed(1).padStart(21)}`)
const first = readings[0]
const last = readings.at(-1)
const growth = last.rss - first.rss
console.log(`\nRSS after ${last.count} - RSS after ${first.count}: ${growth.toFixed(1)} MB (target: within 30 MB) ${growth <= 30 ? 'ok' : 'OVER'}`)
