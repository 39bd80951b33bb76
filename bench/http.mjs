// HTTP benchmark: autocannon against each variant on loopback, in alternating rounds, so
// that the machine's drift hits every variant alike. Prints req/s and p99 medians and
// ratios against plain Hono, an empty pass-through middleware and @hono/otel. Variants that
// export (toolbar-otel, hono-otel) send OTLP/gRPC to one loopback collector that counts spans.
//
//   npm run build && node bench/http.mjs [--rounds 5] [--duration 4] [--warmup 5] [--connections 20] [--variants a,b] [--restart] [--together]
//
// Each server is loaded `--warmup` seconds (5 by default) before it is measured: a new
// process compiles its hot code during the first 2-3 s under load (the toolbar with the
// OpenTelemetry panel served 6-7k req/s then, 11-12k after), and a variant with more code
// takes longer to get there. Up to the twenty-fourth round of specs/performance.md the
// warm-up was 1 s, and the first seconds of compiling were measured with the rest.
//
// With --restart, each variant gets a new server process every round: V8 settles some
// processes into a costlier garbage-collection state than others (specs/performance.md), so
// one process per variant can decide a comparison by itself.
//
// A variant written `toolbar-otel@/path/to/checkout` runs that checkout's bench/server.mjs
// (built there): the same variant before and after a change, in the same run. Processes of
// the same code differ by 5-10 µs of CPU per request; to compare code rather than V8's
// garbage-collection modes, run both sides with BENCH_NODE_FLAGS=--no-allocation-site-pretenuring
// and 8 or more rounds, and read the spread it prints at the end.
//
// With --together, the variants of a round run side by side, each under its own autocannon
// with `--connections` connections: the machine's speed, which moves by 2x from minute to
// minute on a shared one, is then the same for all of them. Their CPU per request compares
// under the same conditions; their req/s are then bounded by the one client they share.
// Each round prints the server's garbage collection per request in its main thread (young
// and full), read from the server (bench/server.mjs), and the client's own CPU per request,
// which moves with the machine's speed as the server's does.
//
// `hono-otel+attrs+headers` is @hono/otel sending what the toolbar sends (bench/server.mjs):
// its SERVER span also carries the request attributes the toolbar's span has and @hono/otel's
// has not, and its responses carry the toolbar's two headers. The last two columns compare
// with it when it runs (or with `hono-otel+headers`, the headers alone, when that runs).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import autocannon from 'autocannon'

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
)
const rounds = Number(args.rounds ?? 5)
const duration = Number(args.duration ?? 4)
const warmup = Number(args.warmup ?? 5)
const connections = Number(args.connections ?? 20)
const variants = (args.variants ?? 'plain,passthrough,toolbar-disabled,toolbar,toolbar-500,toolbar-otel,hono-otel,hono-otel+attrs+headers').split(',')

async function start(script, variant, env = {}) {
  const path = script.startsWith('/') ? script : new URL(script, import.meta.url).pathname
  const child = spawn(process.execPath, [...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : []), path, ...(variant ? [variant] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  })
  const [chunk] = await once(child.stdout, 'data')
  return { child, port: String(chunk).trim() }
}

const collector = await start('./collector.mjs')
const collectorUrl = `http://127.0.0.1:${collector.port}`
const restart = 'restart' in args
const together = 'together' in args
const servers = {}
async function startVariant(variant) {
  const [name, checkout] = variant.split('@')
  const { child, port } = await start(checkout ? `${checkout}/bench/server.mjs` : './server.mjs', name, { BENCH_COLLECTOR: collectorUrl })
  servers[variant] = { child, url: `http://127.0.0.1:${port}/` }
}
async function stopVariant(variant) {
  const { child } = servers[variant]
  child.kill('SIGTERM')
  await once(child, 'exit')
}
if (!restart) {
  for (const variant of variants) await startVariant(variant)
  // Kept for every round: warmed once, before the first.
  for (const variant of variants) await autocannon({ url: servers[variant].url, connections, duration: warmup })
}
const results = Object.fromEntries(variants.map((v) => [v, []]))
const p99s = Object.fromEntries(variants.map((v) => [v, []]))
const cpus = Object.fromEntries(variants.map((v) => [v, []]))
// The load generator's own CPU per request (autocannon runs in this process). On a machine
// with few CPUs it shares them with the server. It follows the server's speed (a slower
// server leaves fewer responses for each of the client's reads) far more than what it parses:
// bench/client-parse.mjs measures the parsing alone (specs/performance.md, items 28 and 31).
const clients = Object.fromEntries(variants.map((v) => [v, []]))
const readCpu = async (url) => (await fetch(new URL('/__bench/cpu', url))).json()
// Garbage collection per request in the main thread (young and full, µs), from a server that
// reports it (bench/server.mjs of this checkout; an older checkout's reports none).
const gcPerRequest = (before, after, requests) =>
  after.gc && before.gc
    ? `, GC young ${(((after.gc.minorMs - before.gc.minorMs) * 1000) / requests).toFixed(1)} full ${((((after.gc.majorMs + after.gc.incrementalMs) - (before.gc.majorMs + before.gc.incrementalMs)) * 1000) / requests).toFixed(1)} µs/request (${after.gc.minorCount - before.gc.minorCount} young, ${after.gc.majorCount - before.gc.majorCount} full)`
    : ''
