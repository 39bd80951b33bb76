// An app with its own SIGTERM handler that calls process.exit() at once, as many do: the
// "exit" test sends it requests, then SIGTERM, and counts what reached the SQLite file.
import { Hono } from 'hono'
import { serve } from '@hono/node-server'

const [, , distRoot, path] = process.argv
const { debugToolbar } = await import(`${distRoot}/src/index.js`)
const { SqliteStore } = await import(`${distRoot}/src/store/sqlite.js`)
const app = new Hono()
app.use(debugToolbar({ store: new SqliteStore({ path, maxRequests: 1000 }) }))
app.get('/items/:id', (c) => c.html(`<html><body>item ${c.req.param('id')}</body></html>`))
process.on('SIGTERM', () => process.exit(0))
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(info.port))
