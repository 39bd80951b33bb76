// Counts per request that do not depend on how busy the machine is: bytes allocated and
// promoted (from `--trace-gc-nvp`, the difference of a long and a short run), young objects
// alive at each scavenge, and promises made (an async_hooks init hook). Each variant runs in
// a process of its own with 20 requests in flight through @hono/node-server's listener with
// in-memory Node requests; the exporting variants send OTLP/gRPC to bench/collector.mjs.
//
//   npm run build && node bench/counts.mjs [--variants toolbar-otel,hono-otel] [--requests 60000]
//
// specs/performance.md, item 25, has what it found.
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { getRequestListener } from '@hono/node-server'
import { Hono } from 'hono'
import { inMemoryRequest } from './in-memory-request.mjs'
import { useHonoOtel, useToolbarOtel } from './otel-variants.mjs'

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
)
const html = '<!doctype html><html><head><title>bench</title></head><body><h1>Hello</h1><p>A small page.</p></body></html>'
const WARMUP = 10_000
const IN_FLIGHT = 20

if (args.child) await child(args.child, Number(args.requests), args.promises === '1')
else await parent()

async function parent() {
  const variants = (args.variants ?? 'plain,toolbar,toolbar-otel,hono-otel').split(',')
  const requests = Number(args.requests ?? 60_000)
  const collector = spawn(process.execPath, [fileURLToPath(new URL('./collector.mjs', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] })
  const port = String((await once(collector.stdout, 'data'))[0]).trim()
  const env = { ...process.env, BENCH_COLLECTOR: `http://127.0.0.1:${port}` }
  const run = (variant, n, flags, promises = false) =>
    execFileSync(process.execPath, [...flags, fileURLToPath(import.meta.url), '--child', variant, '--requests', String(n), '--promises', promises ? '1' : '0'], { env, maxBuffer: 1 << 28 }).toString()
  console.log(`${requests} requests per variant after ${WARMUP} to warm up, ${IN_FLIGHT} in flight; per request unless said`)
  console.log('variant'.padEnd(16), 'allocated B', 'promoted B', 'scavenges/1k', 'survived KB/scavenge', 'promises')
  for (const variant of variants) {
    const short = gcTotals(run(variant, 20_000, ['--trace-gc-nvp']))
    const long = gcTotals(run(variant, 20_000 + requests, ['--trace-gc-nvp']))
    const per = (key) => (long[key] - short[key]) / requests
    const scavenges = long.scavenges - short.scavenges
    const promises = JSON.parse(run(variant, 5_000, [], true).trim().split('\n').pop()).promises
    console.log(
      variant.padEnd(16),
      per('allocated').toFixed(0).padStart(11),
      per('promoted').toFixed(0).padStart(10),
      ((scavenges / requests) * 1000).toFixed(2).padStart(12),
      ((long.survived - short.survived) / Math.max(1, scavenges) / 1024).toFixed(0).padStart(20),
      promises.toFixed(1).padStart(8),
    )
  }
  collector.kill('SIGTERM')
}

/** Sums of `--trace-gc-nvp`'s lines: bytes allocated, promoted and surviving, and scavenges. */
function gcTotals(output) {
  const totals = { allocated: 0, promoted: 0, survived: 0, scavenges: 0 }
  for (const line of output.split('\n')) {
    const gc = / gc=(\w+) /.exec(line)
    if (!gc) continue
    totals.allocated += Number(/ allocated=(\d+)/.exec(line)?.[1] ?? 0)
    totals.promoted += Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0)
    if (gc[1] === 's') {
      totals.scavenges++
      totals.survived += Number(/ new_space_survived=(\d+)/.exec(line)?.[1] ?? 0)
    }
  }
  return totals
}

async function child(variant, requests, countPromises) {
  const app = new Hono()
  await use(app, variant)
  app.get('/', (c) => c.html(html))
  const listener = getRequestListener(app.fetch)
  const load = async (n) => {
    for (let i = 0; i < n; i += IN_FLIGHT) {
      const batch = []
      for (let k = 0; k < IN_FLIGHT; k++) batch.push(inMemoryRequest(listener))
      await Promise.all(batch)
      // A turn of the event loop, so the exporter's socket is served as under real load.
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  await load(WARMUP)
  let promises = 0
  if (countPromises) {
    const { createHook } = await import('node:async_hooks')
    createHook({ init: (_id, type) => void (type === 'PROMISE' && promises++) }).enable()
  }
  await load(requests)
  process.stdout.write(`${JSON.stringify({ promises: promises / requests })}\n`)
  process.exit(0)
}

async function use(app, variant) {
  switch (variant) {
    case 'plain':
      return
    case 'toolbar': {
      const { debugToolbar } = await import('hono-debug-toolbar')
      app.use(debugToolbar({ app }))
      return
    }
    case 'toolbar-otel':
      return useToolbarOtel(app, process.env.BENCH_COLLECTOR)
    case 'hono-otel':
      return useHonoOtel(app, process.env.BENCH_COLLECTOR)
    default:
      throw new Error(`unknown variant ${variant} (plain, toolbar, toolbar-otel, hono-otel)`)
  }
}
