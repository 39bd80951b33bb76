/**
 * The history at its bound, when requests finish in another order than they started: every
 * store keeps the newest `maxRequests` requests by start time, as the list is ordered, and
 * drops the oldest started. The in-memory history used to drop the request that finished
 * first, so it and SQLite or PostgreSQL kept different requests.
 */
import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar, MemoryStore, type ToolbarStore } from '../src/index.js'
import { request } from '../test/support/local.js'
import { durableStores, onEachDurableStore, type Durable } from './support/durable-stores.js'

const stores = await durableStores('history bound')

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Five requests, `/a` to `/e` in start order, that finish in the order c, a, d, e, b, on an
 * app whose history keeps 3; answers the history's paths and what it says it dropped.
 */
async function outOfOrder(store: ToolbarStore): Promise<{ paths: string[]; dropped: number | undefined }> {
  const app = new Hono()
  app.use(debugToolbar({ store, maxRequests: 3 }))
  const gates = new Map<string, () => void>()
  app.get('/:name', async (c) => {
    await new Promise<void>((resolve) => gates.set(c.req.param('name'), resolve))
    return c.text(c.req.param('name'))
  })
  const answers = new Map<string, Promise<unknown>>()
  const start = async (name: string) => {
    // A millisecond apart at least: the stores order by start to the millisecond.
    await pause(2)
    answers.set(name, request(app, `/${name}`))
    await expect.poll(() => gates.has(name)).toBe(true)
  }
  const finish = async (name: string) => {
    gates.get(name)!()
    await answers.get(name)
    await store.flush?.()
  }
  await start('a')
  await start('b')
  await start('c')
  await finish('c')
  await finish('a')
  await start('d')
  await finish('d')
  await start('e')
  // The history is full (a, c, d): e takes a's place...
  await finish('e')
  // ...and b, older than every request kept, is dropped as it is saved.
  await finish('b')
  const page = (await request(app, '/_debug_toolbar/api/requests')).json() as { requests: Array<{ path: string }>; dropped?: number }
  return { paths: page.requests.map((r) => r.path), dropped: page.dropped }
}

describe('the history at its bound with requests finishing out of order', () => {
  it('keeps the three newest by start in memory, and drops the two oldest', async () => {
    const memory = new MemoryStore(3)
    expect(await outOfOrder(memory)).toEqual({ paths: ['/e', '/d', '/c'], dropped: 2 })
    expect(memory.dropped).toBe(2)
  })
})

onEachDurableStore('keeps the requests the in-memory history keeps', stores, 'bound', { maxRequests: 3 }, async (open: () => Durable) => {
  const store = open()
  try {
    expect(await outOfOrder(store)).toEqual({ paths: ['/e', '/d', '/c'], dropped: 2 })
  } finally {
    await store.close()
  }
})
