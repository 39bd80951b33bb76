// Store benchmark: recorded requests per second with the toolbar (default panels and the
// OpenTelemetry panel) keeping its history in memory, in SQLite, in PostgreSQL, and in a
// PostgreSQL that is down (its port refuses). Each variant is its own server process;
// autocannon hits them in alternating rounds; medians and ratios to the in-memory store.
// After the rounds each server's `/api/store` says what was written, queued and lost, and
// each server's CPU time per request (its own process: the writes of SQLite included, the
// PostgreSQL server's work not) is steadier than req/s on a busy machine.
//
//   npm run build && node bench/stores.mjs [--rounds 5] [--duration 4] [--connections 20]
// PostgreSQL: HDT_TEST_POSTGRES_URL, else a throwaway cluster (scripts/postgres-cluster.mjs).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const PREFIX = '/_debug_toolbar'

if (process.argv[2] === '--serve') await serve(process.argv[3], process.argv[4])
else await bench()

/** One variant's server: prints its port, serves a small HTML page through the toolbar. */
async function serve(variant, target) {
  const { Hono } = await import('hono')
  const { serve: listen } = await import('@hono/node-server')
  const { debugToolbar } = await import('hono-debug-toolbar')
  const { OpenTelemetryPanel } = await import('hono-debug-toolbar/opentelemetry')
  let store
  if (variant === 'sqlite') store = new (await import('hono-debug-toolbar/store/sqlite')).SqliteStore({ path: target })
  if (variant.startsWith('postgres')) store = new (await import('hono-debug-toolbar/store/postgres')).PostgresStore({ connectionString: target, schema: `bench_${process.pid}` })
  if (variant === 'postgres') await store.migrate()
  const app = new Hono()
  let served = 0
  app.get('/__cpu', (c) => c.json({ ...process.cpuUsage(), served }))
  app.use(async (_c, next) => {
    served++
    await next()
  })
  app.use(debugToolbar({ app, store, excludePaths: ['/__cpu'], extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'bench' })] }))
  const html = '<!doctype html><html><head><title>bench</title></head><body><h1>Hello</h1><p>A small page.</p></body></html>'
  app.get('/', (c) => c.html(html))
  const server = listen({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => process.stdout.write(`${info.port}\n`))
  process.on('SIGTERM', () => server.close(() => process.exit(0)))
}

async function bench() {
  const args = Object.fromEntries(
    process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
  )
  const rounds = Number(args.rounds ?? 5)
  const duration = Number(args.duration ?? 4)
  const connections = Number(args.connections ?? 20)
  const { default: autocannon } = await import('autocannon')
  const { startPostgresCluster } = await import('../scripts/postgres-cluster.mjs')

  const dir = mkdtempSync(join(tmpdir(), 'hdt-bench-stores-'))
  const cluster = process.env.HDT_TEST_POSTGRES_URL ? undefined : await startPostgresCluster()
  const postgresUrl = process.env.HDT_TEST_POSTGRES_URL ?? cluster.url
  // Port 1 on loopback refuses at once: a database that is down, not one that is slow to answer.
  const targets = { memory: '', sqlite: join(dir, 'bench.db'), postgres: postgresUrl, 'postgres-down': 'postgres://postgres@127.0.0.1:1/postgres' }
  const variants = Object.keys(targets)
  const servers = {}
  for (const variant of variants) {
    const child = spawn(process.execPath, [new URL(import.meta.url).pathname, '--serve', variant, targets[variant]], { stdio: ['ignore', 'pipe', 'ignore'] })
    const [chunk] = await once(child.stdout, 'data')
    servers[variant] = { child, url: `http://127.0.0.1:${String(chunk).trim()}` }
  }
  const results = Object.fromEntries(variants.map((v) => [v, []]))
  const states = {}
  const cpu = async (variant) => (await fetch(`${servers[variant].url}/__cpu`)).json()
  const cpuBefore = {}
  for (const variant of variants) cpuBefore[variant] = await cpu(variant)
  try {
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 ? variants : [...variants].reverse()
      for (const variant of order) {
        const result = await autocannon({ url: `${servers[variant].url}/`, connections, duration })
        results[variant].push(result.requests.average)
        process.stderr.write(`round ${round} ${variant}: ${Math.round(result.requests.average)} req/s\n`)
      }
    }
    // The stats and writes of the last requests finish after autocannon does.
    await new Promise((resolve) => setTimeout(resolve, 2000))
    for (const variant of variants) {
      const url = servers[variant].url
      const [before, after] = [cpuBefore[variant], await cpu(variant)]
      const cpuUsPerRequest = (after.user + after.system - before.user - before.system) / (after.served - before.served)
      const store = await (await fetch(`${url}${PREFIX}/api/store`)).json()
      const list = await fetch(`${url}${PREFIX}/api/requests?limit=1`)
      states[variant] = { ...store, cpuUsPerRequest, stored: list.ok ? (await list.json()).total : `HTTP ${list.status}` }
    }
  } finally {
    for (const { child } of Object.values(servers)) child.kill('SIGTERM')
    cluster?.destroy()
    rmSync(dir, { recursive: true, force: true })
  }

  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const memory = median(results.memory)
  console.log(`\n${rounds} rounds x ${duration}s, ${connections} connections, GET / (small HTML page), default panels + OpenTelemetry panel\n`)
  console.log('store            req/s (median)   vs memory   CPU µs/req   available   queued   dropped   stored')
  for (const variant of variants) {
    const m = median(results[variant])
    const s = states[variant]
    console.log(
      `${variant.padEnd(16)} ${String(Math.round(m)).padStart(14)}   ${(m / memory).toFixed(3).padStart(9)}   ${String(Math.round(s.cpuUsPerRequest)).padStart(10)}   ${String(s.available).padStart(9)}   ${String(s.queued).padStart(6)}   ${String(s.dropped).padStart(7)}   ${String(s.stored).padStart(6)}`,
    )
  }
  console.log(`\nreq/s per round (min-max): ${variants.map((v) => `${v} ${Math.round(Math.min(...results[v]))}-${Math.round(Math.max(...results[v]))}`).join(', ')}`)
}
