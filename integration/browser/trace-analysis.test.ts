/**
 * Trace analysis in the OpenTelemetry panel, in a real browser on the demo app: the critical
 * path of /users/2 highlighted (and alone), its N+1 comment queries folded into one row with
 * their count and a badge to the SQL panel, the statistics table, a comparison of two
 * /users/:id requests with the query count delta, and OTLP/JSON files imported by dropping
 * or choosing them, checked against hand-computed critical paths and self times.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/trace-analysis.test.ts
 */
import { mkdirSync } from 'node:fs'
import type { Locator, Page } from 'playwright-core'
import { beforeEach, describe, expect, it } from 'vitest'
// @ts-expect-error TS7016: no .d.ts beside the compiled demo
import { createApp as compiledCreateApp } from '../../dist/examples/basic/app.js'
import type { createApp as CreateApp } from '../../examples/basic/app.js'
import { otlpJsonFromToolbarSpans } from '../../src/opentelemetry/otlp-json.js'
import { formatDuration } from '../../templates/client/panels/span-tree.js'
import { ANALYSIS_CASES, caseSpans } from '../../test/support/analysis-cases.js'
import { lateOtlpExport } from '../../test/support/late-otlp-span.js'
import { openPanel, useBrowserSession, type ServedApp } from './harness.js'

const createApp: typeof CreateApp = compiledCreateApp
const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url).pathname
const WITHIN = { timeout: 10_000 }

let server: ServedApp
let page: Page
let errors: string[]

mkdirSync(SCREENSHOTS, { recursive: true })
const session = useBrowserSession(() => createApp(), { width: 1440, height: 900 })
beforeEach(() => {
  ;({ server, page, errors } = session)
})

/** Loads `path` in the test's page (status 200). */
const open = (path: string) => session.open(path)

const rows = (pane: Locator) => pane.locator('.hdt-wf-row')
// Text content, not innerText: a folded row's name and count are two boxes side by side (innerText would put a line break between them).
const labels = (locator: Locator) => locator.locator('.hdt-wf-label').allTextContents()

async function otelPane(): Promise<Locator> {
  const pane = await openPanel(page, 'OpenTelemetry')
  await rows(pane).first().waitFor(WITHIN)
  // The analysis runs after the first rows are painted.
  await pane.locator('.hdt-otel-analysis-note', { hasText: 'critical path:' }).waitFor(WITHIN)
  return pane
}

/** Signs a new user up (the demo's form, then their page), opens /users/2 and its Compare tab, with that page as "before". */
async function compareWithNewUser(name: string, email: string): Promise<Locator> {
  await page.goto(`${server.url}/form`)
  await page.locator('input[name="name"]').fill(name)
  await page.locator('input[name="email"]').fill(email)
  await Promise.all([page.waitForURL(/\/users\/\d+$/), page.locator('button[type="submit"], input[type="submit"]').first().click()])
  await open('/users/2')
  const pane = await otelPane()
  await pane.getByRole('tab', { name: 'Compare' }).click()
  return pane
}

