import { Hono } from 'hono'
import { serve } from '@hono/node-server'
const mod = await import('hono-debug-toolbar')
const which = process.argv[2]
const app = new Hono()
app.use(mod.debugToolbar({ app, ...(process.env.MAXR ? { maxRequests: Number(process.env.MAXR) } : {}), panels: which === 'none' ? [] : which === 'all' ? undefined : which.startsWith('minus-') ? mod.defaultPanels().filter((p) => p.constructor.name !== which.slice(6)) : [new mod[which]()] }))
const html = '<!doctype html><html><head><title>bench</title></head><body><h1>Hello</h1><p>A small page.</p></body></html>'
app.get('/', (c) => c.html(html))
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => process.stdout.write(`${info.port}\n`))
