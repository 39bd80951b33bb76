// Which allocations outlive the young generation: `node bench/promoted.mjs [--otel]` serves the
// toolbar with its default panels in this process, loads it with autocannon for 2 s, then
// samples allocations for 3 s with the sampling heap profiler told to keep objects a major
// collection frees but drop those a scavenge frees, and prints where the kept bytes were
// allocated (function <= its caller). What a scavenge frees costs little; what shows here
// was copied and promoted. Run `npm run build` first.
import { Session } from 'node:inspector/promises'
import { spawn } from 'node:child_process'
import { PerformanceObserver } from 'node:perf_hooks'
import { Hono } from 'hono'
import { serve } from '@hono/node-server'
const mod = await import('hono-debug-toolbar')
const app = new Hono()
// `--otel`: with the OpenTelemetry panel (exporter `none`) too.
if (process.argv.includes('--otel')) {
  const { OpenTelemetryPanel } = await import('hono-debug-toolbar/opentelemetry')
  app.use(mod.debugToolbar({ app, extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'bench' })] }))
} else {
  app.use(mod.debugToolbar({ app }))
}
const html = '<!doctype html><html><head><title>bench</title></head><body><h1>Hello</h1><p>A small page.</p></body></html>'
app.get('/', (c) => c.html(html))
let minor = 0
let major = 0
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.detail?.kind === 1) minor++
    else major++
  }
}).observe({ entryTypes: ['gc'] })
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, async (info) => {
  const session = new Session()
  session.connect()
  const autocannon = new URL('../node_modules/.bin/autocannon', import.meta.url).pathname
  const run = (seconds) =>
    new Promise((resolve) => spawn(autocannon, ['-c', '20', '-d', String(seconds), `http://127.0.0.1:${info.port}/`], { stdio: 'ignore' }).on('exit', resolve))
  await run(2)
  await session.post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false })
  const minorBefore = minor
  const majorBefore = major
  await run(3)
  const { profile } = await session.post('HeapProfiler.stopSampling')
  const bytes = new Map()
  let total = 0
  const walk = (node, caller) => {
    const frame = node.callFrame
    const name = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(dist|src|bench)\//, '$1/')}:${frame.lineNumber + 1}`
    total += node.selfSize
    if (node.selfSize) {
      const key = `${name}  <=  ${caller ?? ''}`
      bytes.set(key, (bytes.get(key) ?? 0) + node.selfSize)
    }
    for (const child of node.children) walk(child, name)
  }
  walk(profile.head, undefined)
  console.log(`${minor - minorBefore} scavenges, ${major - majorBefore} other collections; sampled bytes not freed by a scavenge: ${total}`)
  for (const [key, size] of [...bytes].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(String(size).padStart(9), key)
  server.close()
  process.exit(0)
})