describe('the demo page /users/2', () => {
  it('highlights the critical path, and shows it alone on request', async () => {
    await open('/users/2')
    const pane = await otelPane()
    const critical = rows(pane).and(pane.locator('.hdt-wf-critical'))
    const onPath = await labels(critical)
    // The handler does one thing after another (queries, then the renders): every span is on
    // the path, the folded comment queries too.
    expect(onPath).toEqual(['GET /users/:id', 'SELECT users', 'SELECT posts', 'SELECT comments ×3', 'render page Grace Hopper', 'render user-page', 'render layout'])
    expect(await critical.first().locator('.hdt-wf-crit').count()).toBeGreaterThan(0)
    const all = await rows(pane).count()

    await pane.getByLabel('critical path only').check()
    await expect.poll(() => labels(rows(pane)), WITHIN).toEqual(onPath)
    await page.screenshot({ path: `${SCREENSHOTS}critical-path.png` })
    await pane.getByLabel('critical path only').uncheck()
    await expect.poll(() => rows(pane).count(), WITHIN).toBe(all)

    await rows(pane).filter({ hasText: 'GET /users/:id' }).click()
    const detail = pane.locator('.hdt-span-detail')
    expect(await detail.locator('.hdt-span-self').innerText()).toMatch(/^[\d.]+ (µs|ms|s).*on the critical path/s)
    expect(errors).toEqual([])
  })

  it('names a row on the critical path once to a screen reader, however many stretches of its bar are on it', async () => {
    await open('/users/2')
    const pane = await otelPane()
    const root = rows(pane).filter({ hasText: 'GET /users/:id' }).first()
    // The request span waits on its children: its bar is on the path in several stretches.
    expect(await root.locator('.hdt-wf-crit').count()).toBeGreaterThan(1)
    const name = (await root.ariaSnapshot()).split('\n')[0]!
    expect(name.match(/on the critical path/g)).toHaveLength(1)
    const query = rows(pane).filter({ hasText: 'SELECT posts' }).first()
    expect((await query.ariaSnapshot()).split('\n')[0]!.match(/on the critical path/g)).toHaveLength(1)
    expect(errors).toEqual([])
  })

  it('folds the three comment queries into one N+1 row that expands on click and links to the SQL panel', async () => {
    await open('/users/2')
    const pane = await otelPane()
    const group = pane.locator('.hdt-wf-group')
    await group.waitFor(WITHIN)
    expect(await group.count()).toBe(1)
    expect(await group.locator('.hdt-wf-label').textContent()).toBe('SELECT comments ×3')
    expect(await group.getAttribute('data-group-key')).toBe('demo-basic: SELECT author, text FROM comments WHERE post_id = ?')
    expect(await group.locator('.hdt-wf-group-tick').count()).toBe(3)
    expect(await labels(rows(pane))).not.toContain('SELECT comments')
    // Folded, the three queries are still shown: the header counts every span, as unfolded.
    const total = await pane.locator('.hdt-wf-name-head').textContent()
    expect(total).toMatch(/^Span \(\d+\)$/)

    await group.locator('.hdt-wf-toggle').click()
    await expect.poll(() => labels(rows(pane)), WITHIN).toEqual(expect.arrayContaining(['SELECT comments']))
    expect((await labels(rows(pane))).filter((label) => label === 'SELECT comments')).toHaveLength(3)
    expect(await pane.locator('.hdt-wf-name-head').textContent()).toBe(total)
    await pane.getByRole('button', { name: 'Fold 3 × SELECT comments' }).click()
    await group.waitFor(WITHIN)

    await pane.getByLabel('Fold repeated sibling spans from this count (0: never)').fill('0')
    await expect.poll(() => group.count(), WITHIN).toBe(0)
    await pane.getByLabel('Fold repeated sibling spans from this count (0: never)').fill('3')
    await group.locator('.hdt-wf-nplus1').click()
    await page.locator('#hono-debug-toolbar .hdt-pane-title', { hasText: /^SQL$/ }).waitFor(WITHIN)
    expect(errors).toEqual([])
  })

  it('lists statistics per service and span name, sortable', async () => {
    await open('/users/2')
    const pane = await otelPane()
    await pane.getByRole('tab', { name: 'Statistics' }).click()
    const table = pane.locator('.hdt-trace-stats-table')
    const comments = table.locator('tbody tr', { hasText: 'SELECT comments' })
    expect((await comments.locator('td').allInnerTexts()).slice(0, 3)).toEqual(['demo-basic', 'SELECT comments', '3'])
    await table.getByRole('button', { name: 'Count' }).click()
    expect(await table.locator('tbody tr').first().locator('td').nth(1).innerText()).toBe('SELECT comments')
    expect(errors).toEqual([])
  })

  it('stripes the Statistics table by whole rows: the span name cell has its row background, as every other cell', async () => {
    await open('/users/2')
    const pane = await otelPane()
    await pane.getByRole('tab', { name: 'Statistics' }).click()
    const table = pane.locator('.hdt-trace-stats-table')
    await table.locator('tbody tr').nth(1).waitFor(WITHIN)
    // What a reader sees in each cell: its own background, else its row's.
    const shades = await table.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const own = (el: Element) => getComputedStyle(el).backgroundColor
        const row = own(tr)
        return [...tr.querySelectorAll('td')].map((td) => (own(td) === 'rgba(0, 0, 0, 0)' ? row : own(td)))
      }),
    )
    for (const [i, cells] of shades.entries()) expect(new Set(cells).size, `row ${i + 1}: ${cells.join(' | ')}`).toBe(1)
    // Rows alternate: the second row is not the colour of the first.
    expect(shades[1]![0]).not.toBe(shades[0]![0])
    expect(errors).toEqual([])
  })

  it('sets the monospace span name on the same baseline as the service and figures of its row, in the Statistics and Compare tables', async () => {
    await open('/users/2')
    await open('/users/2')
    const pane = await otelPane()
    for (const [tab, table] of [
      ['Statistics', '.hdt-trace-stats-table'],
      ['Compare', '.hdt-compare-groups'],
    ] as const) {
      await pane.getByRole('tab', { name: tab }).click()
      await pane.locator(`${table} tbody tr`).nth(1).waitFor(WITHIN)
      const rows = await pane.locator(`${table} tbody tr`).evaluateAll((trs) =>
        trs.map((tr) =>
          [...tr.querySelectorAll('td')].map((td) => {
            // An empty inline-block sits with its bottom on the baseline of the line it is put in.
            const probe = document.createElement('span')
            probe.style.cssText = 'display:inline-block;width:0;height:0'
            td.prepend(probe)
            const baseline = probe.getBoundingClientRect().bottom
            probe.remove()
            return { text: td.textContent, baseline }
          }),
        ),
      )
      expect(rows.length, tab).toBeGreaterThan(1)
      for (const cells of rows) {
        const lowest = Math.max(...cells.map((c) => c.baseline))
        for (const cell of cells) expect(lowest - cell.baseline, `${tab}: "${cell.text}" in the row of "${cells[0]!.text}"`).toBeLessThan(0.5)
      }
    }
    expect(errors).toEqual([])
  })

  it('compares with the previous /users/:id request: the query count delta, added spans, both critical paths', async () => {
    // A new user has no posts: its page makes no comment query.
    const pane = await compareWithNewUser('Katherine Johnson', 'katherine@example.com')
    const select = pane.getByLabel('Request to compare with')
    await expect.poll(async () => (await select.locator('option:checked').innerText()).trim(), WITHIN).toMatch(/^GET \/users\/7 · 200/)
    const line = pane.locator('.hdt-compare-groups tbody tr', { hasText: 'FROM comments' })
    await line.waitFor(WITHIN)
    expect(await line.locator('td').allInnerTexts()).toEqual([
      'demo-basic: SELECT author, text FROM comments WHERE post_id = ?',
      '0',
      '3',
      '+3',
      expect.any(String),
      expect.stringMatching(/[\d.]+ (µs|ms)/),
    ])
    expect(await pane.locator('.hdt-compare-summary').innerText()).toMatch(/Before .+ → after .+\(.+\) · \d+ spans added, \d+ removed/)
    expect(await pane.getByRole('region', { name: 'Added' }).innerText()).toContain('SELECT comments')
    expect(await pane.getByRole('region', { name: 'Critical path before' }).locator('li').first().innerText()).toContain('GET /users/:id')
    expect(await pane.getByRole('region', { name: 'Critical path after' }).locator('li').first().innerText()).toContain('GET /users/:id')
    await page.screenshot({ path: `${SCREENSHOTS}trace-compare.png` })
    expect(errors).toEqual([])
  })

  it('fits Compare in an 800 px window: no sideways scrolling, and a group name of 40 characters readable', async () => {
    await page.setViewportSize({ width: 800, height: 800 })
    // A new user has no posts: the comment queries of /users/2 are a group that changed.
    const pane = await compareWithNewUser('Dorothy Vaughan', 'dorothy@example.com')
    const line = pane.locator('.hdt-compare-groups tbody tr', { hasText: 'FROM comments' })
    await line.waitFor(WITHIN)
    const box = pane.locator('.hdt-compare .hdt-table-scroll')
    const fit = await box.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }))
    expect(fit.scrollWidth, `Compare's table box: ${JSON.stringify(fit)}`).toBeLessThanOrEqual(fit.clientWidth)
    const name = line.locator('td').first()
    const key = 'demo-basic: SELECT author, text FROM comments WHERE post_id = ?'
    expect(await name.getAttribute('title')).toBe(key)
    // What is on screen: the cell shows at least the first 40 characters of the name, and the title the rest.
    const shown = await name.evaluate((td) => {
      const range = document.createRange()
      range.selectNodeContents(td)
      const right = td.getBoundingClientRect().right - parseFloat(getComputedStyle(td).paddingRight)
      const text = td.textContent ?? ''
      let visible = 0
      for (let i = 0; i < text.length; i++) {
        range.setStart(td.firstChild!, i)
        range.setEnd(td.firstChild!, i + 1)
        const rects = [...range.getClientRects()]
        if (rects.length > 0 && rects.every((r) => r.right <= right + 0.5)) visible++
      }
      // A name cut with an ellipsis: the ellipsis takes the place of the last character that fits.
      return td.scrollWidth > td.clientWidth ? visible - 1 : visible
    })
    expect(shown, `characters of "${key}" on screen`).toBeGreaterThanOrEqual(40)
    expect(errors).toEqual([])
  })

  it('compares by default with the previous /users/:id request that succeeded, not with a /users/999 that answered 404', async () => {
    await open('/users/1')
    await page.goto(`${server.url}/users/999`)
    await open('/users/2')
    const pane = await otelPane()
    await pane.getByRole('tab', { name: 'Compare' }).click()
    const select = pane.getByLabel('Request to compare with')
    await expect.poll(async () => (await select.locator('option:checked').innerText()).trim(), WITHIN).toMatch(/^GET \/users\/1 · 200/)
    // The 404 is still offered.
    expect(await select.locator('option', { hasText: '/users/999' }).count()).toBeGreaterThan(0)
    // The browser logs the 404 page load itself (and the demo's missing favicon, which it may
    // ask for then); nothing else.
    expect(errors.filter((line) => !/status of 404 .*\/(users\/999|favicon\.ico)\)$/.test(line)), errors.join('\n')).toEqual([])
  })

  it('says "1 span added, 1 removed" when /users/2 is compared with /users/1 (one render renamed)', async () => {
    await open('/users/1')
    await open('/users/2')
    const pane = await otelPane()
    await pane.getByRole('tab', { name: 'Compare' }).click()
    const select = pane.getByLabel('Request to compare with')
    await expect.poll(async () => (await select.locator('option:checked').innerText()).trim(), WITHIN).toMatch(/^GET \/users\/1 · 200/)
    const summary = pane.locator('.hdt-compare-summary')
    await summary.waitFor(WITHIN)
    expect(await summary.innerText()).toMatch(/ · 1 span added, 1 removed$/)
    expect(errors).toEqual([])
  })

  it('tells apart two /users/1 requests of the same second in "Compare with", by the time the History panel shows', async () => {
    await open('/users/2')
    // Two loads of one page in the same second, as a double click on a link makes them.
    const ids = await page.evaluate(async () => {
      const ids: string[] = []
      for (let i = 0; i < 2; i++) ids.push((await fetch('/users/1')).headers.get('x-debug-toolbar-request-id')!)
      return ids
    })
    const history = await openPanel(page, 'History')
    const times: string[] = []
    for (const id of ids) {
      const row = history.locator(`tr[data-hdt-history="${id}"]`)
      await row.waitFor(WITHIN)
      times.push((await row.locator('td').first().innerText()).trim())
    }
    const pane = await otelPane()
    await pane.getByRole('tab', { name: 'Compare' }).click()
    const select = pane.getByLabel('Request to compare with')
    await select.locator('option').nth(1).waitFor({ state: 'attached', ...WITHIN })
    const options = (await select.locator('option').allInnerTexts()).map((text) => text.trim())
    for (const time of times) expect(options, time).toContain(`GET /users/1 · 200 · ${time}`)
    expect(new Set(options).size).toBe(options.length)
    expect(errors).toEqual([])
  })
})

