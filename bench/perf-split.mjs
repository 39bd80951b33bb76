// Where a variant's CPU goes over loopback, kernel included: Linux `perf record` samples
// the server process (every thread, kernel stacks too) while autocannon loads it, and the
// samples are split per request into
//   - the main thread's JavaScript, by the package of the innermost JavaScript frame of each
//     sample (the builtins, inline caches and garbage collection a function calls count
//     to it),
//   - the response's `writev` with what the kernel does inside it on loopback (TCP, and
//     waking the load generator when it sleeps: `sock_def_readable`),
//   - the main thread outside any JavaScript (reading requests, libuv, scavenges it runs),
//   - V8's helper threads.
// bench/cpu-split.mjs splits user from system time; this says which code and which kernel
// path. Variants alternate, each in a new server process per round, as in bench/http.mjs.
//
//   npm run build && node bench/perf-split.mjs [--variants toolbar-otel,hono-otel] [--rounds 2] [--seconds 6] [--warmup 5] [--top 25]
//
// Needs `perf` (Debian's linux-perf) allowed to sample this user's processes
// (kernel.perf_event_paranoid at most 2); prints why and exits 0 when it is not.
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
)
const variants = (args.variants ?? 'toolbar-otel,hono-otel').split(',')
const rounds = Number(args.rounds ?? 2)
const seconds = Number(args.seconds ?? 6)
// Seconds of load before each server is sampled: its hot code is compiled by then (bench/http.mjs).
const warmup = Number(args.warmup ?? 5)
const top = Number(args.top ?? 25)
const HZ = 4000

const probe = spawnSync('perf', ['record', '-e', 'cpu-clock', '-o', '/dev/null', '--', 'true'], { encoding: 'utf8' })
if (probe.error || probe.status !== 0) {
  console.log(`perf-split: skipped, perf cannot sample here (${probe.error?.message ?? probe.stderr.trim().split('\n').pop()})`)
  process.exit(0)
}

const work = mkdtempSync(join(tmpdir(), 'perf-split-'))
const here = (file) => new URL(file, import.meta.url).pathname

async function start(script, variant, env = {}, flags = []) {
  // The server runs in the scratch folder: --perf-basic-prof leaves files where it runs.
  const child = spawn(process.execPath, [...flags, here(script), ...(variant ? [variant] : [])], {
    cwd: work,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  })
  const [chunk] = await once(child.stdout, 'data')
  return { child, port: String(chunk).trim() }
}

