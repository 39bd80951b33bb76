/**
 * A durable store opened on a history larger than its bounds (an app restarted with a
 * smaller `maxRequests`, or killed between writing a batch and pruning after it) shows no
 * more than its bounds from the first look, and counts what it dropped.
 */
import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { Hono } from 'hono'
import { debugToolbar } from '../src/index.js'
import type { DurableStoreOptions } from '../src/store/queued-store.js'
import { SqliteStore } from '../src/store/sqlite.js'
import { PostgresStore } from '../src/store/postgres.js'
import { request } from '../test/support/local.js'
import { sampleRequest } from '../test/store/samples.js'
import { uniqueSchema } from './support/postgres-server.js'
import { durableStores, type Durable } from './support/durable-stores.js'

const { dir, postgresUrl } = await durableStores('reopening')

async function boundedFromTheStart(open: (options: DurableStoreOptions) => Durable): Promise<void> {
  const before = open({})
  for (let i = 1; i <= 8; i++) before.save(sampleRequest(i))
  await before.close()
  const store = open({ maxRequests: 5 })
  const app = new Hono()
  app.use(debugToolbar({ store, enabled: true }))
  const page = (await request(app, '/_debug_toolbar/api/requests')).json() as { requests: Array<{ id: string }>; total: number; dropped: number }
  expect(page.requests.map((r) => r.id)).toEqual(['req-8', 'req-7', 'req-6', 'req-5', 'req-4'])
  expect(page).toMatchObject({ total: 5, dropped: 3 })
  await store.close()
}

describe('a durable store opened over its bounds prunes before it is read', () => {
  it('SQLite', async () => {
    const path = join(dir, 'reopen.db')
    await boundedFromTheStart((options) => new SqliteStore({ path, ...options }))
  })

  it.skipIf(!postgresUrl)('PostgreSQL', async () => {
    const schema = uniqueSchema('reopen')
    const url = postgresUrl ?? ''
    await boundedFromTheStart((options) => new PostgresStore({ connectionString: url, schema, ...options }))
  })
})
