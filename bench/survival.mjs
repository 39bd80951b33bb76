// What the young generation keeps: `node bench/survival.mjs [--variants a,b] [--runs 3]`
// starts each bench/server.mjs variant with --trace-gc-nvp, loads it with autocannon (20
// connections, 3 s) and prints, per run, the requests served and the median bytes that
// survived each scavenge ("new_space_survived"). Objects a request leaves reachable through
// a scavenge are copied and then promoted, and the collector's time grows with them, so this
// is the figure to watch when a change adds references from long-lived objects to a
// request's objects. V8's choices here vary between runs of the same code: run it several times.
// Run `npm run build` first.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import autocannon from 'autocannon'

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
)
const variants = (args.variants ?? 'plain,toolbar-core,toolbar,toolbar-otel-none').split(',')
const runs = Number(args.runs ?? 3)

async function measure(variant) {
  const server = spawn(process.execPath, [...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), '--trace-gc-nvp', new URL('./server.mjs', import.meta.url).pathname, variant], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_COLLECTOR: process.env.BENCH_COLLECTOR ?? 'http://127.0.0.1:9' },
  })
  let output = ''
  server.stdout.on('data', (chunk) => (output += chunk))
  while (!/^\d+$/m.test(output)) await once(server.stdout, 'data')
  const port = output.match(/^(\d+)$/m)[1]
  const result = await autocannon({ url: `http://127.0.0.1:${port}/`, connections: 20, duration: 3 })
  server.kill('SIGTERM')
  await once(server, 'exit')
  // The last scavenges, after the warm-up: the steady state.
  const survived = [...output.matchAll(/gc=s .*?new_space_survived=(\d+)/g)].map((m) => Number(m[1])).slice(-10)
  survived.sort((a, b) => a - b)
  return { requests: result.requests.total, survived: survived[Math.floor(survived.length / 2)] ?? 0 }
}

console.log('variant              run   requests   KB survived per scavenge (median of the last 10)')
for (const variant of variants) {
  for (let run = 1; run <= runs; run++) {
    const { requests, survived } = await measure(variant)
    console.log(`${variant.padEnd(20)} ${String(run).padStart(3)} ${String(requests).padStart(10)}   ${Math.round(survived / 1024)}`)
  }
}
