// The toolbar's own CPU cost per request, without sockets: each variant's app is called
// through @hono/node-server's request listener with an in-memory Node request/response
// pair, sequentially, and the process's CPU time is divided by the requests. Steadier than
// req/s on a busy machine, and it isolates the JavaScript the toolbar runs.
//
//   npm run build && node bench/inprocess.mjs [--requests 20000] [--variants a,b]
import { getRequestListener } from '@hono/node-server'
import { inMemoryRequest } from './in-memory-request.mjs'
import { html, useVariant } from './variants.mjs'
import { Hono } from 'hono'

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
)
const requests = Number(args.requests ?? 20000)
const variants = (args.variants ?? 'plain,passthrough,toolbar-disabled,toolbar,toolbar-500,toolbar-otel-none,hono-otel-none').split(',')

async function build(variant) {
  const app = new Hono()
  if (!(await useVariant(app, variant, () => { throw new Error(`${variant} exports over HTTP: use bench/http.mjs`) }))) throw new Error(`unknown variant ${variant}`)
  app.get('/', (c) => c.html(html))
  return getRequestListener(app.fetch)
}

const variant = args.child
if (variant) {
  // One variant per process, so that globals (OpenTelemetry) and JIT state do not mix.
  const listener = await build(variant)
  for (let i = 0; i < 2000; i++) await inMemoryRequest(listener)
  const before = process.cpuUsage()
  const start = performance.now()
  for (let i = 0; i < requests; i++) await inMemoryRequest(listener)
  const cpu = process.cpuUsage(before)
  process.stdout.write(JSON.stringify({ cpuUs: (cpu.user + cpu.system) / requests, wallUs: ((performance.now() - start) * 1000) / requests }))
  process.exit(0)
} else {
  const { execFileSync } = await import('node:child_process')
  const rounds = Number(args.rounds ?? 3)
  const results = Object.fromEntries(variants.map((v) => [v, []]))
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 ? [...variants].reverse() : variants) {
      const out = execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--child', name, '--requests', String(requests)], { encoding: 'utf8' })
      results[name].push(JSON.parse(out).cpuUs)
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  console.log(`${requests} sequential requests per variant, ${rounds} alternating rounds, GET / (small HTML page); medians\n`)
  console.log('variant              CPU µs/request   over plain')
  for (const name of variants) {
    const cpu = median(results[name])
    const over = results.plain ? (cpu - median(results.plain)).toFixed(1) : '-'
    console.log(`${name.padEnd(20)} ${cpu.toFixed(1).padStart(14)}   ${over.padStart(10)}`)
  }
}
