// Where a variant's CPU per request goes over HTTP: the server's user time, its system time
// (the kernel's side of its reads and writes), and the load generator's own CPU (autocannon
// in this process), each per request, medians over restarted servers in alternating rounds.
//
//   npm run build && node bench/cpu-split.mjs [--variants toolbar-otel,toolbar-otel+core,hono-otel] [--rounds 4] [--warmup 5]
//
// On a machine shared with other work, system time per request grows as a server gets
// slower (fewer requests per wake-up), whatever the server does: compare user time to
// compare code (specs/performance.md, item 26).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import autocannon from 'autocannon'

// `--variants a,b --rounds N` as the other scripts in bench/ take them, or the two in order.
const flags = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
)
const positional = process.argv.slice(2).filter((arg, i, all) => !arg.startsWith('--') && !all[i - 1]?.startsWith('--'))
const variants = (flags.variants ?? positional[0] ?? 'toolbar-otel,hono-otel').split(',')
const rounds = Number(flags.rounds ?? positional[1] ?? 4)
// Seconds of load before each server is measured: its hot code is compiled by then (bench/http.mjs).
const warmup = Number(flags.warmup ?? 5)

async function start(script, variant, env = {}) {
  const child = spawn(process.execPath, [new URL(script, import.meta.url).pathname, ...(variant ? [variant] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  })
  const [chunk] = await once(child.stdout, 'data')
  return { child, port: String(chunk).trim() }
}

const collector = await start('./collector.mjs')
const cpuOf = async (url) => (await fetch(new URL('/__bench/cpu', url))).json()
const samples = Object.fromEntries(variants.map((v) => [v, []]))
for (let round = 0; round < rounds; round++) {
  for (const variant of round % 2 ? [...variants].reverse() : variants) {
    const { child, port } = await start('./server.mjs', variant, { BENCH_COLLECTOR: `http://127.0.0.1:${collector.port}` })
    const url = `http://127.0.0.1:${port}/`
    await autocannon({ url, connections: 20, duration: warmup })
    const server = await cpuOf(url)
    const client = process.cpuUsage()
    const result = await autocannon({ url, connections: 20, duration: 4 })
    const serverAfter = await cpuOf(url)
    const clientAfter = process.cpuUsage(client)
    const n = result.requests.total
    samples[variant].push({
      user: (serverAfter.user - server.user) / n,
      system: (serverAfter.system - server.system) / n,
      client: (clientAfter.user + clientAfter.system) / n,
      rps: result.requests.average,
    })
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
}
collector.child.kill('SIGTERM')

const median = (values) => values.sort((a, b) => a - b)[values.length >> 1]
const width = Math.max(...variants.map((v) => v.length)) + 2
console.log(`${'variant'.padEnd(width)}   req/s   server user µs   server system µs   client µs   (per request, medians of ${rounds})`)
for (const variant of variants) {
  const of = (key) => median(samples[variant].map((s) => s[key]))
  console.log(
    `${variant.padEnd(width)} ${String(Math.round(of('rps'))).padStart(7)}   ${of('user').toFixed(1).padStart(14)}   ${of('system').toFixed(1).padStart(16)}   ${of('client').toFixed(1).padStart(9)}`,
  )
}
