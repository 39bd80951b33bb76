/**
 * The History panel with a durable store, in a real browser: it says which store the
 * history is read from and which instance served each request; when the database is cut
 * off the page is still served and the panel says the store is unavailable; when the
 * database is back the history is whole again. A store past its bound says how many older
 * requests it dropped, as the in-memory history does.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/stores.test.ts
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { afterAll, describe, expect, it } from 'vitest'
import { debugToolbar } from '../../src/index.js'
import { PostgresStore } from '../../src/store/postgres.js'
import { SqliteStore } from '../../src/store/sqlite.js'
import { TcpCut, testPostgres, uniqueSchema } from '../support/postgres-server.js'
import { openPanel, useBrowserSession } from './harness.js'

const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url).pathname
const postgres = await testPostgres()
if (!postgres.available) console.log(`History panel with PostgresStore: skipped: ${postgres.reason}`)
const target = postgres.available ? new URL(postgres.url) : undefined
const cut = target ? await new TcpCut(target.hostname, Number(target.port || 5432)).open() : undefined
afterAll(async () => {
  await cut?.cut()
  if (postgres.available) postgres.close()
})

function app(): Hono {
  const store = new PostgresStore({ connectionString: cut!.urlThrough(postgres.available ? postgres.url : ''), schema: uniqueSchema('browser') })
  const hono = new Hono()
  hono.use(debugToolbar({ app: hono, store, excludePaths: ['/favicon.ico'] }))
  hono.get('/favicon.ico', (c) => c.body(null, 204))
  hono.get('/users/:id', (c) => c.html(`<!doctype html><html><head><title>User</title></head><body><h1>User ${c.req.param('id')}</h1></body></html>`))
  return hono
}

describe.skipIf(!postgres.available)('History panel with PostgresStore', () => {
  const session = useBrowserSession(app, { width: 1280, height: 800 })

  it('names the store and the instance, says when the database is down, and is whole again when it is back', async () => {
    const { page, server } = session
    await page.goto(`${server.url}/users/1`)
    let pane = await openPanel(page, 'History')
    await expect.poll(() => pane.locator('.hdt-store-status').textContent()).toContain('Store: PostgreSQL')
    await expect.poll(() => pane.locator('.hdt-store-status').textContent()).toContain('1 instance wrote to it')
    await expect.poll(() => pane.locator('tr[data-hdt-history]').count()).toBe(1)
    expect(await pane.locator('th', { hasText: 'Instance' }).count()).toBe(1)

    await cut!.cut()
    await page.goto(`${server.url}/users/2`)
    await expect.poll(() => page.locator('body > h1').textContent()).toBe('User 2')
    pane = await openPanel(page, 'History')
    const alert = pane.locator('[role=alert]')
    await expect.poll(() => alert.textContent(), { timeout: 15_000 }).toContain('The store is unavailable')
    await expect.poll(() => pane.locator('.hdt-error-note').allTextContents()).toContainEqual(expect.stringMatching(/the postgres store at .* is unavailable/))
    mkdirSync(SCREENSHOTS, { recursive: true })
    await page.screenshot({ path: `${SCREENSHOTS}history-store-unavailable.png` })

    await cut!.restore()
    await expect
      .poll(
        async () => {
          await pane.locator('button', { hasText: 'Refresh' }).click()
          return pane.locator('tr[data-hdt-history]').count()
        },
        { timeout: 20_000 },
      )
      .toBe(2)
    // The rows and the store's state are two requests, and the store says it is available
    // again once its own writer has reconnected, which can be a refresh after the rows came.
    await expect
      .poll(
        async () => {
          if ((await alert.count()) > 0) await pane.locator('button', { hasText: 'Refresh' }).click()
          return alert.count()
        },
        { timeout: 20_000 },
      )
      .toBe(0)
    expect(session.errors.filter((e) => !e.includes('503'))).toEqual([])
  })
})

describe('History panel with a SqliteStore past maxRequests', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hdt-browser-sqlite-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const session = useBrowserSession(() => {
    const hono = new Hono()
    hono.use(debugToolbar({ app: hono, store: new SqliteStore({ path: join(dir, 'history.db'), maxRequests: 2 }), excludePaths: ['/favicon.ico'] }))
    hono.get('/favicon.ico', (c) => c.body(null, 204))
    hono.get('/users/:id', (c) => c.html(`<!doctype html><html><head><title>User</title></head><body><h1>User ${c.req.param('id')}</h1></body></html>`))
    return hono
  }, { width: 1280, height: 800 })

  it('shows the requests it keeps and says how many older ones it dropped', async () => {
    const { page, server } = session
    for (const id of [1, 2, 3, 4]) await (await fetch(`${server.url}/users/${id}`)).text()
    await page.goto(`${server.url}/users/5`)
    const pane = await openPanel(page, 'History')
    await expect.poll(() => pane.locator('tr[data-hdt-history]').count()).toBe(2)
    await expect.poll(() => pane.locator('.hdt-history-count').textContent()).toBe('2 of 2 shown · 3 older requests dropped from the history')
    expect(session.errors).toEqual([])
  })
})