describe('the trace views as a tab list, from the keyboard', () => {
  it('moves between Waterfall, Statistics and Compare with the arrow keys, Home and End; only the chosen tab is in the Tab order', async () => {
    await open('/users/1')
    await open('/users/2')
    const pane = await otelPane()
    const tab = (name: string) => pane.getByRole('tab', { name })
    const focused = () => page.evaluate(() => document.querySelector('#hono-debug-toolbar')!.shadowRoot!.activeElement?.textContent ?? '')
    expect(await Promise.all(['Waterfall', 'Statistics', 'Compare'].map((name) => tab(name).getAttribute('tabindex')))).toEqual(['0', '-1', '-1'])
    await tab('Waterfall').focus()
    await page.keyboard.press('ArrowRight')
    expect(await focused()).toBe('Statistics')
    expect(await tab('Statistics').getAttribute('aria-selected')).toBe('true')
    await pane.locator('.hdt-trace-stats-table').waitFor(WITHIN)
    await page.keyboard.press('End')
    expect(await focused()).toBe('Compare')
    await pane.getByLabel('Request to compare with').waitFor(WITHIN)
    // From the last tab, on to the first.
    await page.keyboard.press('ArrowRight')
    expect(await focused()).toBe('Waterfall')
    await page.keyboard.press('ArrowLeft')
    expect(await focused()).toBe('Compare')
    await page.keyboard.press('Home')
    expect(await focused()).toBe('Waterfall')
    await rows(pane).first().waitFor(WITHIN)
    expect(await tab('Waterfall').getAttribute('tabindex')).toBe('0')
    expect(errors).toEqual([])
  })
})

