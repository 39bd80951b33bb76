/**
 * The SQL panel's duplicate and similar markers in a real browser, on a page that runs real
 * SQLite queries with an N+1 loop and repeated queries: each marker is a button that picks
 * out the queries it counts, as django-debug-toolbar's links do; "Show all", the button
 * again or Esc shows every query again. Queries keep their number, their place on the time
 * line and what was opened under them (EXPLAIN), and the columns stay where they were. The
 * OpenTelemetry waterfall's N+1 badge opens the panel at its group of queries, also when the
 * values are written into the SQL, and says how many of them the badge counted under its span.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/sql-filters.test.ts
 */
import Database from 'better-sqlite3'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { Locator } from 'playwright-core'
import { debugToolbar, instrumentBetterSqlite3, renderTemplate, type Panel } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { openPanel, useBrowserSession } from './harness.js'


function shopApp(extraPanels: Panel[] = []): Hono {
  const db = instrumentBetterSqlite3(new Database(':memory:'))
  db.exec(`
    CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
    CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, price REAL);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, product_id INTEGER, reviewer_id INTEGER);
    INSERT INTO users VALUES (1, 'Ada'), (2, 'Grace'), (3, 'Linus');
    INSERT INTO products VALUES (10, 'Lamp', 30), (11, 'Desk', 200), (12, 'Chair', 90);
    INSERT INTO orders VALUES (1, 1, 10, 2), (2, 1, 11, 3), (3, 1, 10, 2), (4, 1, 12, 3), (5, 1, 10, 2);
  `)
  const app = new Hono()
  app.use(debugToolbar({ app, extraPanels }))
  app.get('/orders', (c) => {
    const user = db.prepare('SELECT id, name FROM users WHERE id = ?').get(1) as { id: number; name: string }
    const orders = db.prepare('SELECT id, product_id, reviewer_id FROM orders WHERE user_id = ? ORDER BY id').all(user.id) as Array<{
      id: number
      product_id: number
      reviewer_id: number
    }>
    // One query per order (N+1), the lamp's three times with the same id (duplicates).
    const lines = orders.map((o) => db.prepare('SELECT name, price FROM products WHERE id = ?').get(o.product_id) as { name: string })
    // The header and the page each count the orders: the same query twice.
    const header = db.prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number }
    db.prepare('SELECT COUNT(*) AS n FROM orders').get()
    // One query per reviewer: another N+1 pattern, of another shape.
    for (const reviewer of [2, 3]) db.prepare('SELECT name FROM users WHERE id = ?').get(reviewer)
    const items = lines.map((line) => `<li>${line.name}</li>`).join('')
    return c.html(`<!doctype html><html><head><link rel="icon" href="data:,"></head><body><h1>${user.name}: ${header.n} orders</h1><ul>${items}</ul></body></html>`)
  })
  // The ids written into the SQL: one text per query, one shape (the panel's and the waterfall's group).
  app.get('/inline', (c) => {
    db.prepare('SELECT COUNT(*) AS n FROM products').get()
    for (const id of [10, 11, 12]) db.prepare(`SELECT name, price FROM products WHERE id = ${id}`).get()
    return c.html('<!doctype html><html><head><link rel="icon" href="data:,"></head><body><p>3 products</p></body></html>')
  })
  // One shape run in two places: twice in the handler, three times inside a template's render,
  // so the waterfall's N+1 group (per parent span) holds 3 and the panel's (per request) 5.
  app.get('/split', (c) => {
    for (const id of [10, 11]) db.prepare('SELECT name, price FROM products WHERE id = ?').get(id)
    const page = renderTemplate('order lines', () => {
      const names = [12, 10, 11].map((id) => (db.prepare('SELECT name, price FROM products WHERE id = ?').get(id) as { name: string }).name)
      return `<!doctype html><html><head><link rel="icon" href="data:,"></head><body><p>${names.join(', ')}</p></body></html>`
    })
    return c.html(page)
  })
  return app
}

/** The numbers (#) of the queries the panel lists, in order. */
const shownIds = (pane: Locator) => pane.locator('.hdt-sql-queries tbody tr > td:first-child').allInnerTexts()
const ALL = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11']

