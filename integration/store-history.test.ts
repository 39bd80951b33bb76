/**
 * The history list a user pages through (`GET {prefix}/api/requests`) answers the same on
 * every store: the same requests saved in memory, in SQLite and in PostgreSQL give the same
 * pages, filtered or not, even when many requests started in the same millisecond (a burst
 * of concurrent requests), where the order used to be left to the database, and a store
 * filled past its bound keeps the requests the in-memory history keeps.
 */
import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { Hono } from 'hono'
import { debugToolbar, MemoryStore, type ToolbarStore } from '../src/index.js'
import type { StoredRequest } from '../src/core/store.js'
import { SqliteStore } from '../src/store/sqlite.js'
import { PostgresStore } from '../src/store/postgres.js'
import { request } from '../test/support/local.js'
import { uniqueSchema } from './support/postgres-server.js'
import { durableStores, type Durable } from './support/durable-stores.js'

const { dir, postgresUrl } = await durableStores('history')

/** 240 requests in bursts of 60 that started in the same millisecond, ids in the order they were made. */
function burst(): StoredRequest[] {
  const methods = ['GET', 'POST', 'GET', 'DELETE']
  return Array.from({ length: 240 }, (_, i) => ({
    id: `0000beef${i.toString(16).padStart(8, '0')}`,
    method: methods[i % 4],
    path: `/items/${i % 7}`,
    route: '/items/:id',
    status: i % 5 === 0 ? 404 : i % 11 === 0 ? 500 : 200,
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, Math.floor(i / 60))).toISOString(),
    durationMs: 1,
    traceId: undefined,
    panels: {},
    nav: [],
  }))
}

/** Every page of the history for `query`, as the API answers them, `limit` at a time. */
async function pages(store: ToolbarStore, query: string, limit: number): Promise<Array<{ ids: string[]; total: number }>> {
  const app = new Hono()
  app.use(debugToolbar({ store, enabled: true }))
  const answers: Array<{ ids: string[]; total: number }> = []
  for (let offset = 0; offset < 260; offset += limit) {
    const { status, json } = await request(app, `/_debug_toolbar/api/requests?limit=${limit}&offset=${offset}${query}`)
    expect(status).toBe(200)
    const page = json() as { requests: Array<{ id: string }>; total: number }
    answers.push({ ids: page.requests.map((r) => r.id), total: page.total })
  }
  return answers
}

const QUERIES = ['', '&method=get', '&status=4xx', '&status=500', '&path=/items/3', '&method=POST&status=200']

async function sameAsMemory(make: (maxRequests: number) => Durable, maxRequests = 500): Promise<void> {
  const memory = new MemoryStore(maxRequests)
  const durable = make(maxRequests)
  for (const saved of burst()) {
    memory.save(saved)
    durable.save(saved)
  }
  await durable.flush()
  for (const query of QUERIES) {
    for (const limit of [7, 50]) {
      const expected = await pages(memory, query, limit)
      const answered = await pages(durable, query, limit)
      expect(answered, `${query || 'no filter'}, ${limit} a page`).toEqual(expected)
      // Every request matching the filter is on exactly one page.
      const ids = answered.flatMap((page) => page.ids)
      expect(new Set(ids).size).toBe(ids.length)
      expect(ids.length).toBe(expected[0].total)
    }
  }
  await durable.close()
}

describe('the history list pages alike on every store', () => {
  it('SQLite gives the pages the in-memory history gives', async () => {
    await sameAsMemory(() => new SqliteStore({ path: join(dir, 'history.db') }))
  })

  it('SQLite past its bound keeps the requests the in-memory history keeps', async () => {
    await sameAsMemory((maxRequests) => new SqliteStore({ path: join(dir, 'bounded.db'), maxRequests }), 100)
  })

  it.skipIf(!postgresUrl)('PostgreSQL gives the pages the in-memory history gives', async () => {
    await sameAsMemory(() => new PostgresStore({ connectionString: postgresUrl ?? '', schema: uniqueSchema('history') }))
  })

  it.skipIf(!postgresUrl)('PostgreSQL past its bound keeps the requests the in-memory history keeps', async () => {
    const url = postgresUrl ?? ''
    await sameAsMemory((maxRequests) => new PostgresStore({ connectionString: url, schema: uniqueSchema('bounded'), maxRequests }), 100)
  })
})

/** The history after a slow request and a fast one that started after it but finished first. */
async function slowThenFast(store: ToolbarStore): Promise<string[]> {
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  const app = new Hono()
  app.use(debugToolbar({ store, enabled: true }))
  app.get('/slow', async (c) => (await released, c.text('slow')))
  app.get('/fast', (c) => c.text('fast'))
  const slow = request(app, '/slow')
  // Started a few milliseconds later, so that the two do not start in the same millisecond.
  await new Promise((resolve) => setTimeout(resolve, 5))
  await request(app, '/fast')
  release()
  await slow
  const page = (await request(app, '/_debug_toolbar/api/requests')).json() as { requests: Array<{ path: string }> }
  return page.requests.map((r) => r.path)
}

describe('the history list is newest first by start on every store', () => {
  it('lists a fast request that started after a slow one first, in memory and in SQLite', async () => {
    expect(await slowThenFast(new MemoryStore())).toEqual(['/fast', '/slow'])
    const sqlite = new SqliteStore({ path: join(dir, 'started.db') })
    expect(await slowThenFast(sqlite)).toEqual(['/fast', '/slow'])
    await sqlite.close()
  })

  it.skipIf(!postgresUrl)('lists them so in PostgreSQL', async () => {
    const store = new PostgresStore({ connectionString: postgresUrl ?? '', schema: uniqueSchema('started') })
    expect(await slowThenFast(store)).toEqual(['/fast', '/slow'])
    await store.close()
  })
})

describe('odd history filters and ids answer alike on every store, never a 500', () => {
  const QUERIES = ['offset=100000000000000000000', 'offset=9223372036854775808', 'path=%00', 'method=G%00T', 'path=a%00b&status=2xx']

  async function answers(store: ToolbarStore): Promise<Array<[number, unknown]>> {
    const app = new Hono()
    app.use(debugToolbar({ store, enabled: true }))
    app.get('/', (c) => c.text('ok'))
    await request(app, '/')
    const answered: Array<[number, unknown]> = []
    for (const query of QUERIES) {
      const { status, json } = await request(app, `/_debug_toolbar/api/requests?${query}`)
      const body = json() as { error?: string; requests?: unknown[] }
      answered.push([status, body.error ?? body.requests])
    }
    const unknown = await request(app, '/_debug_toolbar/api/requests/x%00y')
    answered.push([unknown.status, unknown.json()])
    return answered
  }

  it('SQLite and PostgreSQL answer as the in-memory history does', async () => {
    const expected = await answers(new MemoryStore())
    expect(expected.map(([status]) => status)).toEqual([400, 400, 200, 200, 200, 404])
    expect(expected[0][1]).toBe('offset must be a whole number, got "100000000000000000000"')
    const sqlite = new SqliteStore({ path: join(dir, 'odd.db') })
    expect(await answers(sqlite)).toEqual(expected)
    await sqlite.close()
    if (!postgresUrl) return
    const postgres = new PostgresStore({ connectionString: postgresUrl, schema: uniqueSchema('odd') })
    expect(await answers(postgres)).toEqual(expected)
    await postgres.close()
  })
})
