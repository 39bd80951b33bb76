/**
 * WebSocket spans in a real browser: a chat page opens a WebSocket to a real
 * @hono/node-server 2.x server (`upgradeWebSocket` over `ws`) and sends messages; the
 * History panel lists the upgrade with status 101, and its OpenTelemetry waterfall shows
 * the connection span and a `WS receive chat` span per message, with the SQL of each
 * handler, and grows when the page sends more while the socket is open; a line a handler
 * logged after it returned is a `log warn` row under its message, its text escaped.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/websocket.test.ts
 */
import type { AddressInfo } from 'node:net'
import Database from 'better-sqlite3'
import { serve, upgradeWebSocket } from '@hono/node-server'
import { Hono } from 'hono'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { debugToolbar, instrumentBetterSqlite3, recordLog } from '../../src/index.js'
import { OpenTelemetryPanel, tracedWebSocket } from '../../src/opentelemetry/index.js'
import { collectErrors, launchBrowser, openPanel, showFromHistory } from './harness.js'

const WITHIN = { timeout: 10_000 }
const SCREENSHOTS = new URL('../../docs/screenshots/', import.meta.url).pathname

function chatApp(): Hono {
  const db = instrumentBetterSqlite3(new Database(':memory:'))
  db.exec('CREATE TABLE messages (id INTEGER PRIMARY KEY, text TEXT NOT NULL)')
  const app = new Hono()
  app.use(debugToolbar({ app, extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'chat' })] }))
  app.get('/', (c) =>
    c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Chat</title></head><body>
<ul id="log"></ul>
<script>
  const socket = new WebSocket('ws://' + location.host + '/ws')
  window.say = (text) => socket.send(JSON.stringify({ type: 'chat', text }))
  socket.onopen = () => { say('hello'); say('<b>world</b>') }
  socket.onmessage = (event) => {
    const li = document.createElement('li')
    li.textContent = event.data
    document.getElementById('log').append(li)
  }
</script></body></html>`),
  )
  app.get('/ws', upgradeWebSocket(tracedWebSocket(() => ({
    onMessage(event, ws) {
      const { text } = JSON.parse(String(event.data)) as { text: string }
      const { lastInsertRowid } = db.prepare('INSERT INTO messages (text) VALUES (?)').run(text)
      // Left running: the line is written after the handler returned.
      if (text.startsWith('later')) setTimeout(() => recordLog('warn', `delivered ${text}`), 20)
      ws.send(JSON.stringify({ type: 'ack', id: Number(lastInsertRowid) }))
    },
  }))))
  return app
}

let browser: Browser
let page: Page
let errors: string[]
let url = ''
let close: () => Promise<void>

beforeAll(async () => {
  browser = await launchBrowser()
  const wss = new WebSocketServer({ noServer: true })
  const app = chatApp()
  await new Promise<void>((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', websocket: { server: wss } }, (info: AddressInfo) => {
      url = `http://127.0.0.1:${info.port}`
      resolve()
    })
    close = () => new Promise<void>((done) => {
      for (const client of wss.clients) client.terminate()
      ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
      server.close(() => done())
    })
  })
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
  errors = collectErrors(page)
})

afterAll(async () => {
  await browser?.close()
  await close?.()
})

describe('WebSocket spans in the browser', () => {
  it('lists the upgrade as 101 and shows a waterfall that grows while the socket is open', async () => {
    await page.goto(`${url}/`)
    await expect.poll(() => page.locator('#log li').count(), WITHIN).toBe(2)

    expect(await showFromHistory(page, '/ws')).toContain('101')

    let pane = await openPanel(page, 'OpenTelemetry')
    const label = (name: string | RegExp) => pane.locator('.hdt-wf-label', { hasText: name })
    await expect.poll(() => label('WS receive chat').count(), WITHIN).toBe(2)
    expect(await label('GET /ws').count()).toBe(1)
    expect(await label('WS /ws').count()).toBe(1)
    expect(await label(/INSERT/).count()).toBe(2)

    // The socket is still open: one more message, and the waterfall grows on Refresh.
    await page.evaluate(() => (window as unknown as { say: (text: string) => void }).say('third'))
    await expect.poll(() => page.locator('#log li').count(), WITHIN).toBe(3)
    await pane.getByRole('button', { name: 'Refresh' }).click()
    // Three siblings of one name fold into one row (trace analysis); unfolded, all three show.
    await expect.poll(() => label('WS receive chat').innerText(), WITHIN).toMatch(/WS receive chat\s*×3/)
    await pane.getByRole('button', { name: /Expand 3 × WS receive chat/ }).click()
    await expect.poll(() => label(/^WS receive chat$/).count(), WITHIN).toBe(3)
    await page.screenshot({ path: `${SCREENSHOTS}opentelemetry-websocket.png` })
    pane = await openPanel(page, 'OpenTelemetry')
    expect(errors).toEqual([])
  })

  it('shows a line a handler logged after it returned as a span under its message, its text escaped', async () => {
    await page.evaluate(() => (window as unknown as { say: (text: string) => void }).say('later <b>bold</b>'))
    await expect.poll(() => page.locator('#log li').count(), WITHIN).toBe(4)
    const pane = await openPanel(page, 'OpenTelemetry')
    const line = pane.locator('[role="row"]', { has: page.locator('.hdt-wf-label', { hasText: /^log warn$/ }) })
    await expect.poll(async () => {
      await pane.getByRole('button', { name: 'Refresh' }).click()
      return line.count()
    }, WITHIN).toBe(1)
    await line.click()
    const detail = pane.locator('.hdt-span-detail')
    await expect.poll(() => detail.innerText(), WITHIN).toContain('delivered later <b>bold</b>')
    // Under the message span whose handler left it running.
    expect(await detail.locator('dd', { has: page.locator('button.hdt-linklike') }).innerText()).toContain('WS receive chat')
    expect(await detail.locator('b').count()).toBe(0)
    expect(errors).toEqual([])
  })
})
