/**
 * How the demo app's toolbar reads, in a real browser: what it says once rather than twice,
 * what it shows for something that did not happen, and lines that stay readable in a
 * 600 px window.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/readability.test.ts
 */
import type { Locator, Page } from 'playwright-core'
import { beforeEach, describe, expect, it } from 'vitest'
// @ts-expect-error TS7016: no .d.ts beside the compiled demo
import { createApp as compiledCreateApp } from '../../dist/examples/basic/app.js'
import type { createApp as CreateApp } from '../../examples/basic/app.js'
import { openPanel, useBrowserSession, type ServedApp } from './harness.js'

const createApp: typeof CreateApp = compiledCreateApp
const WITHIN = { timeout: 10_000 }

let server: ServedApp
let page: Page
let errors: string[]

const session = useBrowserSession(() => createApp(), { width: 1440, height: 900 })
beforeEach(() => {
  ;({ server, page, errors } = session)
})

async function open(path: string): Promise<void> {
  const res = await page.goto(`${server.url}${path}`)
  expect(res?.status(), path).toBe(200)
}

async function otelPane(): Promise<Locator> {
  const pane = await openPanel(page, 'OpenTelemetry')
  await pane.locator('.hdt-wf-row').first().waitFor(WITHIN)
  return pane
}

describe('the OpenTelemetry panel of the demo, which exports nothing', () => {
  it('says once that nothing is exported, beside the way to start Jaeger', async () => {
    await open('/users/1')
    const pane = await otelPane()
    expect(await pane.locator('[data-export="none"]').innerText()).toContain('Nothing is exported')
    // The same fact in a second line above it only made the header longer.
    expect(await pane.getByText(/exports no spans|nothing is exported/i).count()).toBe(1)
    expect(errors).toEqual([])
  })

  it('compares with a request of another route: a group that one side does not have shows a dash for its time, not 0 ns', async () => {
    await open('/')
    await open('/users/1')
    const pane = await otelPane()
    await pane.getByRole('tab', { name: 'Compare' }).click()
    const select = pane.getByLabel('Request to compare with')
    const home = select.locator('option', { hasText: /^GET \/ · / }).first()
    await home.waitFor({ state: 'attached', ...WITHIN })
    await select.selectOption((await home.getAttribute('value'))!)
    const route = pane.locator('.hdt-compare-groups tbody tr', { hasText: 'GET /users/:id' })
    // The comparison with the previous /users/:id request shows first; then the one with /.
    await expect.poll(async () => (await route.locator('td').allInnerTexts())[1], WITHIN).toBe('0')
    const cells = await route.locator('td').allInnerTexts()
    expect(cells.slice(0, 4)).toEqual(['demo-basic: GET /users/:id', '0', '1', '+1'])
    expect(cells[4]).toBe('—')
    expect(cells[5]).toMatch(/^[\d.]+ (µs|ms)$/)
    const homeRow = pane.locator('.hdt-compare-groups tbody tr').filter({ has: page.locator('td', { hasText: /^demo-basic: GET \/$/ }) })
    expect((await homeRow.locator('td').allInnerTexts()).slice(1)).toEqual(['1', '0', '−1', expect.stringMatching(/^[\d.]+ (µs|ms)$/), '—'])
    expect(await pane.locator('.hdt-compare-groups').innerText()).not.toContain('0 ns')
    expect(errors).toEqual([])
  })
})

