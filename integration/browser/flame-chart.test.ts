/**
 * The Profile panel's flame chart in a real browser: a frame too narrow to read is a button
 * that zooms the chart onto it, with the mouse or the keyboard, as in Chrome DevTools and
 * speedscope; "Whole profile" or Esc zooms out again. The chart is one tab stop, whose frames
 * the arrow keys go through.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/flame-chart.test.ts
 */
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { debugToolbar } from '../../src/index.js'
import { openPanel, useBrowserSession } from './harness.js'

/** Busy work for `ms`: a frame of its own in the profile. */
function sumTaxes(ms: number): number {
  const end = performance.now() + ms
  let total = 0
  while (performance.now() < end) total += Math.sqrt(total + 1)
  return total
}

function renderPdf(ms: number): number {
  const end = performance.now() + ms
  let pages = 0
  while (performance.now() < end) pages += Math.cbrt(pages + 1)
  return pages
}

function invoiceApp(): Hono {
  const app = new Hono()
  app.use(debugToolbar())
  app.get('/invoice', async (c) => {
    const taxes = sumTaxes(80)
    // Idle between the two: the frames do not touch.
    await new Promise((resolve) => setTimeout(resolve, 30))
    const pages = renderPdf(80)
    return c.html(`<!doctype html><html><head><link rel="icon" href="data:,"></head><body><p>${Math.round(taxes + pages)}</p></body></html>`)
  })
  return app
}

describe('the flame chart', () => {
  const session = useBrowserSession(invoiceApp, { width: 1024, height: 768 })

  it('zooms onto a frame picked with the keyboard or the mouse, and out again with Esc or "Whole profile"', async () => {
    const { page } = session
    await session.open('/invoice?_dt_profile=1')
    const pane = await openPanel(page, 'Profile')
    const chart = pane.locator('.hdt-flame-frames')
    await chart.waitFor()
    const taxes = pane.getByRole('button', { name: /^sumTaxes / })
    const pdf = pane.getByRole('button', { name: /^renderPdf / })
    // Each frame says what it is to a screen reader: name, place in the code, time (in the
    // unit its size calls for: a stretch of sumTaxes can be under 1 ms, `789 µs from 94.0 ms`).
    expect(await taxes.first().getAttribute('aria-label')).toMatch(/^sumTaxes .*flame-chart\.test\.ts:\d+:\d+, \d+(\.\d+)? (µs|ms|s) from \d+(\.\d+)? (µs|ms|s)$/)
    expect(await pdf.count()).toBeGreaterThan(0)
    const axisBefore = await pane.locator('.hdt-flame-axis span').allInnerTexts()

    // The chart is one stop of the tab order, however many frames it holds.
    expect(await pane.locator('.hdt-flame-frame[tabindex="0"]').count()).toBe(1)
    // The keyboard: Tab to the chart, arrows to the frame, Enter.
    await pane.getByRole('link', { name: 'Download .cpuprofile' }).focus()
    await page.keyboard.press('Tab')
    const focused = () => page.evaluate(() => document.querySelector('#hono-debug-toolbar')!.shadowRoot!.activeElement?.getAttribute('aria-label') ?? '')
    expect(await focused()).not.toBe('')
    for (let i = 0; i < 200 && !(await focused()).startsWith('sumTaxes '); i++) await page.keyboard.press('ArrowRight')
    expect(await focused()).toMatch(/^sumTaxes /)
    await page.keyboard.press('Enter')
    const whole = pane.getByRole('button', { name: 'Whole profile' })
    await whole.waitFor()
    const box = (await chart.boundingBox())!
    const frame = (await taxes.first().boundingBox())!
    expect(frame.x - box.x).toBeLessThanOrEqual(1)
    expect(frame.x + frame.width).toBeGreaterThanOrEqual(box.x + box.width - 1)
    // What ran at other times leaves the chart, and the axis reads the zoomed stretch.
    expect(await pdf.count()).toBe(0)
    expect(await pane.locator('.hdt-flame-axis span').allInnerTexts()).not.toEqual(axisBefore)

    // Esc zooms out first; the panel stays open.
    await page.keyboard.press('Escape')
    await whole.waitFor({ state: 'detached' })
    expect(await pdf.count()).toBeGreaterThan(0)
    expect(await pane.locator('.hdt-flame-axis span').allInnerTexts()).toEqual(axisBefore)
    expect(await page.locator('#hono-debug-toolbar .hdt-pane').isVisible()).toBe(true)

    // The mouse: a click on a frame, then "Whole profile". The widest renderPdf frame: on a
    // busy machine a gap in the samples splits the call in two, and a sliver of a frame lies
    // under its neighbour, which takes the click.
    const widths = await pdf.evaluateAll((frames) => frames.map((frame) => frame.getBoundingClientRect().width))
    await pdf.nth(widths.indexOf(Math.max(...widths))).click()
    await whole.waitFor()
    expect(await taxes.count()).toBe(0)
    await whole.click()
    await whole.waitFor({ state: 'detached' })
    expect(await taxes.count()).toBeGreaterThan(0)
    expect(session.errors).toEqual([])
  })

  it('says how often the profiler took a sample, on average, beside the interval it was asked for', async () => {
    const { page } = session
    await session.open('/invoice?_dt_profile=1')
    const pane = await openPanel(page, 'Profile')
    await pane.locator('.hdt-flame-frames').waitFor()
    const line = await pane.locator('p', { hasText: / samples? over / }).innerText()
    // V8 takes fewer samples than asked for when the thread is idle or the machine busy:
    // "3 samples over 266 ms every 100 µs" read as if it had sampled 2,660 times.
    const match = /^(\d+) samples? over ([\d.]+ (?:µs|ms|s)), one every ([\d.]+ (?:µs|ms|s)) on average \(asked for every 100 µs\)/.exec(line)
    expect(match, line).not.toBeNull()
    const ms = (text: string) => Number(text.split(' ')[0]) * ({ µs: 1e-3, ms: 1, s: 1e3 } as Record<string, number>)[text.split(' ')[1]!]!
    const [samples, over, mean] = [Number(match![1]), ms(match![2]!), ms(match![3]!)]
    // Three significant figures each way.
    expect(Math.abs(mean - over / samples) / mean).toBeLessThan(0.01)
    expect(session.errors).toEqual([])
  })
})
