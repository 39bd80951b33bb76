// Where a variant's CPU time goes: `node bench/profile.mjs <variant> [--duration 5]` starts
// bench/server.mjs with --cpu-prof, loads it with autocannon, and prints the functions with
// the most self time (and the share of idle time). Run `npm run build` first.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'

const variant = process.argv[2] ?? 'toolbar-otel'
const duration = Number(process.argv[process.argv.indexOf('--duration') + 1] || 5)
const dir = mkdtempSync(join(tmpdir(), 'hdt-prof-'))
const collector = spawn(process.execPath, [new URL('./collector.mjs', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] })
const collectorPort = String((await once(collector.stdout, 'data'))[0]).trim()
const server = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, new URL('./server.mjs', import.meta.url).pathname, variant], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, BENCH_COLLECTOR: `http://127.0.0.1:${collectorPort}` },
})
const port = String((await once(server.stdout, 'data'))[0]).trim()
const result = await autocannon({ url: `http://127.0.0.1:${port}/`, connections: 20, duration })
server.kill('SIGTERM')
await once(server, 'exit')
collector.kill('SIGTERM')
const profile = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]), 'utf8'))
const self = new Map()
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const deltas = profile.timeDeltas
let total = 0
profile.samples.forEach((id, i) => {
  const node = byId.get(id)
  const { functionName, url, lineNumber } = node.callFrame
  const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(dist|src)\//, '$1/')}:${lineNumber + 1}`
  self.set(key, (self.get(key) ?? 0) + deltas[i])
  total += deltas[i]
})
console.log(`${variant}: ${Math.round(result.requests.average)} req/s over ${duration}s; top self time of ${(total / 1e3).toFixed(0)} ms sampled:`)
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
  console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`)
}
// Inclusive time of the toolbar's own functions: what each costs with what it calls.
const parent = new Map()
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
const inclusive = new Map()
profile.samples.forEach((id, i) => {
  const seen = new Set()
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const { functionName, url, lineNumber } = byId.get(at).callFrame
    if (!/\/dist\/src\//.test(url)) continue
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/dist\//, '')}:${lineNumber + 1}`
    if (seen.has(key)) continue
    seen.add(key)
    inclusive.set(key, (inclusive.get(key) ?? 0) + deltas[i])
  }
})
console.log('\ninclusive time of the toolbar\'s functions:')
for (const [key, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
  console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`)
}