describe('Compare for the first request of its route', () => {
  it('says there is no earlier request of the route, and compares with another route only when one is chosen', async () => {
    await open('/users/1')
    await open('/report')
    const pane = await otelPane()
    await pane.getByRole('tab', { name: 'Compare' }).click()
    const note = pane.locator('.hdt-compare-none')
    await note.waitFor(WITHIN)
    expect(await note.innerText()).toBe('No earlier GET /report request to compare with: load the page again, or choose another request.')
    const select = pane.getByLabel('Request to compare with')
    expect(await select.inputValue()).toBe('')
    expect((await select.locator('option:checked').innerText()).trim()).toBe('Choose a request…')
    // Nothing compared behind the user's back: no summary of a request of another route.
    await page.waitForTimeout(500)
    expect(await pane.locator('.hdt-compare-summary').count()).toBe(0)
    const users = select.locator('option', { hasText: /^GET \/users\/1 · .* \(another route\)$/ }).first()
    await select.selectOption((await users.getAttribute('value'))!)
    await pane.locator('.hdt-compare-summary').waitFor(WITHIN)
    expect(await note.count()).toBe(0)
    expect(errors).toEqual([])
  })
})

describe('Compare with a request made after this one', () => {
  it('takes this request as the "before" and the later one as the "after"', async () => {
    await open('/users/2')
    // The same route requested again once this page had loaded.
    await page.evaluate(async () => {
      await fetch('/users/1')
    })
    const pane = await otelPane()
    await pane.getByRole('tab', { name: 'Compare' }).click()
    const select = pane.getByLabel('Request to compare with')
    await select.waitFor(WITHIN)
    // Newest first: the first /users/1 listed is the one fetched above.
    const later = select.locator('option', { hasText: /^GET \/users\/1 · 200/ }).first()
    await select.selectOption((await later.getAttribute('value'))!)
    // The comparison with the earlier request, chosen by default, can still be shown for a moment.
    const summary = pane.locator('.hdt-compare-summary')
    await expect.poll(() => summary.innerText(), WITHIN).toMatch(/^Before \(this request\) .+ → after \(a later request\) .+ · 1 span added, 1 removed$/)
    expect(errors).toEqual([])
  })
})

