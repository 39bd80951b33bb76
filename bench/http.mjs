// HTTP benchmark: autocannon against each variant on loopback, in alternating rounds, so
// that the machine's drift hits every variant alike. Prints req/s medians and ratios
// against plain Hono, an empty pass-through middleware and @hono/otel.
//
//   npm run build && node bench/http.mjs [--rounds 5] [--duration 4] [--connections 20]
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import autocannon from 'autocannon'

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
)
const rounds = Number(args.rounds ?? 5)
const duration = Number(args.duration ?? 4)
const connections = Number(args.connections ?? 20)
const variants = (args.variants ?? 'plain,passthrough,toolbar-disabled,toolbar,toolbar-otel,hono-otel').split(',')

async function start(variant) {
  const child = spawn(process.execPath, [new URL('./server.mjs', import.meta.url).pathname, variant], { stdio: ['ignore', 'pipe', 'inherit'] })
  const [chunk] = await once(child.stdout, 'data')
  return { child, url: `http://127.0.0.1:${String(chunk).trim()}/` }
}

const servers = {}
for (const variant of variants) servers[variant] = await start(variant)
const results = Object.fromEntries(variants.map((v) => [v, []]))
try {
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 ? variants : [...variants].reverse()
    for (const variant of order) {
      const result = await autocannon({ url: servers[variant].url, connections, duration })
      results[variant].push(result.requests.average)
      process.stderr.write(`round ${round} ${variant}: ${Math.round(result.requests.average)} req/s\n`)
    }
  }
} finally {
  for (const { child } of Object.values(servers)) child.kill('SIGTERM')
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const base = (name) => (results[name] ? median(results[name]) : undefined)
console.log(`\n${rounds} rounds x ${duration}s, ${connections} connections, GET / (small HTML page)\n`)
console.log('variant            req/s (median)   vs plain   vs passthrough   vs @hono/otel')
for (const variant of variants) {
  const m = median(results[variant])
  const ratio = (other) => (base(other) ? (m / base(other)).toFixed(3).padStart(8) : '       -')
  console.log(`${variant.padEnd(18)} ${String(Math.round(m)).padStart(14)}   ${ratio('plain')}   ${ratio('passthrough').padStart(14)}   ${ratio('hono-otel').padStart(13)}`)
}
