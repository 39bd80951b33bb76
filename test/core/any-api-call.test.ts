// Whatever a script or a browser asks of the toolbar's HTTP API (ids that are not ids, filters
// out of range, repeated or malformed parameters), it answers 2xx, or a 4xx that says what
// was wrong, never a 5xx, on the in-memory history and on SQLite alike, and keeps serving.
// fast-check writes the calls.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Hono } from 'hono'
import Database from 'better-sqlite3'
import { debugToolbar, instrumentBetterSqlite3, MemoryStore, recordLog, type ToolbarStore } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { SqliteStore } from '../../src/store/sqlite.js'
import { request } from '../support/local.js'

const dir = mkdtempSync(join(tmpdir(), 'hdt-any-api-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function appOn(store: ToolbarStore) {
  const db = instrumentBetterSqlite3(new Database(':memory:'))
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)')
  const app = new Hono()
  app.use(debugToolbar({ store, extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
  app.get('/page', (c) => {
    db.prepare('INSERT INTO t (name) VALUES (?)').run('ada')
    recordLog('info', 'page', { n: 1 })
    return c.html('<html><body>page</body></html>')
  })
  // Real ids to mix into the calls: a request, its trace and its first query.
  const res = await request(app, '/page')
  const requestId = res.headers.get('x-debug-toolbar-request-id')!
  const detail = (await request(app, `/_debug_toolbar/api/requests/${requestId}`)).json()
  return { app, requestId, traceId: detail.panels.opentelemetry.traceId as string, queryId: String(detail.panels.sql.queries[0].id) }
}

const odd = fc.constantFrom('', '0', '-1', '1e3', '1.5', 'NaN', 'Infinity', '9007199254740993', '100000000000000000000', '%00', '%ZZ', '__proto__', 'constructor', 'a'.repeat(300), '%E2%80%AE', '..', '%2F', ' ')
const value = fc.oneof(odd, fc.nat(1_000_000).map(String), fc.string({ unit: 'grapheme', maxLength: 6 }).map(encodeURIComponent))
const PARAMS = ['limit', 'offset', 'method', 'status', 'path', 'service', 'source', 'since', 'until', 'minDurationMs', 'before', 'after', 'q']
const search = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PARAMS), odd), value), { maxLength: 4 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'))

// Every GET route of the API, with ids that may be real, another kind's, or odd.
const call = (ids: { requestId: string; traceId: string; queryId: string }) => {
  const requestId = fc.oneof(fc.constant(ids.requestId), odd, fc.constant(ids.traceId))
  const traceId = fc.oneof(fc.constant(ids.traceId), odd, fc.constant(ids.requestId), fc.constant('0'.repeat(32)))
  const queryId = fc.oneof(fc.constant(ids.queryId), odd)
  return fc.tuple(
    fc.oneof(
      fc.constant('/api/requests'),
      requestId.map((id) => `/api/requests/${id}`),
      fc.tuple(requestId, fc.oneof(fc.constantFrom('request', 'sql', 'opentelemetry', 'logging', 'headers', 'history'), odd)).map(([id, panel]) => `/api/requests/${id}/panels/${panel}/html`),
      fc.constant('/api/traces'),
      traceId.map((id) => `/api/traces/${id}`),
      traceId.map((id) => `/api/traces/${id}/otlp`),
      traceId.map((id) => `/api/traces/${id}/analysis`),
      traceId.map((id) => `/api/traces/${id}/spans`),
      fc.tuple(traceId, traceId).map(([a, b]) => `/api/traces/${a}/compare/${b}`),
      fc.tuple(requestId, queryId).map(([r, q]) => `/api/sql/${r}/${q}`),
      fc.tuple(requestId, queryId).map(([r, q]) => `/api/sql/${r}/${q}/explain`),
      requestId.map((id) => `/api/profiles/${id}.cpuprofile`),
      requestId.map((id) => `/requests/${id}`),
      fc.constantFrom('/api/store', '/api/panels', '/api/export-status', '/healthz', '/'),
    ),
    search,
  ).map(([path, query]) => `/_debug_toolbar${path}${query ? `?${query}` : ''}`)
}

async function answersEveryCall(store: ToolbarStore) {
  const ids = await appOn(store)
  const { app } = ids
  await fc.assert(
    fc.asyncProperty(call(ids), async (url) => {
      const res = await request(app, url)
      if (res.status >= 500) throw new Error(`${url} answered ${res.status}: ${res.text.slice(0, 200)}`)
      // A refusal says why, in JSON as every toolbar route does (a page's 404 is the toolbar's HTML).
      if (res.status >= 400 && res.headers.get('content-type')?.includes('json') && typeof res.json().error !== 'string') return false
      return true
    }),
    { numRuns: 1500 },
  )
  // And it still serves.
  expect((await request(app, `/_debug_toolbar/api/requests/${ids.requestId}`)).status).toBe(200)
  expect((await request(app, '/page')).status).toBe(200)
}

describe("any call of the toolbar's HTTP API", () => {
  it('is answered 2xx or 4xx with a message, on the in-memory history', async () => {
    await answersEveryCall(new MemoryStore())
  })

  it('is answered 2xx or 4xx with a message, on SQLite', async () => {
    const store = new SqliteStore({ path: join(dir, 'any.db') })
    await answersEveryCall(store)
    await store.close()
  })
})