/** The boxes of the folded N+1 row's parts, in CSS pixels. */
async function groupRowBoxes(pane: Locator) {
  const group = pane.locator('.hdt-wf-group')
  await group.waitFor(WITHIN)
  return group.evaluate((row) => {
    const box = (el: Element | null) => {
      const r = el!.getBoundingClientRect()
      return { left: r.left, right: r.right }
    }
    return {
      name: box(row.querySelector('.hdt-wf-name')),
      label: box(row.querySelector('.hdt-wf-label')),
      count: box(row.querySelector('.hdt-wf-group-count')),
      badge: box(row.querySelector('.hdt-wf-nplus1')),
      track: box(row.querySelector('.hdt-wf-track')),
      sum: box(row.querySelector('.hdt-wf-group-sum')),
      ticks: [...row.querySelectorAll('.hdt-wf-group-tick')].map(box),
    }
  })
}

describe('the span detail of /users/2', () => {
  for (const viewport of [
    { width: 800, height: 900 },
    { width: 1024, height: 900 },
  ]) {
    it(`leaves the span names readable at ${viewport.width}px: the detail goes under the waterfall when both would not fit side by side`, async () => {
      await page.setViewportSize(viewport)
      await open('/users/2')
      const pane = await otelPane()
      await rows(pane).filter({ hasText: 'SELECT users' }).click()
      const title = pane.locator('.hdt-span-detail-title')
      await title.waitFor(WITHIN)
      // The short names, whole: not cut with an ellipsis.
      const cut = await pane.locator('.hdt-wf-label').evaluateAll((els) =>
        els.filter((el) => ['GET /users/:id', 'SELECT users', 'SELECT posts', 'render user-page', 'render layout'].includes(el.textContent ?? '') && el.scrollWidth > el.clientWidth).map((el) => el.textContent),
      )
      expect(cut).toEqual([])
      // The detail opened under the waterfall is brought into view by the click.
      await expect.poll(async () => (await title.boundingBox())!.y + (await title.boundingBox())!.height, WITHIN).toBeLessThanOrEqual(viewport.height)
      expect((await title.boundingBox())!.y).toBeGreaterThanOrEqual(0)
      expect(errors).toEqual([])
    })
  }
})

