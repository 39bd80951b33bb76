/**
 * A WebSocket conversation in a SQLite store, seen in a real browser after a restart: an app
 * on a real @hono/node-server server (`upgradeWebSocket` over `ws`) records a chat with a
 * real `ws` client and stops; the demo app, a process of its own on the same file, lists the
 * upgrade in its History with status 101, and its OpenTelemetry waterfall shows the
 * connection, each message and the line a handler logged after it returned, its text escaped.
 *
 * npm run build && npx vitest run --config vitest.browser.config.ts integration/browser/websocket-store.test.ts
 */
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve, upgradeWebSocket } from '@hono/node-server'
import { Hono } from 'hono'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { debugToolbar, recordLog } from '../../src/index.js'
import { OpenTelemetryPanel, tracedWebSocket } from '../../src/opentelemetry/index.js'
import { SqliteStore } from '../../src/store/sqlite.js'
import { startDemo, type DemoProcess } from '../support/demo-process.js'
import { collectErrors, launchBrowser, openPanel, showFromHistory } from './harness.js'

const WITHIN = { timeout: 10_000 }
const dir = mkdtempSync(join(tmpdir(), 'hdt-ws-store-'))
const path = join(dir, 'chat.db')

/** Records one chat on an app with the SQLite store at `path`, then stops the app. */
async function chatThenStop(): Promise<void> {
  const store = new SqliteStore({ path })
  const app = new Hono()
  app.use(debugToolbar({ app, store, extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'chat' })] }))
  app.get('/chat', upgradeWebSocket(tracedWebSocket(() => ({
    onMessage(event, ws) {
      const { text } = JSON.parse(String(event.data)) as { text: string }
      // Left running: the line is written after the handler returned.
      if (text.startsWith('later')) setTimeout(() => recordLog('warn', `delivered ${text}`), 20)
      ws.send(JSON.stringify({ type: 'ack' }))
    },
  }))))
  const wss = new WebSocketServer({ noServer: true })
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', websocket: { server: wss } }, () => resolve(started))
  })
  const socket = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/chat`)
  let acks = 0
  const acked = new Promise<void>((resolve) => socket.on('message', () => ++acks === 2 && resolve()))
  await new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
  socket.send(JSON.stringify({ type: 'chat', text: 'hello' }))
  socket.send(JSON.stringify({ type: 'chat', text: 'later <b>bold</b>' }))
  await acked
  await new Promise((resolve) => setTimeout(resolve, 60))
  socket.close(1000, 'bye')
  await new Promise((resolve) => socket.once('close', resolve))
  // The spans that joined after the upgrade request are written within 250 ms.
  await new Promise((resolve) => setTimeout(resolve, 500))
  await new Promise<void>((done) => server.close(() => done()))
  await store.close()
}

let browser: Browser
let demo: DemoProcess

beforeAll(async () => {
  await chatThenStop()
  demo = await startDemo({ DEBUG_TOOLBAR_STORE: path })
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await demo?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('a WebSocket conversation read back from a SQLite store', () => {
  it('shows the connection, its messages and a late line in the waterfall of the app started again', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    const errors = collectErrors(page)
    await page.goto(`${demo.url}/`)
    expect(await showFromHistory(page, '/chat')).toContain('101')

    const pane = await openPanel(page, 'OpenTelemetry')
    const label = (name: string | RegExp) => pane.locator('.hdt-wf-label', { hasText: name })
    await expect.poll(() => label(/^WS receive chat$/).count(), WITHIN).toBe(2)
    expect(await label(/^GET \/chat$/).count()).toBe(1)
    expect(await label(/^WS \/chat$/).count()).toBe(1)
    const line = pane.locator('[role="row"]', { has: page.locator('.hdt-wf-label', { hasText: /^log warn$/ }) })
    expect(await line.count()).toBe(1)
    await line.click()
    const detail = pane.locator('.hdt-span-detail')
    await expect.poll(() => detail.innerText(), WITHIN).toContain('delivered later <b>bold</b>')
    expect(await detail.locator('b').count()).toBe(0)
    expect(errors).toEqual([])
    await page.close()
  })
})