describe('the SQL panel picks out duplicated and similar queries', () => {
  const session = useBrowserSession(shopApp, { width: 1440, height: 900 })
  /** The SQL panel of /orders, every query listed; its filter line. */
  const openOrders = async () => {
    await session.open('/orders')
    const pane = await openPanel(session.page, 'SQL')
    await expect.poll(() => shownIds(pane)).toEqual(ALL)
    return { page: session.page, pane, filterLine: pane.locator('.hdt-sql-filter') }
  }

  it('filters the list from the summary badges, says so, and shows all again with "Show all" or Esc', async () => {
    const { page, pane, filterLine } = await openOrders()

    const duplicated = pane.getByRole('button', { name: 'Show the 5 duplicated queries', exact: true })
    expect(await duplicated.innerText()).toBe('5 duplicated')
    expect(await duplicated.getAttribute('aria-pressed')).toBe('false')
    await duplicated.click()
    // The lamp three times and the count twice, each under its own number.
    await expect.poll(() => shownIds(pane)).toEqual(['3', '5', '7', '8', '9'])
    expect(await duplicated.getAttribute('aria-pressed')).toBe('true')
    expect(await filterLine.innerText()).toBe('Showing 5 duplicated queries — Show all')
    await filterLine.getByRole('button', { name: 'Show all', exact: true }).click()
    await expect.poll(() => shownIds(pane)).toEqual(ALL)
    expect(await duplicated.getAttribute('aria-pressed')).toBe('false')
    expect(await filterLine.innerText()).toBe('')
    // The button that went away handed the focus back to the one that filtered.
    expect(await duplicated.evaluate((button) => button.getRootNode() instanceof ShadowRoot && (button.getRootNode() as ShadowRoot).activeElement === button)).toBe(true)

    // The keyboard: Enter on the similar badge, Esc inside the panel shows all and keeps the pane open.
    const similar = pane.getByRole('button', { name: 'Show the 7 similar queries', exact: true })
    await similar.focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => shownIds(pane)).toEqual(['3', '4', '5', '6', '7', '10', '11'])
    expect(await similar.getAttribute('aria-pressed')).toBe('true')
    expect(await filterLine.innerText()).toBe('Showing 7 similar queries — Show all')
    // The other summary badge switches the filter.
    await duplicated.click()
    await expect.poll(() => shownIds(pane)).toEqual(['3', '5', '7', '8', '9'])
    expect(await similar.getAttribute('aria-pressed')).toBe('false')
    await page.keyboard.press('Escape')
    await expect.poll(() => shownIds(pane)).toEqual(ALL)
    expect(await pane.isVisible()).toBe(true)
    // The same button twice: on, then off.
    await similar.click()
    await expect.poll(() => shownIds(pane)).toHaveLength(7)
    await similar.click()
    await expect.poll(() => shownIds(pane)).toEqual(ALL)
    // With nothing filtered, Esc closes the pane as before.
    await similar.focus()
    await page.keyboard.press('Escape')
    await expect.poll(() => pane.isVisible()).toBe(false)
    expect(session.errors).toEqual([])
  })

  it('keeps the columns where they are when a filter shows fewer queries', async () => {
    const { pane } = await openOrders()
    const columns = () => pane.locator('.hdt-sql-queries thead th').evaluateAll((cells) => cells.map((cell) => Math.round(cell.getBoundingClientRect().left * 10) / 10))
    const all = await columns()
    for (const name of ['Show the 5 duplicated queries', 'Show the 7 similar queries']) {
      await pane.getByRole('button', { name, exact: true }).click()
      await expect.poll(() => shownIds(pane)).not.toEqual(ALL)
      expect(await columns(), name).toEqual(all)
    }
    await pane.locator('.hdt-sql-queries tbody tr').first().getByRole('button', { name: 'similar ×5, show the 5 queries of this shape', exact: true }).click()
    await expect.poll(() => shownIds(pane)).toEqual(['3', '4', '5', '6', '7'])
    expect(await columns()).toEqual(all)
  })

  it("shows a row's group from its badge, with EXPLAIN, numbers and time line bars as in the whole list", async () => {
    const { page, pane, filterLine } = await openOrders()
    const row = (id: number) => pane.locator('.hdt-sql-queries tbody tr').filter({ has: page.locator('td:first-child', { hasText: new RegExp(`^${id}$`) }) })
    const barOf = (id: number) => row(id).locator('.hdt-bar > span').evaluate((bar) => (bar as HTMLElement).style.cssText)
    const bar6 = await barOf(6)

    // The count's second run: its badge shows the two runs.
    const count = row(9).getByRole('button', { name: 'duplicate ×2, show the 2 identical queries', exact: true })
    expect(await count.getAttribute('aria-pressed')).toBe('false')
    await count.click()
    await expect.poll(() => shownIds(pane)).toEqual(['8', '9'])
    expect(await filterLine.innerText()).toBe('Showing 2 identical queries (same SQL and params) — Show all')
    // Both runs' badges say the filter is theirs; the summary's do not.
    expect(await pane.locator('.hdt-sql-badges button[aria-pressed="true"]').count()).toBe(2)
    expect(await pane.getByRole('button', { name: 'Show the 5 duplicated queries' }).getAttribute('aria-pressed')).toBe('false')
    await count.click()
    await expect.poll(() => shownIds(pane)).toEqual(ALL)

    // The product lookups, one per order: their shape, whatever the id.
    await row(4).getByRole('button', { name: 'similar ×5, show the 5 queries of this shape', exact: true }).click()
    await expect.poll(() => shownIds(pane)).toEqual(['3', '4', '5', '6', '7'])
    expect(await filterLine.innerText()).toBe('Showing 5 queries of one shape (same SQL, other values) — Show all')
    // A lamp lookup's own badge picks its three runs from there.
    await row(5).getByRole('button', { name: 'duplicate ×3, show the 3 identical queries', exact: true }).click()
    await expect.poll(() => shownIds(pane)).toEqual(['3', '5', '7'])
    await row(5).getByRole('button', { name: 'similar ×5, show the 5 queries of this shape', exact: true }).click()
    await expect.poll(() => shownIds(pane)).toEqual(['3', '4', '5', '6', '7'])

    // The filtered list keeps the query's place on the request's time line, and EXPLAIN works.
    expect(await barOf(6)).toBe(bar6)
    await row(6).getByRole('button', { name: 'Explain', exact: true }).click()
    const plan = row(6).locator('.hdt-sql-plan .hdt-code')
    await plan.waitFor()
    expect(await plan.innerText()).toMatch(/SEARCH products USING INTEGER PRIMARY KEY/)
    await filterLine.getByRole('button', { name: 'Show all', exact: true }).click()
    await expect.poll(() => shownIds(pane)).toEqual(ALL)
    // The plan stays open under its query in the whole list.
    expect(await row(6).locator('.hdt-sql-plan .hdt-code').innerText()).toMatch(/SEARCH products/)
    expect(await barOf(6)).toBe(bar6)
    expect(session.errors).toEqual([])
  })
})