describe('the folded N+1 row of /users/2', () => {
  for (const viewport of [
    { width: 1440, height: 900 },
    { width: 800, height: 900 },
  ]) {
    it(`keeps its count and badge in the name column and its "total, max" label off the name column and the ticks at ${viewport.width}px, also beside the span detail`, async () => {
      await page.setViewportSize(viewport)
      await open('/users/2')
      const pane = await otelPane()
      for (const state of ['waterfall alone', 'span detail open']) {
        if (state === 'span detail open') {
          await rows(pane).filter({ hasText: 'SELECT users' }).click()
          await pane.locator('.hdt-span-detail').waitFor(WITHIN)
        }
        const boxes = await groupRowBoxes(pane)
        const where = `${state} at ${viewport.width}px`
        expect(boxes.badge.right, `N+1 badge inside the name column, ${where}`).toBeLessThanOrEqual(boxes.name.right + 0.5)
        // A name cut short keeps its count: "SELECT comm… ×3", not "SELECT comm…".
        expect(boxes.count.right, `×3 inside the label's visible box, ${where}`).toBeLessThanOrEqual(boxes.label.right + 0.5)
        expect(boxes.sum.left, `"total, max" label inside the track, ${where}`).toBeGreaterThanOrEqual(boxes.track.left - 0.5)
        for (const tick of boxes.ticks) {
          const apart = tick.right <= boxes.sum.left + 0.5 || tick.left >= boxes.sum.right - 0.5
          expect(apart, `"total, max" label clear of the ticks, ${where}: ${JSON.stringify({ tick, sum: boxes.sum })}`).toBe(true)
        }
      }
      expect(errors).toEqual([])
    })
  }
})

