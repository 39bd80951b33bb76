import { Hono } from 'hono'
import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { debugToolbar, MemoryStore, type RequestFilter, type StoredRequest, type ToolbarStore } from '../../src/index.js'
import { PROCESS_INSTANCE } from '../../src/core/store.js'
import { SqliteStore } from '../../src/store/sqlite.js'
import { request } from '../support/local.js'

async function historySubtitle(app: Hono, path: string): Promise<string> {
  const { headers } = await request(app, path)
  const detail = (await request(app, `/_debug_toolbar/api/requests/${headers.get('x-debug-toolbar-request-id')}`)).json()
  return detail.nav.find((n: { id: string }) => n.id === 'history').subtitle
}

describe('HistoryPanel', () => {
  it('counts the requests the history holds, this one included, in words that agree with the number', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/', (c) => c.text('ok'))
    expect(await historySubtitle(app, '/')).toBe('1 request')
    expect(await historySubtitle(app, '/')).toBe('2 requests')
    expect(await historySubtitle(app, '/')).toBe('3 requests')
  })

  it('gives the count as it is now on an older request, and the dropped requests too', async () => {
    const app = new Hono()
    app.use(debugToolbar({ maxRequests: 4 }))
    app.get('/', (c) => c.text('ok'))
    const first = (await request(app, '/')).headers.get('x-debug-toolbar-request-id')
    const second = (await request(app, '/')).headers.get('x-debug-toolbar-request-id')
    const detailOf = async (id: string | null) => (await request(app, `/_debug_toolbar/api/requests/${id}`)).json()
    expect((await detailOf(second)).nav.find((n: { id: string }) => n.id === 'history').subtitle).toBe('2 requests')
    for (let i = 0; i < 3; i++) await request(app, '/')
    // The first request left the history; the second is still there and was read before.
    expect((await request(app, `/_debug_toolbar/api/requests/${first}`)).status).toBe(404)
    const detail = await detailOf(second)
    expect(detail.nav.find((n: { id: string }) => n.id === 'history').subtitle).toBe('4 requests')
    expect(detail.panels.history).toEqual({ total: 4, dropped: 1, store: 'memory' })
  })
})

describe('GET /api/requests and the requests the history dropped', () => {
  it('answers how many requests the in-memory history pushed out, as it is now', async () => {
    const app = new Hono()
    app.use(debugToolbar({ maxRequests: 4 }))
    app.get('/', (c) => c.text('ok'))
    await request(app, '/')
    expect((await request(app, '/_debug_toolbar/api/requests')).json()).toMatchObject({ total: 1, dropped: 0 })
    for (let i = 0; i < 6; i++) await request(app, '/')
    const page = (await request(app, '/_debug_toolbar/api/requests?status=2xx')).json()
    expect(page).toMatchObject({ total: 4, dropped: 3 })
    expect(page.requests).toHaveLength(4)
  })

  it('answers dropped for a database store too: none while it is within maxRequests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hdt-history-list-'))
    const store = new SqliteStore({ path: join(dir, 'history.db') })
    const app = new Hono()
    app.use(debugToolbar({ store }))
    app.get('/', (c) => c.text('ok'))
    await request(app, '/')
    const page = (await request(app, '/_debug_toolbar/api/requests')).json()
    expect(page).toMatchObject({ total: 1, dropped: 0 })
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })
})

describe('HistoryPanel and the store it reads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hdt-history-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('names a durable store instead of counting it, and answers its state at /api/store', async () => {
    const store = new SqliteStore({ path: join(dir, 'history.db') })
    const app = new Hono()
    app.use(debugToolbar({ store }))
    app.get('/', (c) => c.text('ok'))
    expect(await historySubtitle(app, '/')).toBe('SQLite')
    const status = (await request(app, '/_debug_toolbar/api/store')).json()
    expect(status).toEqual({ kind: 'sqlite', location: join(dir, 'history.db'), available: true, queued: 0, dropped: 0, instances: 1, instance: PROCESS_INSTANCE })
    await store.close()
  })

  it('describes the in-memory store and a custom store without status(), and one whose status() fails', async () => {
    const state = async (store?: ToolbarStore) => {
      const app = new Hono()
      app.use(debugToolbar({ store }))
      return (await request(app, '/_debug_toolbar/api/store')).json()
    }
    expect(await state()).toEqual({ kind: 'memory', available: true, queued: 0, dropped: 0, instances: 1, instance: PROCESS_INSTANCE })
    class CustomStore extends MemoryStore {}
    const custom = new CustomStore()
    expect((await state(custom)).kind).toBe('memory')
    const plain: ToolbarStore = { save: () => undefined, get: () => undefined, list: () => ({ requests: [], total: 0 }) }
    expect((await state(plain)).kind).toBe('Object')
    class RedisStore implements ToolbarStore {
      readonly kind = 'redis'
      private readonly inner = new MemoryStore()
      save = (request: StoredRequest) => this.inner.save(request)
      get = (id: string) => this.inner.get(id)
      list = (filter: RequestFilter) => this.inner.list(filter)
      status = () => Promise.reject(new Error('no route to host'))
    }
    const failing = new RedisStore()
    expect(await state(failing)).toMatchObject({ kind: 'redis', available: false, error: 'no route to host' })
    const app = new Hono()
    app.use(debugToolbar({ store: failing }))
    app.get('/', (c) => c.text('ok'))
    expect(await historySubtitle(app, '/')).toBe('redis')
  })
})