describe("the OpenTelemetry waterfall's N+1 badge", () => {
  const session = useBrowserSession(() => shopApp([new OpenTelemetryPanel({ exporter: 'none' })]), { width: 1440, height: 900 })
  /** Loads `path`, checks the waterfall folds its loop into `label`, and clicks that row's N+1 badge (named `name`); the SQL pane. */
  const clickNPlusOne = async (path: string, label: string, name: string) => {
    await session.open(path)
    const group = (await openPanel(session.page, 'OpenTelemetry')).locator('.hdt-wf-group')
    await group.waitFor({ timeout: 10_000 })
    expect(await group.locator('.hdt-wf-label').textContent()).toBe(label)
    const badge = group.getByRole('button', { name, exact: true })
    expect(await badge.innerText()).toBe('N+1 · SQL')
    await badge.click()
    return session.page.locator('#hono-debug-toolbar .hdt-pane[data-hdt-pane="sql"]')
  }

  it('opens the SQL panel showing only the queries of its group, the first one focused, and "Show all" shows every query', async () => {
    const { page } = session
    const pane = await clickNPlusOne('/orders', 'SELECT products ×5', 'N+1 · SQL, open the SQL panel at these 5 queries')
    const filterLine = pane.locator('.hdt-sql-filter')
    await expect.poll(() => shownIds(pane)).toEqual(['3', '4', '5', '6', '7'])
    expect(await filterLine.innerText()).toBe('Showing 5 queries of one shape (same SQL, other values) — Show all')
    // The first query of the group has the focus: its pressed "similar" badge, which shows all again.
    const first = pane.locator('.hdt-sql-queries tbody tr').filter({ has: page.locator('td:first-child', { hasText: /^3$/ }) })
    expect(await pane.locator('.hdt-sql-queries tbody tr').first().innerText()).toBe(await first.innerText())
    const similar = first.getByRole('button', { name: 'similar ×5, show the 5 queries of this shape', exact: true })
    expect(await similar.getAttribute('aria-pressed')).toBe('true')
    await expect.poll(() => similar.evaluate((button) => (button.getRootNode() as ShadowRoot).activeElement === button)).toBe(true)

    await filterLine.getByRole('button', { name: 'Show all', exact: true }).click()
    await expect.poll(() => shownIds(pane)).toEqual(ALL)
    expect(await filterLine.innerText()).toBe('')
    expect(await similar.evaluate((button) => (button.getRootNode() as ShadowRoot).activeElement === button)).toBe(true)
    expect(session.errors).toEqual([])
  })

  it('opens the SQL panel at its group when the values are written into the SQL, not bound', async () => {
    const pane = await clickNPlusOne('/inline', 'SELECT products ×3', 'N+1 · SQL, open the SQL panel at these 3 queries')
    await expect.poll(() => shownIds(pane)).toEqual(['2', '3', '4'])
    expect(await pane.locator('.hdt-sql-filter').innerText()).toBe('Showing 3 queries of one shape (same SQL, other values) — Show all')
    expect(await pane.locator('.hdt-sql-queries tbody tr').first().getByRole('button', { name: 'similar ×3, show the 3 queries of this shape', exact: true }).getAttribute('aria-pressed')).toBe('true')
    expect(session.errors).toEqual([])
  })

  it('says how many of the queries it shows were under the span the badge counted them under', async () => {
    const pane = await clickNPlusOne('/split', 'SELECT products ×3', 'N+1 · SQL, open the SQL panel at these 3 queries')
    // The request ran the shape 5 times: the panel shows all 5, and says which 3 the waterfall counted.
    await expect.poll(() => shownIds(pane)).toEqual(['1', '2', '3', '4', '5'])
    expect(await pane.locator('.hdt-sql-filter').innerText()).toBe(
      'Showing 5 queries of one shape (same SQL, other values), 3 of them under “render order lines” in the waterfall — Show all',
    )
    expect(session.errors).toEqual([])
  })
})
