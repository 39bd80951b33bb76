// Where a recorded request's bytes are allocated: a sampling heap profile of one variant
// (plain Hono or the toolbar with its default panels) under 20 requests in flight through
// @hono/node-server's listener with in-memory Node requests, as bench/counts.mjs sends them.
// Prints bytes per request by the package of the allocating function, then the toolbar's
// own sites. Counts bytes, not time: it reads the same on a busy machine.
//
//   npm run build && node bench/heap-sites.mjs [plain|toolbar] [--requests 20000]
import { Session } from 'node:inspector/promises'
import { getRequestListener } from '@hono/node-server'
import { Hono } from 'hono'
import { inMemoryRequest } from './in-memory-request.mjs'
import { html } from './variants.mjs'

const variant = process.argv[2] ?? 'toolbar'
const at = process.argv.indexOf('--requests')
const requests = at === -1 ? 20_000 : Number(process.argv[at + 1])
const app = new Hono()
if (variant === 'toolbar') {
  const { debugToolbar } = await import('hono-debug-toolbar')
  app.use(debugToolbar({ app }))
} else if (variant !== 'plain') throw new Error(`unknown variant ${variant} (plain, toolbar)`)
app.get('/', (c) => c.html(html))
const listener = getRequestListener(app.fetch)
const load = async (n) => {
  for (let i = 0; i < n; i += 20) {
    const batch = []
    for (let k = 0; k < 20; k++) batch.push(inMemoryRequest(listener))
    await Promise.all(batch)
    await new Promise((resolve) => setImmediate(resolve))
  }
}
await load(10_000)
const session = new Session()
session.connect()
await session.post('HeapProfiler.startSampling', { samplingInterval: 128, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })
await load(requests)
const { profile } = await session.post('HeapProfiler.stopSampling')

const packageOf = ({ url, functionName }) =>
  url.includes('/dist/src/') ? 'hono-debug-toolbar' : url.includes('@hono/node-server') ? '@hono/node-server' : url.includes('/hono/dist/') ? 'hono'
    : url.startsWith('node:') ? (functionName === 'promiseInitHook' ? 'AsyncLocalStorage promise hook' : 'node') : url.includes('/bench/') ? 'this benchmark' : 'built-ins'
const packages = new Map()
const ownSites = new Map()
const walk = (node) => {
  const where = packageOf(node.callFrame)
  if (node.selfSize) {
    packages.set(where, (packages.get(where) ?? 0) + node.selfSize)
    if (where === 'hono-debug-toolbar') {
      const { functionName, url, lineNumber } = node.callFrame
      const site = `${functionName || '(anonymous)'} ${url.slice(url.indexOf('/dist/') + 1)}:${lineNumber + 1}`
      ownSites.set(site, (ownSites.get(site) ?? 0) + node.selfSize)
    }
  }
  for (const child of node.children) walk(child)
}
walk(profile.head)
const perRequest = (bytes) => String(Math.round(bytes / requests)).padStart(7)
console.log(`${variant}: bytes allocated per request, sampled, ${requests} requests\n`)
for (const [where, bytes] of [...packages].sort((a, b) => b[1] - a[1])) console.log(perRequest(bytes), where)
if (ownSites.size) {
  console.log('\nthe toolbar\'s own sites')
  for (const [site, bytes] of [...ownSites].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(perRequest(bytes), site)
}
process.exit(0)
