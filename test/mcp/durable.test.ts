import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { serve, type ServerType } from '@hono/node-server'
import { debugToolbar } from '../../src/index.js'
import { SqliteStore } from '../../src/store/sqlite.js'
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
})
