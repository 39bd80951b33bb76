// Which garbage-collection mode each process of a variant settles into:
//
//   npm run build && node bench/gc-mode.mjs [--variants toolbar,toolbar-otel-none] [--runs 6] [--requests 20000]
//
// Runs bench/inprocess.mjs's child for each variant `--runs` times, each in a new process
// with V8's --trace-pretenuring-statistics and --trace-gc-nvp, and prints per process:
// V8's allocation-site decisions (how often a site was found with most of its objects
// alive, "maybe", and how often V8 then decided to allocate that site's objects straight
// into the old generation, "tenured"), the bytes promoted per young collection (median of
// the last 20) and the CPU per request. A process in the costly mode promotes megabytes per
// collection and costs about twice the CPU; plain Hono makes no decisions at all. This is
// how item 14 of specs/performance.md found what set the costly mode off.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)
const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
)
const variants = (args.variants ?? 'plain,toolbar,toolbar-otel-none,hono-otel-none').split(',')
const runs = Number(args.runs ?? 6)
const requests = String(args.requests ?? 20000)
const child = new URL('./inprocess.mjs', import.meta.url).pathname

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0

console.log('variant               run   maybe  tenured   KB promoted/scavenge   CPU µs/request')
for (const variant of variants) {
  for (let i = 1; i <= runs; i++) {
    const flags = ['--trace-pretenuring-statistics', '--trace-gc-nvp']
    const { stdout } = await run(process.execPath, [...flags, child, '--child', variant, '--requests', requests], { maxBuffer: 256 * 1024 * 1024 })
    const maybe = stdout.match(/maybe tenure =>/g)?.length ?? 0
    const tenured = stdout.match(/=> tenure\b/g)?.length ?? 0
    const promoted = [...stdout.matchAll(/gc=s .*?promoted=(\d+)/g)].map((m) => Number(m[1])).slice(-20)
    const cpu = JSON.parse(stdout.match(/\{"cpuUs".*\}/)[0]).cpuUs
    console.log(`${variant.padEnd(20)} ${String(i).padStart(4)} ${String(maybe).padStart(7)} ${String(tenured).padStart(8)} ${String(Math.round(median(promoted) / 1024)).padStart(22)} ${cpu.toFixed(1).padStart(16)}`)
  }
}
