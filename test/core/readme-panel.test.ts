// The README's "Writing a panel" example, as written there, run as a user would.
import { describe, expect, it } from 'vitest'
import { request } from '../support/local.js'
import { AsyncLocalStorage } from 'node:async_hooks'
import { Hono, type Context } from 'hono'
import { Panel, currentRecord, debugToolbar, slotKey, type RequestRecord } from '../../src/index.js'

interface CacheStats { hits: number; misses: number }

// The type travels with the key: no type argument at record.slot() or record.peek().
const CACHE = slotKey<CacheStats>('cache')
const requestCache = new AsyncLocalStorage<Map<string, unknown>>()

/** Loads `key` once per request; later calls in the same request are hits. */
async function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
  const cache = requestCache.getStore()
  const stats = currentRecord()?.slot(CACHE, () => ({ hits: 0, misses: 0 }))
  if (cache?.has(key)) {
    if (stats) stats.hits++
    return cache.get(key) as T
  }
  if (stats) stats.misses++
  const value = await load()
  cache?.set(key, value)
  return value
}

class CachePanel extends Panel<CacheStats> {
  readonly id = 'cache'
  readonly title = 'Cache'
  // Wraps the rest of the request (the panels after this one, then the handler): what
  // next() runs sees this request's cache. Call next() once and return what it returns.
  around(_record: RequestRecord, _c: Context, next: () => Promise<void>) {
    return requestCache.run(new Map(), next)
  }
  generateStats(record: RequestRecord): CacheStats {
    return record.peek(CACHE) ?? { hits: 0, misses: 0 }
  }
  navSubtitle(stats: CacheStats) {
    return `${stats.hits} hits, ${stats.misses} misses`
  }
  serverTiming(record: RequestRecord) {
    return [{ name: 'cache', desc: `${record.peek(CACHE)?.hits ?? 0} hits` }]
  }
}

function readmeApp() {
  const app = new Hono()
  app.use(debugToolbar({ app, extraPanels: [new CachePanel()] }))
  app.get('/', async (c) => {
    const user = await cached('user:1', async () => ({ name: 'Ann' }))
    await cached('user:1', async () => ({ name: 'Ann' })) // a hit
    return c.html(`<html><body>Hello ${user.name}</body></html>`)
  })
  return app
}

describe('the README panel example', () => {
  it('counts one miss and one hit per request, each request with its own cache', async () => {
    const app = readmeApp()
    for (let i = 0; i < 2; i++) {
      const page = await request(app, '/')
      expect(page.text).toContain('Hello Ann')
      expect(page.headers.get('server-timing')).toContain('cache;desc="1 hits"')
      const detail = (await request(app, `/_debug_toolbar/api/requests/${page.headers.get('x-debug-toolbar-request-id')}`)).json()
      expect(detail.panels.cache).toEqual({ hits: 1, misses: 1 })
      expect(detail.nav.find((n: { id: string }) => n.id === 'cache').subtitle).toBe('1 hits, 1 misses')
    }
  })
})
