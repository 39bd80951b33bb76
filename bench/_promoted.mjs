import { Session } from 'node:inspector/promises'
import { spawn } from 'node:child_process'
import { PerformanceObserver } from 'node:perf_hooks'
import { Hono } from 'hono'
import { serve } from '@hono/node-server'
const mod = await import('hono-debug-toolbar')
const app = new Hono()
app.use(mod.debugToolbar({ app }))
const html = '<!doctype html><html><head><title>bench</title></head><body><h1>Hello</h1><p>A small page.</p></body></html>'
app.get('/', (c) => c.html(html))
let minor = 0, major = 0
new PerformanceObserver((list) => { for (const e of list.getEntries()) { if (e.detail?.kind === 1 || e.kind === 1) minor++; else major++ } }).observe({ entryTypes: ['gc'] })
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, async (info) => {
  const session = new Session(); session.connect()
  const run = (d) => new Promise((resolve) => spawn('node_modules/.bin/autocannon', ['-c', '20', '-d', String(d), `http://127.0.0.1:${info.port}/`], { stdio: 'ignore' }).on('exit', resolve))
  await run(2)
  await session.post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false })
  const m0 = minor, M0 = major
  await run(3)
  const { profile } = await session.post('HeapProfiler.stopSampling')
  const self = new Map(); let total = 0
  const walk = (node, path) => {
    const f = node.callFrame
    const name = `${f.functionName || '(anon)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(dist|src|bench)\//, '$1/')}:${f.lineNumber + 1}`
    const p = path ? `${name} < ${path.split(' < ')[0]}` : name
    total += node.selfSize
    if (node.selfSize) self.set(name + '  <=  ' + (path ?? ''), (self.get(name + '  <=  ' + (path ?? '')) ?? 0) + node.selfSize)
    for (const c of node.children) walk(c, name)
  }
  walk(profile.head, undefined)
  console.log('minor GCs', minor - m0, 'major', major - M0, 'sampled bytes (live + promoted-then-died)', total)
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(String(v).padStart(9), k)
  server.close(); process.exit(0)
})
