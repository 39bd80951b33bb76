// One process of the "two processes write one SQLite file at once" test: opens the store
// (migrating if it is first), waits for the start signal file, saves N requests with spans.
import { existsSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

const [, , distStore, path, name, count, startFile] = process.argv
const { SqliteStore } = await import(distStore)
const store = new SqliteStore({ path, batchSize: 7, maxRequests: 1000, maxTraces: 1000 })
while (!existsSync(startFile)) await sleep(5)
for (let i = 0; i < Number(count); i++) {
  const id = `${name}-${i}`
  const traceId = `${name === 'a' ? 'a' : 'b'}${i.toString(16).padStart(31, '0')}`
  store.save({ id, method: 'GET', path: `/${name}/${i}`, route: undefined, status: 200, startedAt: new Date().toISOString(), durationMs: 1, traceId, panels: { n: i }, nav: [] })
  const ns = `${BigInt(Date.now()) * 1_000_000n}`
  store.saveSpans([{ traceId, spanId: '0000000000000001', parentSpanId: undefined, name: 'GET', kind: 'SERVER', startTimeUnixNano: ns, endTimeUnixNano: ns, attributes: {}, events: [], links: [], status: { code: 'UNSET' }, resource: { 'service.name': name }, scope: { name: 't' }, source: 'local' }], id)
  if (i % 10 === 0) await sleep(1)
}
await store.close()
const status = await new SqliteStore({ path, maxRequests: 1000, maxTraces: 1000 }).status()
console.log(JSON.stringify(status))
