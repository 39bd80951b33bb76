// An app with work that outlives its requests, run as its own process (the built toolbar, as
// a user installs it) on the store named by DEBUG_TOOLBAR_STORE (a SQLite file, or a
// postgres:// URL with DEBUG_TOOLBAR_STORE_SCHEMA), the way `node --watch` runs an app:
// `POST /signup` answers at once and logs a line 50 ms later (a welcome email sent after
// the answer); `POST /receipt` answers at once and renders a receipt 50 ms later that never
// ends (the mail server never answers); `GET /chat` is a traced WebSocket that acknowledges each message, and
// answers `{"type":"export"}` with "working" and a handler that never settles; `POST /last-signup`
// logs its line 50 ms after the answer and then stops the app itself, as README shows
// (`await otel.shutdown()`, then `process.exit()`). Prints its
// address as the demo app does ("http://127.0.0.1:<port>/").
import { serve, upgradeWebSocket } from '@hono/node-server'
import { Hono } from 'hono'
import { WebSocketServer } from 'ws'
import { debugToolbar, recordLog, renderTemplate } from 'hono-debug-toolbar'
import { OpenTelemetryPanel, tracedWebSocket } from 'hono-debug-toolbar/opentelemetry'

const setting = process.env.DEBUG_TOOLBAR_STORE ?? ''
const store = /^postgres(ql)?:\/\//.test(setting)
  ? new (await import('hono-debug-toolbar/store/postgres')).PostgresStore({ connectionString: setting, schema: process.env.DEBUG_TOOLBAR_STORE_SCHEMA })
  : new (await import('hono-debug-toolbar/store/sqlite')).SqliteStore({ path: setting })

const app = new Hono()
const otel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'late-work' })
app.use(debugToolbar({ app, store, extraPanels: [otel] }))
app.post('/signup', (c) => {
  setTimeout(() => recordLog('info', 'welcome email sent'), 50)
  return c.text('ok')
})
app.post('/last-signup', (c) => {
  setTimeout(async () => {
    recordLog('info', 'welcome email sent')
    await otel.shutdown()
    process.exit(0)
  }, 50)
  return c.text('ok')
})
app.post('/receipt', (c) => {
  setTimeout(() => void renderTemplate('receipt', async () => {
    recordLog('info', 'receipt started')
    await new Promise(() => {})
  }), 50)
  return c.text('ok')
})
app.get('/chat', upgradeWebSocket(tracedWebSocket(() => ({
  onMessage(event, ws) {
    const { type, text } = JSON.parse(String(event.data))
    if (type === 'export') {
      // Still running when the app stops: the report it waits for never comes.
      recordLog('info', `exporting ${text}`)
      ws.send(JSON.stringify({ type: 'working', text }))
      return new Promise(() => {})
    }
    ws.send(JSON.stringify({ type: 'ack', text }))
  },
}))))
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', websocket: { server: new WebSocketServer({ noServer: true }) } }, (info) => {
  console.log(`Late work app: http://127.0.0.1:${info.port}/`)
})
