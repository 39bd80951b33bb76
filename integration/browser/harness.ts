/**
 * Helpers for the browser tests: a real headless Chromium (Debian's, driven by
 * playwright-core), a Hono app served on loopback, the page's errors, and the toolbar's
 * handle, sidebar and panels. Playwright's CSS locators pierce open shadow roots, so
 * `page.locator('.hdt-handle')` finds the toolbar inside its shadow root.
 *
 * Run `npm run build` first: the toolbar's browser bundle is served from dist/client.
 */
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest'
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * Launches Debian's headless Chromium with a fresh profile. Close it in `afterAll`.
 *
 * @example
 * ```ts
 * const browser = await launchBrowser()
 * const page = await browser.newPage()
 * // ...
 * await browser.close()
 * ```
 */
export async function launchBrowser(): Promise<Browser> {
  // Playwright gives every launch a fresh temporary profile (it refuses --user-data-dir here).
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}

export interface ServedApp {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string
  close(): Promise<void>
}

/**
 * Serves a Hono app (anything with `fetch`) on 127.0.0.1 on a free port.
 *
 * @example
 * ```ts
 * const app = new Hono()
 * app.use(debugToolbar())
 * app.get('/', (c) => c.html('<html><body>hi</body></html>'))
 * const server = await serveApp(app)
 * await page.goto(`${server.url}/`)
 * await server.close()
 * ```
 */
export async function serveApp(app: { fetch: (request: Request, env: any) => Response | Promise<Response> }): Promise<ServedApp> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            // Keep-alive connections from the browser would hold close() open.
            ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
            server.close(() => done())
          }),
      })
    })
    server.once('error', reject)
  })
}

/** What `useBrowserSession` keeps up to date for each test. */
export interface BrowserSession {
  browser: Browser
  server: ServedApp
  /** A fresh context per test: the toolbar keeps its state in localStorage and cookies. */
  context: BrowserContext
  page: Page
  /** The page's console errors and uncaught exceptions during the test. */
  errors: string[]
  /** Loads `path` of the served app in the test's page, and checks it answered 200. */
  open(path: string): Promise<void>
}

/**
 * Registers the hooks of a browser test file: one browser and one served app for the
 * file, a fresh context, page and error list for each test. Read the fields inside tests.
 *
 * @example
 * ```ts
 * const session = useBrowserSession(() => myApp(), { width: 1280, height: 800 })
 * it('shows the handle', async () => {
 *   await session.page.goto(`${session.server.url}/`)
 *   expect(session.errors).toEqual([])
 * })
 * ```
 */
export function useBrowserSession(makeApp: () => Parameters<typeof serveApp>[0], viewport: { width: number; height: number }): BrowserSession {
  const session = {
    async open(path: string) {
      const res = await session.page.goto(`${session.server.url}${path}`)
      expect(res?.status(), path).toBe(200)
    },
  } as BrowserSession
  beforeAll(async () => {
    session.browser = await launchBrowser()
    session.server = await serveApp(makeApp())
  })
  afterAll(async () => {
    await session.browser?.close()
    await session.server?.close()
  })
  beforeEach(async () => {
    session.context = await session.browser.newContext({ viewport, colorScheme: 'light' })
    session.page = await session.context.newPage()
    session.errors = collectErrors(session.page)
  })
  afterEach(async () => {
    await session.context.close()
  })
  return session
}

/**
 * Collects the page's console errors and uncaught exceptions from now on.
 *
 * @example
 * ```ts
 * const errors = collectErrors(page)
 * await page.goto(url)
 * expect(errors).toEqual([])
 * ```
 */
export function collectErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()} (${message.location().url})`)
  })
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`))
  return errors
}

/**
 * The toolbar's handle (the tab at the right edge), once it has loaded its request.
 *
 * @example
 * ```ts
 * await expect.poll(() => toolbarHandle(page).textContent()).toContain('200')
 * ```
 */
export function toolbarHandle(page: Page): Locator {
  return page.locator('#hono-debug-toolbar .hdt-handle')
}

/**
 * Opens the toolbar from its handle (unless it is already open) and waits for the panel list.
 * Returns the sidebar.
 *
 * @example
 * ```ts
 * const sidebar = await openToolbar(page)
 * await expect.poll(() => sidebar.locator('.hdt-nav-title').allTextContents()).toContain('SQL')
 * ```
 */
export async function openToolbar(page: Page): Promise<Locator> {
  const sidebar = page.locator('#hono-debug-toolbar .hdt-sidebar')
  if (!(await sidebar.isVisible())) await toolbarHandle(page).click()
  await sidebar.locator('.hdt-nav-item').first().waitFor()
  return sidebar
}

/**
 * Opens the panel whose title is `title` (exactly) and waits until its content has loaded.
 * Returns the pane's body, where the panel's content is.
 *
 * @example
 * ```ts
 * const pane = await openPanel(page, 'Request')
 * await expect.poll(() => pane.textContent()).toContain('/users/:id')
 * ```
 */
export async function openPanel(page: Page, title: string): Promise<Locator> {
  const sidebar = await openToolbar(page)
  const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)
  await sidebar.locator('.hdt-nav-item').filter({ has: page.locator('.hdt-nav-title', { hasText: exact }) }).click()
  const pane = page.locator('#hono-debug-toolbar .hdt-pane')
  await pane.locator('.hdt-pane-title', { hasText: exact }).waitFor()
  const body = pane.locator('.hdt-pane-body')
  await body.locator('.hdt-loading').waitFor({ state: 'detached' })
  return body
}

/**
 * The names of the panels listed in the open toolbar, in order.
 *
 * @example
 * ```ts
 * expect(await panelTitles(page)).toContain('OpenTelemetry')
 * ```
 */
export async function panelTitles(page: Page): Promise<string[]> {
  const sidebar = await openToolbar(page)
  return sidebar.locator('.hdt-nav-title').allTextContents()
}

/**
 * Opens the History panel and shows the newest request whose row contains `text` in the
 * toolbar; answers that row's text.
 *
 * @example
 * ```ts
 * expect(await showFromHistory(page, '/ws')).toContain('101')
 * const pane = await openPanel(page, 'OpenTelemetry') // the waterfall of that request
 * ```
 */
export async function showFromHistory(page: Page, text: string): Promise<string> {
  const history = await openPanel(page, 'History')
  const row = history.locator('tr[data-hdt-history]', { hasText: text }).first()
  await row.waitFor()
  const shown = await row.innerText()
  await row.getByRole('button', { name: /Show/ }).click()
  await expect.poll(() => page.locator('#hono-debug-toolbar .hdt-current').innerText(), { timeout: 10_000 }).toContain(text)
  return shown
}
