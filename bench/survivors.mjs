// Where the objects that survive young collections were allocated, by function: load it
// into a bench server and put it under load.
//
//   node --import ./bench/survivors.mjs bench/server.mjs toolbar-otel   (then load it, then SIGTERM)
//
// V8's sampling heap profiler starts after BENCH_SURVIVORS_DELAY ms (default 3500: after
// the warm-up, and after V8 has settled into its steady state, which attaching the
// profiler earlier can change) and leaves out what young collections reclaimed, so what is
// left was allocated by each function and outlived at least one scavenge. On SIGTERM it
// prints the top functions to stderr. Compare a process whose scavenges keep ~0.9 MB with
// one that keeps ~1.9 MB (bench/survival.mjs shows which is which): the functions with the
// most more are what an old object kept alive (specs/performance.md, item 10).
import { Session } from 'node:inspector'

const session = new Session()
session.connect()
let started = false
setTimeout(() => {
  session.post('HeapProfiler.enable')
  session.post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false }, () => {
    started = true
  })
}, Number(process.env.BENCH_SURVIVORS_DELAY ?? 3500)).unref()

process.prependListener('SIGTERM', () => {
  if (!started) return
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) throw error
    const bytes = new Map()
    let total = 0
    const walk = (node) => {
      const { functionName, url, lineNumber } = node.callFrame
      const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\/src\//, '')}:${lineNumber + 1}`
      if (node.selfSize) {
        bytes.set(key, (bytes.get(key) ?? 0) + node.selfSize)
        total += node.selfSize
      }
      for (const child of node.children) walk(child)
    }
    walk(result.profile.head)
    process.stderr.write(`survivors: ${(total / 1024 / 1024).toFixed(1)} MB sampled\n`)
    for (const [key, size] of [...bytes].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
      process.stderr.write(`${String(Math.round(size / 1024)).padStart(8)} KB  ${key}\n`)
    }
  })
})