describe('importing OTLP/JSON files', () => {
  for (const c of ANALYSIS_CASES) {
    it(`shows the hand-computed critical path and self times of a chosen file: ${c.title}`, async () => {
      const spans = caseSpans(c, 'ui')
      await open('/users/2')
      const pane = await otelPane()
      await pane.getByLabel('OTLP/JSON file to import').setInputFiles({ name: `${c.title}.json`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(otlpJsonFromToolbarSpans(spans))) })
      await pane.locator('.hdt-otel-imported', { hasText: spans[0]!.traceId }).waitFor(WITHIN)
      await expect.poll(() => rows(pane).count(), WITHIN).toBe(spans.length)
      const count = c.criticalPath.length
      await pane.locator('.hdt-otel-analysis-note', { hasText: `critical path: ${count} ${count === 1 ? 'span' : 'spans'} · ` }).waitFor(WITHIN)
      const onPath = await labels(rows(pane).and(pane.locator('.hdt-wf-critical')))
      expect([...onPath].sort()).toEqual([...c.criticalPath].sort())
      await pane.getByLabel('critical path only').check()
      await expect.poll(() => labels(rows(pane)), WITHIN).toEqual(onPath)
      await pane.getByLabel('critical path only').uncheck()
      await pane.getByLabel('self time column').check()
      const self = await rows(pane).evaluateAll((els) => els.map((el) => [el.querySelector('.hdt-wf-label')!.textContent, el.querySelector('.hdt-wf-self')?.textContent]))
      expect(Object.fromEntries(self)).toEqual(Object.fromEntries(Object.entries(c.selfMs).map(([name, ms]) => [name, formatDuration(ms * 1e6)])))
      expect(errors).toEqual([])
    })
  }

  it('counts the spans of a file that joins the request\'s trace as imported, not as received from a service', async () => {
    await open('/users/2')
    const pane = await otelPane()
    const traceId = await pane.locator('.hdt-otel-trace-id').innerText()
    const file = lateOtlpExport(traceId, '', 'c8be7c827a314442', 'from a collector file')
    await pane.getByLabel('OTLP/JSON file to import').setInputFiles({ name: 'collector.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) })
    await pane.locator('.hdt-otel-imported', { hasText: traceId }).waitFor(WITHIN)
    await expect.poll(() => labels(rows(pane)), WITHIN).toContain('from a collector file')
    const head = await pane.locator('.hdt-otel-head').innerText()
    expect(head).toContain('1 imported')
    expect(head).not.toContain('received')
    expect(errors).toEqual([])
  })

  it('imports a file dropped on the waterfall and shows it, then goes back to the request', async () => {
    const spans = caseSpans(ANALYSIS_CASES[3]!, 'dropped')
    await open('/users/2')
    const pane = await otelPane()
    const json = JSON.stringify(otlpJsonFromToolbarSpans(spans))
    await pane.locator('.hdt-otel').evaluate((zone, text) => {
      const data = new DataTransfer()
      data.items.add(new File([text], 'remote.json', { type: 'application/json' }))
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }))
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }))
    }, json)
    const banner = pane.locator('.hdt-otel-imported')
    await banner.waitFor(WITHIN)
    expect(await banner.innerText()).toContain(`${spans[0]!.traceId} from remote.json (4 spans)`)
    await expect.poll(() => labels(rows(pane)), WITHIN).toEqual(['P', 'C', 'S', 'Q'])
    expect(await pane.locator('.hdt-otel-trace-id').innerText()).toBe(spans[0]!.traceId)
    const served = await (await page.request.get(`${server.url}/_debug_toolbar/api/traces/${spans[0]!.traceId}`)).json()
    expect(served.spans.map((s: { source: string }) => s.source)).toEqual(['import', 'import', 'import', 'import'])
    await banner.getByRole('button', { name: "Back to this request's trace" }).click()
    await expect.poll(() => labels(rows(pane)), WITHIN).toContain('GET /users/:id')

    // The imported trace is in the trace list (History), as a trace of its own.
    const history = await openPanel(page, 'History')
    const line = history.locator(`[data-hdt-trace-row="${spans[0]!.traceId}"]`)
    await line.waitFor(WITHIN)
    const cells = await line.locator('td').allInnerTexts()
    expect([cells[1], cells[2]!.split(/\s+/).sort(), cells[3]]).toEqual(['P', ['back', 'front'], '4'])
    // Opened from the list, its waterfall shows the critical path too.
    await line.getByRole('button', { name: 'Waterfall' }).click()
    const listed = history.locator(`[data-hdt-trace="${spans[0]!.traceId}"]`)
    await expect.poll(() => labels(listed.locator('.hdt-wf-row.hdt-wf-critical')), WITHIN).toEqual(['P', 'C', 'S', 'Q'])
    expect(errors).toEqual([])
  })
})