// One load on the given variants at once (each its own autocannon with `connections`
// connections), with each server's CPU read before and after.
async function measure(group, round) {
  const before = await Promise.all(group.map((variant) => readCpu(servers[variant].url)))
  const clientBefore = process.cpuUsage()
  const loads = await Promise.all(group.map((variant) => autocannon({ url: servers[variant].url, connections, duration })))
  const clientUsage = process.cpuUsage(clientBefore)
  const after = await Promise.all(group.map((variant) => readCpu(servers[variant].url)))
  const served = loads.reduce((sum, result) => sum + result.requests.total, 0)
  group.forEach((variant, i) => {
    const result = loads[i]
    const cpuUs = (after[i].user + after[i].system - before[i].user - before[i].system) / result.requests.total
    // Together, the client's CPU is shared by the variants: per request of all of them.
    clients[variant].push((clientUsage.user + clientUsage.system) / served)
    results[variant].push(result.requests.average)
    p99s[variant].push(result.latency.p99)
    cpus[variant].push(cpuUs)
    process.stderr.write(`round ${round} ${variant}: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, ${cpuUs.toFixed(1)} µs CPU/request, client ${clients[variant].at(-1).toFixed(1)} µs/request${gcPerRequest(before[i], after[i], result.requests.total)}\n`)
  })
}
try {
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 ? variants : [...variants].reverse()
    if (together) {
      if (restart) for (const variant of order) await startVariant(variant)
      // The new processes' first requests compile code: not measured.
      for (const variant of order) await autocannon({ url: servers[variant].url, connections, duration: warmup })
      await measure(order, round)
      if (restart) for (const variant of order) await stopVariant(variant)
      continue
    }
    for (const variant of order) {
      if (restart) {
        await startVariant(variant)
        // The new process's first requests compile code: not measured.
        await autocannon({ url: servers[variant].url, connections, duration: warmup })
      }
      await measure([variant], round)
      if (restart) await stopVariant(variant)
    }
  }
} finally {
  if (!restart) for (const { child } of Object.values(servers)) child.kill('SIGTERM')
}
// Give the exporters a moment to flush what they batched, then read the collector's count.
await new Promise((resolve) => setTimeout(resolve, 1500))
const counted = once(collector.child.stdout, 'data')
collector.child.kill('SIGTERM')
const received = JSON.parse(String((await counted)[0]))

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const base = (name) => (results[name] ? median(results[name]) : undefined)
console.log(`\n${rounds} rounds x ${duration}s after ${warmup}s of warm-up, ${connections} connections, GET / (small HTML page)\n`)
// @hono/otel sending what the toolbar sends, when one such variant runs.
const withHeaders = ['hono-otel+attrs+headers', 'hono-otel+headers'].find((name) => results[name])
const label = withHeaders?.slice('hono-otel'.length)
const width = Math.max(18, ...variants.map((name) => name.length))
console.log(`${'variant'.padEnd(width)} req/s (median)   p99 ms   vs plain   vs passthrough   vs @hono/otel   CPU µs/req   CPU vs @hono/otel   client µs/req${withHeaders ? `   vs ${label}   CPU vs ${label}` : ''}`)
const cpuWithHeaders = withHeaders ? median(cpus[withHeaders]) : undefined
const cpuBase = cpus['hono-otel']?.length ? median(cpus['hono-otel']) : undefined
for (const variant of variants) {
  const m = median(results[variant])
  const ratio = (other) => (base(other) ? (m / base(other)).toFixed(3).padStart(8) : '       -')
  const p99 = String(median(p99s[variant])).padStart(6)
  const cpu = median(cpus[variant])
  // Requests per CPU second relative to @hono/otel: above 1 means cheaper per request.
  const cpuRatio = cpuBase ? (cpuBase / cpu).toFixed(3) : '-'
  console.log(
    `${variant.padEnd(width)} ${String(Math.round(m)).padStart(14)}   ${p99}   ${ratio('plain')}   ${ratio('passthrough').padStart(14)}   ${ratio('hono-otel').padStart(13)}   ${cpu.toFixed(1).padStart(10)}   ${cpuRatio.padStart(17)}   ${median(clients[variant]).toFixed(1).padStart(13)}` +
      (withHeaders ? `   ${ratio(withHeaders).padStart(label.length + 3)}   ${(cpuWithHeaders / cpu).toFixed(3).padStart(label.length + 7)}` : ''),
  )
}
// The spread between processes: a difference smaller than it needs more rounds to mean anything.
console.log(`\nCPU µs/req, lowest and highest of the ${rounds} processes (or rounds) of each variant:`)
for (const variant of variants) console.log(`${variant.padEnd(width)} ${Math.min(...cpus[variant]).toFixed(1).padStart(7)} - ${Math.max(...cpus[variant]).toFixed(1)}`)
// Round by round against @hono/otel (the two measured side by side, or one after the other),
// then the median of those ratios: the machine's drift between rounds cancels out of each.
if (results['hono-otel']) {
  console.log(`\nreq/s against @hono/otel round by round (median, lowest - highest${together ? '; measured together' : ''}):`)
  for (const variant of variants.filter((name) => name !== 'hono-otel')) {
    const ratios = results[variant].map((value, round) => value / results['hono-otel'][round])
    console.log(`${variant.padEnd(width)} ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)} - ${Math.max(...ratios).toFixed(3)})`)
  }
}
console.log(`\ncollector received ${received.spans} spans in ${received.exports} exports (toolbar-otel and hono-otel together)`)
