/**
 * The toolbar in a real browser: the handle, the panel list, every built-in panel with the
 * request's real figures, the page's own fetch/XHR calls, Esc, the full-page view, and a
 * hostile page stylesheet that must not change the toolbar's look.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/toolbar.test.ts
 */
import { mkdirSync } from 'node:fs'
import { Hono } from 'hono'
import { stream } from 'hono/streaming'
import { endTime, startTime, timing } from 'hono/timing'
import type { Page } from 'playwright-core'
import { beforeEach, describe, expect, it } from 'vitest'
import { debugToolbar } from '../../src/index.js'
import { formatMs } from '../../templates/client/format.js'
import { useBrowserSession, openPanel, openToolbar, panelTitles, toolbarHandle, type ServedApp } from './harness.js'

const PREFIX = '/_debug_toolbar'
const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url).pathname

const HOSTILE_CSS = '* { color: red !important; font: 40px serif !important; background: yellow !important; display: block !important; }'

function html(title: string, body: string, head = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>${head}</head><body>${body}</body></html>`
}

/** Work that takes a little real time, as a database call would. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Opened by a test: the `/slow` route sends the rest of its body when this is called. */
let releaseSlowBody: () => void = () => undefined

function demoApp(): Hono {
  const app = new Hono()
  // The browser asks for /favicon.ico on every page; it is not worth a history entry.
  app.use(debugToolbar({ app, excludePaths: ['/favicon.ico'] }))
  app.use(timing())
  app.get('/favicon.ico', (c) => c.body(null, 204))
  app.get('/', (c) => c.html(html('Home', '<h1>Home</h1><p><a href="/users/42">Ada</a></p>')))
  app.get('/plain', (c) => c.html(html('Plain', '<h1>A plain page</h1>')))
  app.get('/styled', (c) => c.html(html('Styled', '<h1>A page with hostile CSS</h1>', `<style>${HOSTILE_CSS}</style>`)))
  // No doctype: quirks mode, where tables stop inheriting font and colour.
  app.get('/styled-quirks', (c) => c.html(`<html><head><style>${HOSTILE_CSS}</style></head><body><h1>Quirks</h1></body></html>`))
  app.get('/users/:id', async (c) => {
    startTime(c, 'db', 'Load the user')
    await pause(8)
    endTime(c, 'db')
    startTime(c, 'render', 'Render the profile')
    await pause(3)
    endTime(c, 'render')
    const id = c.req.param('id')
    return c.html(html(`User ${id}`, `<main style="padding:24px;font-family:sans-serif"><h1>User ${id}</h1><p>Profile page of user ${id}.</p></main>`))
  })
  app.get('/slow', (c) => {
    const gate = new Promise<void>((resolve) => (releaseSlowBody = resolve))
    return stream(c, async (body) => {
      await body.write('first part\n')
      await gate
      await body.write('last part\n')
    })
  })
  app.get('/form', (c) => c.html(html('Form', '<form><label>Name <input id="name" name="name"></label></form>')))
  app.get('/api/users/:id', (c) => c.json({ id: c.req.param('id'), name: 'Ada Lovelace' }))
  app.get('/fetching', (c) =>
    c.html(
      html(
        'Fetching',
        `<h1>Loads data after load</h1><p id="out">waiting</p><p id="xhr">waiting</p>
<script>
addEventListener('load', async () => {
  const res = await fetch('/api/users/7')
  document.getElementById('out').textContent = (await res.json()).name
  const xhr = new XMLHttpRequest()
  xhr.open('GET', '/api/users/8?via=xhr')
  xhr.onload = () => { document.getElementById('xhr').textContent = JSON.parse(xhr.responseText).id }
  xhr.send()
})
</script>`,
      ),
    ),
  )
  return app
}

let server: ServedApp
let page: Page
let errors: string[]

mkdirSync(SCREENSHOTS, { recursive: true })
const session = useBrowserSession(() => demoApp(), { width: 1280, height: 800 })
beforeEach(() => {
  ;({ server, page, errors } = session)
})

/** Waits for the browser; the toolbar refetches an in-flight request with a growing delay (at most 4 s). */
const WITHIN = { timeout: 10_000 }

const paneText = () => page.locator('#hono-debug-toolbar .hdt-pane-body').innerText()

/**
 * The request's duration as the toolbar shows it (`12.3 ms`, or `1.06 s` when a busy machine
 * held it past a second), once the request is stored.
 */
async function shownDuration(id: string | null): Promise<string> {
  let durationMs: number | undefined
  await expect
    .poll(async () => (durationMs = ((await (await fetch(`${server.url}${PREFIX}/api/requests/${id}`)).json()) as { durationMs?: number }).durationMs), WITHIN)
    .toBeGreaterThan(0)
  return formatMs(durationMs)
}

describe('the toolbar on an HTML page', () => {
  it('shows a handle with the request time and status, and lists every panel', async () => {
    const response = await page.goto(`${server.url}/users/42?tab=posts`)
    const handle = toolbarHandle(page)
    await expect.poll(() => handle.innerText(), WITHIN).toContain(await shownDuration(response!.headers()['x-debug-toolbar-request-id']!))
    expect(await handle.innerText()).toContain('200')

    const api = await fetch(`${server.url}${PREFIX}/api/panels`)
    const { panels } = (await api.json()) as { panels: Array<{ title: string }> }
    expect(panels.length).toBeGreaterThan(0)
    expect(await panelTitles(page)).toEqual(panels.map((p) => p.title))
    expect(errors).toEqual([])
  })

  it('opens every panel with the real figures of the request', async () => {
    await page.goto(`${server.url}/users/42?tab=posts`)
    for (const title of await panelTitles(page)) {
      const body = await openPanel(page, title)
      expect(await body.locator('.hdt-error-note').count(), `panel ${title}`).toBe(0)
      expect((await body.innerText()).trim().length, `panel ${title}`).toBeGreaterThan(0)
    }

    let body = await openPanel(page, 'Time')
    const total = Number.parseFloat(await body.locator('[data-hdt-figure="total"]').innerText())
    expect(total).toBeGreaterThan(0)
    const db = body.locator('.hdt-metrics tr', { hasText: 'Load the user' })
    expect(await db.locator('.hdt-bar > span').count()).toBe(1)
    await page.screenshot({ path: `${SCREENSHOTS}toolbar.png` })

    body = await openPanel(page, 'Request')
    expect(await body.locator('[data-hdt-figure="route"]').innerText()).toBe('/users/:id')
    expect(await body.locator('[data-hdt-figure="status"]').innerText()).toBe('200')
    expect(await body.locator('table[aria-label="Route parameters"]').innerText()).toMatch(/id\s+42/)
    expect(await body.locator('table[aria-label="Query"]').innerText()).toMatch(/tab\s+posts/)

    body = await openPanel(page, 'Headers')
    expect(await body.locator('table[aria-label="Request headers"]').innerText()).toContain('user-agent')
    expect(await body.locator('table[aria-label="Response headers"]').innerText()).toMatch(/content-type\s+text\/html/)

    body = await openPanel(page, 'Routes')
    expect(await body.locator('tr.hdt-matched').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringContaining('/users/:id')]))
    expect(await body.locator('.hdt-note').count()).toBe(0)

    body = await openPanel(page, 'Versions')
    expect(await body.locator('[data-hdt-figure="node"]').innerText()).toBe(process.version)

    body = await openPanel(page, 'History')
    await body.locator('tr[data-hdt-history]', { hasText: '/users/42' }).first().waitFor()
    expect(errors).toEqual([])
  })

  it('closes the pane, then the sidebar, with Esc, and remembers the last panel', async () => {
    await page.goto(`${server.url}/users/1`)
    await openPanel(page, 'Routes')
    await page.reload()
    // Reopened as it was left: the sidebar and the Routes panel.
    await page.locator('#hono-debug-toolbar .hdt-pane-title', { hasText: 'Routes' }).waitFor()
    // Esc is the toolbar's only when typed inside it.
    await page.locator('#hono-debug-toolbar .hdt-pane-title').click()

    await page.keyboard.press('Escape')
    await page.locator('#hono-debug-toolbar .hdt-pane').waitFor({ state: 'detached' })
    expect(await page.locator('#hono-debug-toolbar .hdt-sidebar').isVisible()).toBe(true)
    // Focus went back to the panel's entry in the list.
    expect(await page.evaluate(() => document.getElementById('hono-debug-toolbar')?.shadowRoot?.activeElement?.getAttribute('data-hdt-panel'))).toBe(
      'routes',
    )

    await page.keyboard.press('Escape')
    await toolbarHandle(page).waitFor()
    expect(await page.locator('#hono-debug-toolbar .hdt-sidebar').count()).toBe(0)

    await page.reload()
    await expect.poll(() => toolbarHandle(page).innerText(), WITHIN).toContain('200')
    expect(await page.locator('#hono-debug-toolbar .hdt-sidebar').count()).toBe(0)
    expect(errors).toEqual([])
  })

  it("leaves Esc typed in the app's own form to the app", async () => {
    await page.goto(`${server.url}/form`)
    const sidebar = await openToolbar(page)
    const name = page.locator('#name')
    await name.click()
    await page.keyboard.type('Ada')
    await page.keyboard.press('Escape')
    // The toolbar stays as it was, and the focus stays in the page's field.
    expect(await sidebar.isVisible()).toBe(true)
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('name')
    expect(await name.inputValue()).toBe('Ada')
    expect(errors).toEqual([])
  })

  it('follows the fetch and XHR calls of the page, and can switch to them', async () => {
    await page.goto(`${server.url}/fetching`)
    await expect.poll(() => page.locator('#out').innerText(), WITHIN).toBe('Ada Lovelace')
    await expect.poll(() => page.locator('#xhr').innerText(), WITHIN).toBe('8')
    const sidebar = await openToolbar(page)
    const followed = sidebar.locator('.hdt-page-request')
    // Each with the toolbar's time for it, read from its Server-Timing (fetch and XHR alike).
    await expect.poll(() => followed.allInnerTexts(), WITHIN).toEqual([
      expect.stringMatching(/GET \/api\/users\/8\?via=xhr\s+200\s+[\d.]+ (ms|µs)$/),
      expect.stringMatching(/GET \/api\/users\/7\s+200\s+[\d.]+ (ms|µs)$/),
      'This page',
    ])

    await followed.filter({ hasText: '/api/users/7' }).click()
    await expect.poll(() => sidebar.locator('.hdt-current').innerText(), WITHIN).toContain('/api/users/7')
    const body = await openPanel(page, 'Request')
    expect(await body.locator('[data-hdt-figure="route"]').innerText()).toBe('/api/users/:id')
    expect(await paneText()).toContain('application/json')

    await followed.filter({ hasText: 'This page' }).click()
    await expect.poll(() => sidebar.locator('.hdt-current').innerText(), WITHIN).toContain('/fetching')
    await expect.poll(() => page.locator('#hono-debug-toolbar [data-hdt-figure="route"]').innerText(), WITHIN).toBe('/fetching')
    expect(errors).toEqual([])
  })

  it('switches to another request from the History panel', async () => {
    await page.goto(`${server.url}/users/1`)
    await page.goto(`${server.url}/users/2`)
    let body = await openPanel(page, 'History')
    const row = body.locator('tr[data-hdt-history]', { hasText: '/users/1' }).first()
    await row.waitFor()
    await page.screenshot({ path: `${SCREENSHOTS}history.png` })
    await row.getByRole('button', { name: /Show/ }).click()
    await expect.poll(() => page.locator('#hono-debug-toolbar .hdt-current').innerText(), WITHIN).toContain('/users/1')

    // Filters ask the API again: only the 2xx GETs of /users/2.
    await body.getByLabel('Path').fill('/users/2')
    await expect.poll(() => body.locator('tr[data-hdt-history]').allInnerTexts(), WITHIN).toEqual([expect.stringContaining('/users/2')])
    await body.getByLabel('Status').fill('4xx')
    await body.locator('text=No request matches.').waitFor()

    body = await openPanel(page, 'Request')
    expect(await body.locator('table[aria-label="Route parameters"]').innerText()).toMatch(/id\s+1/)
    expect(errors).toEqual([])
  })

  it('keeps the focus in the pane, on its outlined heading, when a request is shown from History by keyboard', async () => {
    await page.goto(`${server.url}/users/3`)
    await page.goto(`${server.url}/users/4`)
    const body = await openPanel(page, 'History')
    const show = body.locator('tr[data-hdt-history]', { hasText: '/users/3' }).first().getByRole('button', { name: 'Show GET /users/3' })
    await show.focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator('#hono-debug-toolbar .hdt-current').innerText(), WITHIN).toContain('/users/3')
    expect(await focusedInToolbar(page)).toEqual({ focus: 'pane', outline: 'solid' })
    expect(errors).toEqual([])
  })
})

/** What has the focus inside the toolbar (its `data-hdt-focus`), and its outline style. */
function focusedInToolbar(page: Page) {
  return page.evaluate(() => {
    const active = document.getElementById('hono-debug-toolbar')?.shadowRoot?.activeElement
    return active ? { focus: active.getAttribute('data-hdt-focus'), outline: getComputedStyle(active).outlineStyle } : undefined
  })
}

describe('style isolation', () => {
  const probe = async (url: string) => {
    await page.goto(url)
    const handle = toolbarHandle(page)
    await expect.poll(() => handle.innerText(), WITHIN).toContain('200')
    const styleOf = (selector: string) =>
      page.locator(`#hono-debug-toolbar ${selector}`).first().evaluate((el) => {
        const s = getComputedStyle(el)
        const box = el.getBoundingClientRect()
        return {
          color: s.color,
          fontSize: s.fontSize,
          fontFamily: s.fontFamily,
          backgroundColor: s.backgroundColor,
          display: s.display,
          lineHeight: s.lineHeight,
          // Widths follow the text (paths and times differ between the pages); heights do not.
          height: Math.round(box.height),
        }
      })
    const closed = await styleOf('.hdt-handle')
    const handleTime = await styleOf('.hdt-handle-time')
    await openPanel(page, 'Request')
    return {
      handle: closed,
      handleTime,
      navTitle: await styleOf('.hdt-nav-title'),
      paneTitle: await styleOf('.hdt-pane-title'),
      cell: await styleOf('.hdt-pane-body td'),
      host: await page.locator('#hono-debug-toolbar').evaluate((el) => {
        const s = getComputedStyle(el)
        return { position: s.position, zIndex: s.zIndex, color: s.color, fontSize: s.fontSize }
      }),
    }
  }

  it('looks the same on a page whose CSS styles every element with !important', async () => {
    const plain = await probe(`${server.url}/plain`)
    await page.evaluate(() => localStorage.clear())
    const styled = await probe(`${server.url}/styled`)
    // The hostile rules really apply to the page itself.
    expect(await page.locator('body > h1').evaluate((el) => getComputedStyle(el).color)).toBe('rgb(255, 0, 0)')
    expect(styled).toEqual(plain)
    await page.evaluate(() => localStorage.clear())
    const quirks = await probe(`${server.url}/styled-quirks`)
    expect(await page.evaluate(() => document.compatMode)).toBe('BackCompat')
    expect(quirks).toEqual(plain)
    expect(plain.host).toMatchObject({ position: 'fixed', zIndex: '2147483647' })
    expect(plain.handle.color).not.toBe('rgb(255, 0, 0)')
    // The handle's text is light on its dark tab, not the page's or the pane's text colour.
    expect(plain.handleTime.color).toBe(plain.handle.color)
    expect(plain.handle.color).not.toBe(plain.cell.color)
    expect(errors).toEqual([])
  })
})

