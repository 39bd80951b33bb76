// The "file it may not write" test: opens the store on a file it owns but whose mode is
// read-only, saves two requests, prints the status; then makes the file writable (as its
// owner may), waits for the queue to write, and prints the status and the count again.
import { chmodSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

const [, , distStore, path] = process.argv
const { SqliteStore } = await import(distStore)
const store = new SqliteStore({ path })
for (const n of [1, 2]) store.save({ id: `ro-${n}`, method: 'GET', path: `/ro/${n}`, route: undefined, status: 200, startedAt: new Date().toISOString(), durationMs: 1, panels: {}, nav: [] })
await sleep(200)
console.log(JSON.stringify(await store.status()))
chmodSync(path, 0o644)
for (let i = 0; i < 100 && (await store.status()).queued > 0; i++) await sleep(50)
const status = await store.status()
console.log(JSON.stringify({ ...status, total: (await store.list({ limit: 1, offset: 0 })).total }))
await store.close()