describe('work a request left running: the demo sends a welcome email 200 ms after answering POST /form', () => {
  it('the SQL panel marks the query run after the response and draws its bar at the end of the time line, inside the track', async () => {
    const sent = await fetch(`${server.url}/form`, {
      method: 'POST',
      body: new URLSearchParams({ name: 'Grace Hopper', email: `grace-${Date.now()}@example.com` }),
      redirect: 'manual',
    })
    expect(sent.status).toBe(303)
    const id = sent.headers.get('x-debug-toolbar-request-id')
    expect(id).toBeTruthy()
    await page.goto(`${server.url}/_debug_toolbar/requests/${id}`)
    const body = await openPanel(page, 'SQL')
    const late = body.locator('.hdt-sql-queries tbody tr', { hasText: 'SELECT name, email' })
    // The email's query runs 200 ms after the answer; the panel reads the request again until it is there.
    await expect
      .poll(async () => {
        if (!(await late.count())) await page.reload().then(() => openPanel(page, 'SQL'))
        return late.count()
      }, WITHIN)
      .toBe(1)
    expect(await late.locator('td').nth(1).innerText()).toMatch(/^[\d.]+ ms\nafter the response$/)
    const insert = body.locator('.hdt-sql-queries tbody tr', { hasText: 'INSERT INTO users' })
    expect(await insert.locator('td').nth(1).innerText()).toMatch(/^[\d.]+ ms$/)
    const track = (await late.locator('.hdt-bar').boundingBox())!
    const bar = (await late.locator('.hdt-bar > span').boundingBox())!
    expect(bar.width).toBeGreaterThanOrEqual(1)
    expect(bar.x).toBeGreaterThanOrEqual(track.x)
    expect(bar.x + bar.width).toBeLessThanOrEqual(track.x + track.width + 0.5)
    // In a 600 px window the note wraps under the time rather than widening its column.
    await page.setViewportSize({ width: 600, height: 900 })
    const start = late.locator('td').nth(1)
    expect((await start.boundingBox())!.width).toBeLessThanOrEqual(90)
    expect((await late.locator('.hdt-sql-cell').boundingBox())!.width).toBeGreaterThanOrEqual(150)
    const lines = await late.locator('.hdt-sql-late').evaluate((e) => Math.round(e.getBoundingClientRect().height / Number.parseFloat(getComputedStyle(e).lineHeight)))
    expect(lines).toBeLessThanOrEqual(2)
    expect(errors).toEqual([])
  })

  it('the Logging panel marks the line logged after the response, and the note wraps under its time in a 600 px window', async () => {
    const sent = await fetch(`${server.url}/form`, {
      method: 'POST',
      body: new URLSearchParams({ name: 'Dorothy Vaughan', email: `dorothy-${Date.now()}@example.com` }),
      redirect: 'manual',
    })
    const id = sent.headers.get('x-debug-toolbar-request-id')
    await new Promise((resolve) => setTimeout(resolve, 400))
    await page.setViewportSize({ width: 600, height: 900 })
    await page.goto(`${server.url}/_debug_toolbar/requests/${id}`)
    const body = await openPanel(page, 'Logging')
    const late = body.locator('tbody tr', { hasText: 'welcome email' })
    await late.waitFor(WITHIN)
    const at = late.locator('td').first()
    expect(await at.innerText()).toMatch(/^[\d.]+ ms\nafter the\s+response$/)
    expect((await at.boundingBox())!.width).toBeLessThanOrEqual(90)
    // Two lines, not a tower of letters (the cell breaks long tokens anywhere).
    const lines = await late.locator('.hdt-log-late').evaluate((e) => Math.round(e.getBoundingClientRect().height / Number.parseFloat(getComputedStyle(e).lineHeight)))
    expect(lines).toBeLessThanOrEqual(2)
    expect(errors).toEqual([])
  })
})

describe('the Profile panel of /slow, profiled', () => {
  it('labels the flame chart with round times, on an axis as wide as the frames', async () => {
    await open('/slow?_dt_profile=1')
    const body = await openPanel(page, 'Profile')
    const axis = body.locator('.hdt-flame-axis')
    await axis.waitFor(WITHIN)
    const labels = await axis.locator('span').allInnerTexts()
    expect(labels.length).toBeGreaterThanOrEqual(2)
    const values = labels.map((label) => {
      expect(label).toMatch(/^\d+(\.\d+)? ms$/)
      return Number.parseFloat(label)
    })
    // Evenly spaced by a step of 1, 2 or 5 times a power of ten, each a multiple of it.
    const step = values[1]! - values[0]!
    const mantissa = step / 10 ** Math.floor(Math.log10(step))
    expect([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6)).toBe(true)
    for (const [i, value] of values.entries()) {
      expect(value).toBeCloseTo(values[0]! + i * step, 6)
      expect(Math.abs(value / step - Math.round(value / step))).toBeLessThan(1e-6)
    }
    const axisBox = (await axis.boundingBox())!
    const frames = (await body.locator('.hdt-flame-frames').boundingBox())!
    expect(Math.abs(axisBox.x - frames.x)).toBeLessThanOrEqual(0.5)
    expect(Math.abs(axisBox.x + axisBox.width - (frames.x + frames.width))).toBeLessThanOrEqual(0.5)
    // No label reaches past the chart.
    for (const label of await axis.locator('span').all()) {
      const box = (await label.boundingBox())!
      expect(box.x).toBeGreaterThanOrEqual(frames.x - 0.5)
      expect(box.x + box.width).toBeLessThanOrEqual(frames.x + frames.width + 0.5)
    }
    expect(errors).toEqual([])
  })
})

describe('in a 600 px window', () => {
  it("the Traces list keeps a root span's route on one line", async () => {
    await page.setViewportSize({ width: 600, height: 900 })
    await open('/users/1')
    const body = await openPanel(page, 'History')
    const name = body.locator('tr[data-hdt-trace-row]', { hasText: 'GET /users/:id' }).first().locator('code')
    await name.waitFor(WITHIN)
    // One box per line the inline name takes: `GET` and `/users/:id` (or both on one line).
    const lines = await name.evaluate((element) => new Set([...element.getClientRects()].map((r) => Math.round(r.top))).size)
    expect(lines).toBeLessThanOrEqual(2)
    // The room came from the span count, now under the services.
    const trace = body.locator('tr[data-hdt-trace-row]', { hasText: 'GET /users/:id' }).first()
    expect(await trace.locator('.hdt-trace-services').innerText()).toMatch(/\n\d+ spans?$/)
    // Nothing reaches past the window's edge for it.
    const row = body.locator('tr[data-hdt-trace-row]').first()
    expect(((await row.boundingBox())?.x ?? 0) + ((await row.boundingBox())?.width ?? 0)).toBeLessThanOrEqual(600)
    expect(errors).toEqual([])
  })
})
