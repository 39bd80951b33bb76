/**
 * A durable store filled past `maxRequests`, as a user sees it: the history list says how
 * many older requests were dropped, as it does for the in-memory history, and the count is
 * the database's, so two instances sharing it both give the whole count.
 */
import { expect } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar, type ToolbarStore } from '../src/index.js'
import { request } from '../test/support/local.js'
import { durableStores, onEachDurableStore, type Durable } from './support/durable-stores.js'

const stores = await durableStores('dropped requests')

function app(store: ToolbarStore): Hono {
  const app = new Hono()
  app.use(debugToolbar({ store, enabled: true }))
  app.get('/items/:id', (c) => c.text(`item ${c.req.param('id')}`))
  return app
}

/** Two instances on one store with maxRequests 5: A makes 4 requests, then B makes 4. */
async function droppedIsCounted(open: () => Durable): Promise<void> {
  const stores = [open(), open()]
  const [a, b] = stores.map(app)
  for (const [instance, from] of [[a, 1], [b, 5]] as const) {
    for (let i = from; i < from + 4; i++) expect((await request(instance, `/items/${i}`)).status).toBe(200)
    // The list waits for the requests this instance answered to be stored.
    await request(instance, '/_debug_toolbar/api/requests')
  }
  for (const instance of [a, b]) {
    const page = (await request(instance, '/_debug_toolbar/api/requests')).json() as { requests: Array<{ path: string }>; total: number; dropped?: number }
    expect(page.requests.map((r) => r.path)).toEqual(['/items/8', '/items/7', '/items/6', '/items/5', '/items/4'])
    expect(page.total).toBe(5)
    expect(page.dropped).toBe(3)
  }
  for (const store of stores) await store.close()
  // A restart keeps the count: it is the history's, not a process's.
  const reopened = open()
  expect(((await request(app(reopened), '/_debug_toolbar/api/requests')).json() as { dropped?: number }).dropped).toBe(3)
  await reopened.close()
}

onEachDurableStore('a durable store past maxRequests says how many requests it dropped', stores, 'dropped', { maxRequests: 5 }, droppedIsCounted)