/** Per-request microseconds by bucket for one perf.data file. */
function split(file, requests) {
  const out = spawnSync('perf', ['script', '-i', file, '-F', 'tid,ip,sym'], { encoding: 'utf8', maxBuffer: 1 << 30 }).stdout
  const us = (samples) => (samples * 1e6) / HZ / requests
  const buckets = new Map()
  const functions = new Map()
  const add = (map, key) => map.set(key, (map.get(key) ?? 0) + 1)
  let main
  for (const block of out.split('\n\n')) {
    const lines = block.trim().split('\n').map((line) => line.trim()).filter(Boolean)
    if (lines.length < 2) continue
    const tid = lines[0].split(/\s+/)[0]
    main ??= tid // the first sample of a loaded server is its main thread's
    const frames = lines.slice(1).map((line) => line.replace(/^[0-9a-f]+\s+/, ''))
    if (tid !== main) {
      add(buckets, 'helper threads (scavenges, marking, the exporter\'s gRPC I/O)')
      continue
    }
    if (frames.some((frame) => frame.includes('__GI___writev') || frame.startsWith('writev'))) {
      add(buckets, frames.some((frame) => frame.startsWith('sock_def_readable')) ? 'writev: waking the reader' : 'writev: the rest (TCP on loopback, copies)')
      continue
    }
    const js = frames.find((frame) => frame.startsWith('JS:'))
    if (!js) {
      add(buckets, 'main thread outside JavaScript (reads, libuv, GC)')
      continue
    }
    add(buckets, `JS: ${packageOf(js)}`)
    add(functions, js.replace(/file:\/\/[^ ]*?\/(dist\/src|node_modules)\//, '$1/').slice(0, 110))
  }
  const total = [...buckets.values()].reduce((a, b) => a + b, 0)
  return {
    total: us(total),
    buckets: Object.fromEntries([...buckets].map(([k, v]) => [k, us(v)])),
    functions: Object.fromEntries([...functions].map(([k, v]) => [k, us(v)])),
  }
}

function packageOf(frame) {
  const match = /(dist\/src\/[a-z-]+|node_modules\/(?:@[^/]+\/[^/]+|[^/]+)|node:|bench\/)/.exec(frame)
  if (!match) return 'other'
  const name = match[1]
  if (name.startsWith('node_modules/@opentelemetry/')) return '@opentelemetry/* (the SDK, exporter)'
  if (name === 'node:') return "Node's own JavaScript (http, streams, async_hooks)"
  return name.replace('node_modules/', '')
}

const collector = await start('./collector.mjs')
const results = Object.fromEntries(variants.map((v) => [v, []]))
try {
  for (let round = 0; round < rounds; round++) {
    for (const variant of round % 2 ? [...variants].reverse() : variants) {
      const { child, port } = await start('./server.mjs', variant, { BENCH_COLLECTOR: `http://127.0.0.1:${collector.port}` }, ['--perf-basic-prof'])
      const url = `http://127.0.0.1:${port}/`
      await autocannon({ url, connections: 20, duration: warmup })
      const file = join(work, `${variant.replace(/\W/g, '_')}-${round}.data`)
      const load = autocannon({ url, connections: 20, duration: seconds + 2 })
      await new Promise((resolve) => setTimeout(resolve, 1000))
      const recorder = spawn('perf', ['record', '-e', 'cpu-clock', '-F', String(HZ), '-g', '-p', String(child.pid), '-o', file, '--', 'sleep', String(seconds)], { stdio: 'ignore' })
      await once(recorder, 'exit')
      const result = await load
      child.kill('SIGTERM')
      await once(child, 'exit')
      // Requests during the recording: the load's mean rate over the recorded seconds.
      const requests = (result.requests.total / (seconds + 2)) * seconds
      results[variant].push({ rps: result.requests.average, ...split(file, requests) })
      rmSync(file, { force: true })
      process.stderr.write(`round ${round + 1} ${variant}: ${Math.round(result.requests.average)} req/s\n`)
    }
  }
} finally {
  collector.child.kill('SIGTERM')
  rmSync(work, { recursive: true, force: true })
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const pick = (variant, key, name) => median(results[variant].map((r) => (name ? r[key][name] ?? 0 : r[key])))
const cell = (n) => n.toFixed(2).padStart(14)
console.log(`\nCPU µs per request, server process, perf at ${HZ} Hz over ${seconds} s, medians of ${rounds} rounds\n`)
console.log(`${''.padEnd(64)}${variants.map((v) => v.slice(0, 13).padStart(14)).join('')}`)
console.log(`${'req/s'.padEnd(64)}${variants.map((v) => String(Math.round(pick(v, 'rps'))).padStart(14)).join('')}`)
console.log(`${'total'.padEnd(64)}${variants.map((v) => cell(pick(v, 'total'))).join('')}`)
const names = (key) => [...new Set(variants.flatMap((v) => results[v].flatMap((r) => Object.keys(r[key]))))]
const byWeight = (key) => names(key).sort((a, b) => variants.reduce((s, v) => s + pick(v, key, b) - pick(v, key, a), 0))
for (const name of byWeight('buckets')) console.log(`${name.slice(0, 63).padEnd(64)}${variants.map((v) => cell(pick(v, 'buckets', name))).join('')}`)
console.log('\nheaviest JavaScript functions (innermost JavaScript frame)\n')
for (const name of byWeight('functions').slice(0, top)) console.log(`${name.slice(0, 63).padEnd(64)}${variants.map((v) => cell(pick(v, 'functions', name))).join('')}`)
