import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'

// Under @hono/vite-dev-server a save evaluates the entry module again: each app it makes
// gets a new toolbar, which takes over the history of the same app's previous toolbar.

describe('toolbars made again after a save under Vite', () => {
  it('tells apart two apps made in one file with one prefix', async () => {
    // What @hono/vite-dev-server puts in c.env: the dev server, whose HTTP server closing retires the last toolbars.
    const httpServer = new EventEmitter()
    const env = { incoming: { socket: { remoteAddress: '127.0.0.1' } }, vite: { httpServer } }
    // The entry module: a shop and its admin, each with the toolbar at the default prefix.
    const evaluate = () => {
      const shop = new Hono()
      shop.use(debugToolbar())
      shop.get('/shop', (c) => c.text('shop'))
      const admin = new Hono()
      admin.use(debugToolbar())
      admin.get('/admin', (c) => c.text('admin'))
      return { shop, admin }
    }
    const paths = async (app: Hono) => {
      const list = (await (await app.request('/_debug_toolbar/api/requests', {}, env)).json()) as { requests: Array<{ path: string }> }
      return list.requests.map((r) => r.path)
    }
    try {
      const first = evaluate()
      await (await first.shop.request('/shop', {}, env)).text()
      await (await first.admin.request('/admin', {}, env)).text()
      // Saved: both apps are made again, in the same order.
      const second = evaluate()
      await (await second.shop.request('/shop', {}, env)).text()
      await (await second.admin.request('/admin', {}, env)).text()
      expect(await paths(second.shop)).toEqual(['/shop', '/shop'])
      expect(await paths(second.admin)).toEqual(['/admin', '/admin'])
    } finally {
      httpServer.emit('close')
    }
  })
})