describe('the full-page view', () => {
  it('renders the panels of a JSON request, which has no page to inject into', async () => {
    const res = await fetch(`${server.url}/api/users/9`)
    const id = res.headers.get('x-debug-toolbar-request-id')
    expect(await res.json()).toEqual({ id: '9', name: 'Ada Lovelace' })
    expect(id).toBeTruthy()

    await page.goto(`${server.url}${PREFIX}/requests/${id}`)
    const sidebar = page.locator('#hono-debug-toolbar .hdt-sidebar')
    await expect.poll(() => sidebar.locator('.hdt-current').innerText(), WITHIN).toContain('/api/users/9')
    // A panel is shown at once, and there is nothing to hide in this view.
    await page.locator('#hono-debug-toolbar .hdt-pane-title').waitFor()
    expect(await page.locator('#hono-debug-toolbar .hdt-hide').count()).toBe(0)
    const body = await openPanel(page, 'Request')
    expect(await body.locator('[data-hdt-figure="route"]').innerText()).toBe('/api/users/:id')
    expect(await paneText()).toContain('application/json')
    const timer = await openPanel(page, 'Time')
    expect(Number.parseFloat(await timer.locator('[data-hdt-figure="total"]').innerText())).toBeGreaterThan(0)
    expect(errors).toEqual([])
  })

  it('shows a request still in flight, then its final figures', async () => {
    const res = await fetch(`${server.url}/slow`)
    const id = res.headers.get('x-debug-toolbar-request-id')
    await page.goto(`${server.url}${PREFIX}/requests/${id}`)
    const current = page.locator('#hono-debug-toolbar .hdt-current')
    await current.locator('.hdt-badge-warn', { hasText: 'in flight' }).waitFor()

    releaseSlowBody()
    expect(await res.text()).toBe('first part\nlast part\n')
    await expect.poll(() => current.innerText(), WITHIN).toContain(await shownDuration(id))
    expect(await current.innerText()).not.toContain('in flight')
    const timer = await openPanel(page, 'Time')
    expect(await timer.innerText()).toMatch(/Streamed\s+yes/)
    expect(errors).toEqual([])
  })

  it('goes Back and Forward between the requests shown, with the focus kept in the pane', async () => {
    const ids: string[] = []
    for (const path of ['/api/users/11', '/api/users/12']) {
      const res = await fetch(`${server.url}${path}`)
      await res.text()
      ids.push(res.headers.get('x-debug-toolbar-request-id')!)
    }
    const current = page.locator('#hono-debug-toolbar .hdt-current')
    await page.goto(`${server.url}${PREFIX}/requests/${ids[1]}`)
    await expect.poll(() => current.innerText(), WITHIN).toContain('/api/users/12')
    const body = await openPanel(page, 'History')
    const show = body.getByRole('button', { name: 'Show GET /api/users/11' })
    await show.waitFor(WITHIN)
    await show.focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => current.innerText(), WITHIN).toContain('/api/users/11')
    expect(new URL(page.url()).pathname).toBe(`${PREFIX}/requests/${ids[0]}`)
    expect(await focusedInToolbar(page)).toEqual({ focus: 'pane', outline: 'solid' })

    await page.goBack()
    await expect.poll(() => current.innerText(), WITHIN).toContain('/api/users/12')
    expect(new URL(page.url()).pathname).toBe(`${PREFIX}/requests/${ids[1]}`)
    await page.goForward()
    await expect.poll(() => current.innerText(), WITHIN).toContain('/api/users/11')
    expect(errors).toEqual([])
  })

  it('shows the latest request at the prefix itself', async () => {
    const res = await fetch(`${server.url}/api/users/10`)
    await res.text()
    // The request is stored a moment after its body was read.
    await expect
      .poll(async () => ((await (await fetch(`${server.url}${PREFIX}/api/requests?limit=1`)).json()) as { requests: Array<{ path: string }> }).requests[0]?.path, WITHIN)
      .toBe('/api/users/10')
    await page.goto(`${server.url}${PREFIX}`)
    await expect.poll(() => page.locator('#hono-debug-toolbar .hdt-current').innerText(), WITHIN).toContain('/api/users/10')
    expect(new URL(page.url()).pathname).toBe(`${PREFIX}/requests/${res.headers.get('x-debug-toolbar-request-id')}`)
    expect(errors).toEqual([])
  })
})
