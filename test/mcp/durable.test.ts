import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { serve, type ServerType } from '@hono/node-server'
import { debugToolbar } from '../../src/index.js'
import { SqliteStore } from '../../src/store/sqlite.js'
import { sampleRequest } from '../store/samples.js'
import { call, connect, startShop } from './app.js'

const dir = mkdtempSync(join(tmpdir(), 'hdt-mcp-store-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the MCP server over a durable store', () => {
  it('answers from a SQLite history, also on another instance of the app, and clears it', async () => {
    const path = join(dir, 'history.db')
    const store = new SqliteStore({ path })
    const shop = await startShop({ store })
    const id = await shop.get('/users')
    await store.flush()

    // Another instance of the app (no OpenTelemetry panel, nothing recorded) shares the file.
    const otherStore = new SqliteStore({ path })
    const other = new Hono()
    other.use(debugToolbar({ store: otherStore }))
    const server: ServerType = await new Promise((resolve) => {
      const s = serve({ fetch: other.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    const client = await connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
    try {
      const listed = await call(client, 'list_requests')
      expect(listed.data.requests.map((r: { id: string }) => r.id)).toEqual([id])
      const brief = await call(client, 'get_request', { request_id: id })
      expect(brief.data.sql.nPlusOne[0]).toMatchObject({ count: 4 })
      const tree = await call(client, 'get_trace', { trace_id: brief.data.request.traceId })
      expect(tree.data.lines[0]).toMatchObject({ name: 'GET /users', kind: 'SERVER' })
      expect(tree.text).toMatch(/x4/)

      const cleared = await call(client, 'clear_history')
      expect(cleared.data.cleared).toBe(1)
      expect((await call(client, 'list_requests')).data.total).toBe(0)
    } finally {
      await client.close()
      await new Promise((resolve) => server.close(resolve))
      await otherStore.close()
      await shop.close()
      await store.close()
    }
  })

  it('list_requests says how many writes the store lost, as the History panel\'s store line does', async () => {
    // A queue of one write: two of three requests saved at once do not fit.
    const store = new SqliteStore({ path: join(dir, 'lost.db'), maxQueued: 1 })
    const app = new Hono()
    app.use(debugToolbar({ store }))
    const server: ServerType = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    const client = await connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
    try {
      for (const index of [1, 2, 3]) store.save(sampleRequest(index))
      await store.flush()
      expect((await store.status()).dropped).toBe(2)
      const listed = await call(client, 'list_requests')
      expect(listed.data.requests.map((r: { id: string }) => r.id)).toEqual(['req-1'])
      expect(listed.text).toContain('2 writes to the store were lost (its write queue was full, or the database refused them): the history may miss requests.')
      expect(listed.data.writesLost).toBe(2)
    } finally {
      await client.close()
      await new Promise((resolve) => server.close(resolve))
      await store.close()
    }
  })
})
