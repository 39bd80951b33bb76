import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar, type ToolbarStore } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { SqliteStore } from '../../src/store/sqlite.js'
import { MAX_OUTLIVED } from '../../src/core/outlived-records.js'
import { loopbackServers } from '../support/loopback-service.js'
import { call, connect } from './app.js'

/** An app of history `maxRequests` whose `GET /hang/:id` waits for `release()`, and whose `GET /done` answers at once. */
function hangingApp(maxRequests: number, store?: ToolbarStore) {
  const app = new Hono()
  app.use(debugToolbar({ maxRequests, ...(store && { store }), extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  const state = { hanging: 0 }
  app.get('/hang/:id', async (c) => {
    state.hanging++
    await gate
    return c.text('done')
  })
  app.get('/done', (c) => c.text('done'))
  return { app, release, state }
}

async function fetchAll(base: string, path: string, count: number) {
  for (let i = 0; i < count; i++) await (await fetch(`${base}${path}`)).text()
}

describe('a request still running after more than maxRequests newer ones finished', () => {
  const start = loopbackServers()

  it('is listed [running] and answered by get_request; once it ends, get_request says the history did not keep it', async () => {
    const maxRequests = 5
    const { app, release } = hangingApp(maxRequests)
    const base = await start(app)
    const hanging = fetch(`${base}/hang/7`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    await fetchAll(base, '/done', maxRequests + 5)
    const client = await connect(base)
    try {
      const { text, data } = await call(client, 'list_requests')
      expect(text.split('\n')[0]).toMatch(/^\S+ {2}GET \/hang\/:id \(\/hang\/7\) {2}… {2}running for \S+ (µs|ms|s) {2}trace [0-9a-f]{32} .* {2}\[running\]$/)
      const id: string = data.requests[0].id
      const brief = await call(client, 'get_request', { request_id: id })
      expect(brief.isError).toBe(false)
      expect(brief.text.split('\n')[0]).toBe(`Request ${id}: GET /hang/:id (/hang/7) -> … in ? (still running: its handler has not returned)`)

      release()
      await (await hanging).text()
      await new Promise((resolve) => setTimeout(resolve, 50))
      // Older than every request the history keeps: the in-memory history has no room for it.
      const after = await call(client, 'list_requests')
      expect(after.text).not.toContain('[running]')
      expect(after.data.requests.map((r: { id: string }) => r.id)).not.toContain(id)
      const gone = await call(client, 'get_request', { request_id: id })
      expect(gone.isError).toBe(true)
      expect(gone.text).toMatch(new RegExp(`^no request with id "${id}": it is no longer in the history \\(maxRequests\\), but its trace [0-9a-f]{32} is still kept`))
    } finally {
      release()
      await client.close()
    }
  })

  it('is listed as it ended once it does, by a store that has room for it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hdt-mcp-running-'))
    // The database keeps 500 requests; the toolbar holds the records of the newest 5.
    const store = new SqliteStore({ path: join(dir, 'history.db'), maxRequests: 500 })
    const { app, release } = hangingApp(5, store)
    const base = await start(app)
    const hanging = fetch(`${base}/hang/8`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    await fetchAll(base, '/done', 10)
    const client = await connect(base)
    try {
      const running = await call(client, 'list_requests')
      expect(running.text.split('\n')[0]).toMatch(/GET \/hang\/:id \(\/hang\/8\) .*\[running\]$/)
      const id: string = running.data.requests[0].id
      release()
      await (await hanging).text()
      await store.flush()
      const { text } = await call(client, 'list_requests', { route: '/hang/:id' })
      expect(text.split('\n')[0]).toMatch(new RegExp(`^${id} {2}GET /hang/:id \\(/hang/8\\) {2}200 `))
      expect(text).not.toContain('[running]')
      expect((await call(client, 'get_request', { request_id: id })).text.split('\n')[0]).toMatch(new RegExp(`^Request ${id}: GET /hang/:id \\(/hang/8\\) -> 200 in `))
    } finally {
      release()
      await client.close()
      await store.close?.()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('are held at most MAX_OUTLIVED, and list_requests says how many it let go of', async () => {
    const { app, release, state } = hangingApp(1)
    const base = await start(app)
    const hanging = Array.from({ length: MAX_OUTLIVED + 2 }, (_, i) => fetch(`${base}/hang/${i}`))
    const client = await connect(base)
    try {
      while (state.hanging < MAX_OUTLIVED + 2) await new Promise((resolve) => setTimeout(resolve, 20))
      await fetchAll(base, '/done', 1)
      const { text, data } = await call(client, 'list_requests')
      expect(text).toContain(`2 requests still running were let go of (over ${MAX_OUTLIVED} held after more than maxRequests newer requests): the oldest running requests may be missing here.`)
      expect(data.runningDropped).toBe(2)
      expect(data.total).toBe(MAX_OUTLIVED + 1)
    } finally {
      release()
      await Promise.all(hanging.map(async (res) => (await res).text()))
      await client.close()
    }
  })
})
