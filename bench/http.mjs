// HTTP benchmark: autocannon against each variant on loopback, in alternating rounds, so
// that the machine's drift hits every variant alike. Prints req/s and p99 medians and
// ratios against plain Hono, an empty pass-through middleware and @hono/otel. Variants that
// export (toolbar-otel, hono-otel) send OTLP/gRPC to one loopback collector that counts spans.
//
//   npm run build && node bench/http.mjs [--rounds 5] [--duration 4] [--connections 20] [--variants a,b]
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import autocannon from 'autocannon'

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
)
const rounds = Number(args.rounds ?? 5)
const duration = Number(args.duration ?? 4)
const connections = Number(args.connections ?? 20)
const variants = (args.variants ?? 'plain,passthrough,toolbar-disabled,toolbar,toolbar-500,toolbar-otel,hono-otel').split(',')

async function start(script, variant, env = {}) {
  const child = spawn(process.execPath, [new URL(script, import.meta.url).pathname, ...(variant ? [variant] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  })
  const [chunk] = await once(child.stdout, 'data')
  return { child, port: String(chunk).trim() }
}

const collector = await start('./collector.mjs')
const collectorUrl = `http://127.0.0.1:${collector.port}`
const servers = {}
for (const variant of variants) {
  const { child, port } = await start('./server.mjs', variant, { BENCH_COLLECTOR: collectorUrl })
  servers[variant] = { child, url: `http://127.0.0.1:${port}/` }
}
const results = Object.fromEntries(variants.map((v) => [v, []]))
const p99s = Object.fromEntries(variants.map((v) => [v, []]))
try {
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 ? variants : [...variants].reverse()
    for (const variant of order) {
      const result = await autocannon({ url: servers[variant].url, connections, duration })
      results[variant].push(result.requests.average)
      p99s[variant].push(result.latency.p99)
      process.stderr.write(`round ${round} ${variant}: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms\n`)
    }
  }
} finally {
  for (const { child } of Object.values(servers)) child.kill('SIGTERM')
}
// Give the exporters a moment to flush what they batched, then read the collector's count.
await new Promise((resolve) => setTimeout(resolve, 1500))
const counted = once(collector.child.stdout, 'data')
collector.child.kill('SIGTERM')
const received = JSON.parse(String((await counted)[0]))

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const base = (name) => (results[name] ? median(results[name]) : undefined)
console.log(`\n${rounds} rounds x ${duration}s, ${connections} connections, GET / (small HTML page)\n`)
console.log('variant            req/s (median)   p99 ms   vs plain   vs passthrough   vs @hono/otel')
for (const variant of variants) {
  const m = median(results[variant])
  const ratio = (other) => (base(other) ? (m / base(other)).toFixed(3).padStart(8) : '       -')
  const p99 = String(median(p99s[variant])).padStart(6)
  console.log(`${variant.padEnd(18)} ${String(Math.round(m)).padStart(14)}   ${p99}   ${ratio('plain')}   ${ratio('passthrough').padStart(14)}   ${ratio('hono-otel').padStart(13)}`)
}
console.log(`\ncollector received ${received.spans} spans in ${received.exports} exports (toolbar-otel and hono-otel together)`)
