import { afterAll, describe, expect, it } from 'vitest'
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import { SqliteStore, SchemaTooNewError } from '../../src/store/sqlite.js'
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite-schema.js'
import { optionalPeer } from '../../src/store/optional-peer.js'
import { INSTANCE } from '../../src/store/queued-store.js'
import { storeContract } from './store-contract.js'
import { olderReleaseLineReadsAsRecorded, olderReleaseSpansListedInWriteOrder } from './older-release.js'
import { FIXTURE_TRACE, sampleRequest, sampleSpan, skewedOldSpan, tiedNewSpan, tiedOldSpans, TIED_TRACE, traceIdOf } from './samples.js'

const dir = mkdtempSync(join(tmpdir(), 'hdt-sqlite-'))
let files = 0
const freshPath = () => join(dir, `store-${++files}.db`)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('SqliteStore on a real file', () => {
  storeContract((options) => new SqliteStore({ path: freshPath(), ...options }))

  it('keeps the history and traces across a reopen of the file, in WAL mode', async () => {
    const path = freshPath()
    const first = new SqliteStore({ path })
    first.save(sampleRequest(1))
    first.saveSpans([sampleSpan(1, 1), sampleSpan(1, 2)], 'req-1')
    await first.close()
    const second = new SqliteStore({ path })
    expect(await second.get('req-1')).toEqual({ ...sampleRequest(1), instance: INSTANCE })
    expect((await second.getTrace(traceIdOf(1)))?.length).toBe(2)
    expect(second.schemaVersion).toBe(SQLITE_MIGRATIONS.length)
    await second.close()
    const raw = new Database(path, { readonly: true })
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal')
    raw.close()
  })

  it('migrates a version 1 database (the first release) to the current version with its data intact', async () => {
    const path = freshPath()
    const v1 = new Database(path)
    v1.exec(readFileSync(new URL('../fixtures/sqlite-v1.sql', import.meta.url), 'utf8'))
    v1.close()
    const store = new SqliteStore({ path })
    expect(store.schemaVersion).toBe(SQLITE_MIGRATIONS.length)
    const old = await store.get('old-1')
    expect(old).toEqual({
      id: 'old-1', method: 'GET', path: '/users/2', route: '/users/:id', status: 200, startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 12.5, traceId: '4bf92f3577b34da6a3ce929d0e0e4736', panels: { timer: { totalMs: 12.5 } }, nav: [{ id: 'timer', title: 'Time', subtitle: '12.5 ms' }],
    })
    const [span] = (await store.getTrace('4bf92f3577b34da6a3ce929d0e0e4736'))!
    expect(span).toMatchObject({ spanId: '00f067aa0ba902b7', startTimeUnixNano: '1767225600000000123', endTimeUnixNano: '1767225600012500123', status: { code: 'OK' } })
    expect((await store.listTraces({ limit: 5, offset: 0 })).traces[0]).toMatchObject({ requestId: 'old-1', spanCount: 1, rootName: 'GET /users/:id' })
    // New writes use the new columns beside the old rows.
    store.save(sampleRequest(1))
    expect((await store.list({ limit: 5, offset: 0 })).requests.map((r) => [r.id, r.instance])).toEqual([['req-1', INSTANCE], ['old-1', undefined]])
    expect((await store.status()).instances).toBe(1)
    await store.close()
  })

  it('keeps the order of spans stored before the insertion sequence (by start, then span id), and lists a span stored after them after them', async () => {
    const path = freshPath()
    const v1 = new Database(path)
    v1.exec(readFileSync(new URL('../fixtures/sqlite-v1.sql', import.meta.url), 'utf8'))
    v1.exec(tiedOldSpans('spans'))
    v1.close()
    const store = new SqliteStore({ path })
    expect((await store.getTrace(TIED_TRACE))!.map((s) => s.name)).toEqual(['old 0a', 'old 0b', 'old 0c'])
    store.saveSpans([tiedNewSpan()])
    expect((await store.getTrace(TIED_TRACE))!.map((s) => s.name)).toEqual(['old 0a', 'old 0b', 'old 0c', 'new 09'])
    await store.close()
  })

  it('lists and filters a trace of several services stored before version 7 by the start and duration its waterfall draws', async () => {
    const path = freshPath()
    const v1 = new Database(path)
    v1.exec(readFileSync(new URL('../fixtures/sqlite-v1.sql', import.meta.url), 'utf8'))
    v1.exec(skewedOldSpan((name) => name))
    v1.close()
    const store = new SqliteStore({ path })
    // The service's 5 ms span is drawn inside the request's 12.5 ms: the trace lasts 12.5 ms.
    const listed = { traceId: FIXTURE_TRACE, services: ['shop', 'inventory'], spanCount: 2, startedAt: '2026-01-01T00:00:00.000Z', durationMs: 12.5 }
    expect(await store.listTraces({ limit: 5, offset: 0, minDurationMs: 12.5 })).toMatchObject({ traces: [listed], total: 1 })
    expect(await store.listTraces({ limit: 5, offset: 0, minDurationMs: 500 })).toMatchObject({ traces: [], total: 0 })
    await store.close()
  })

  it('reads the trace line an older release still running wrote after the migration as a recorded request, by its start', async () => {
    const path = freshPath()
    const other = new Database(path)
    try {
      await olderReleaseLineReadsAsRecorded((options) => new SqliteStore({ path, ...options }), (sql) => other.exec(sql), 'traces')
    } finally {
      other.close()
    }
  })

  it('lists the spans an older release still running wrote after the migration in the order they were written, among those that start with them', async () => {
    const path = freshPath()
    const other = new Database(path)
    try {
      await olderReleaseSpansListedInWriteOrder(() => new SqliteStore({ path }), (sql) => other.exec(sql), 'spans')
    } finally {
      other.close()
    }
  })

  it('refuses a database whose schema is newer than the code, with a message', () => {
    const path = freshPath()
    new SqliteStore({ path }).close()
    const raw = new Database(path)
    raw.prepare('UPDATE schema_version SET version = ?').run(SQLITE_MIGRATIONS.length + 5)
    raw.close()
    expect(() => new SqliteStore({ path })).toThrow(SchemaTooNewError)
    expect(() => new SqliteStore({ path })).toThrow(`has schema version ${SQLITE_MIGRATIONS.length + 5}, newer than this version of hono-debug-toolbar supports (${SQLITE_MIGRATIONS.length})`)
  })

  it('lets two processes write one file at once, every row once', async () => {
    const path = freshPath()
    const start = join(dir, `start-${files}`)
    const writer = new URL('./processes/sqlite-writer.mjs', import.meta.url).pathname
    const distStore = new URL('../../dist/src/store/sqlite.js', import.meta.url).pathname
    const run = (name: string) => promisify(execFile)(process.execPath, [writer, distStore, path, name, '300', start], { timeout: 60_000 })
    const both = Promise.all([run('a'), run('b')])
    // Both open (and migrate) the new file at the same moment, then write together.
    setTimeout(() => writeFileSync(start, 'go'), 300)
    const outputs = await both
    const store = new SqliteStore({ path, maxRequests: 1000, maxTraces: 1000 })
    expect((await store.list({ limit: 1, offset: 0 })).total).toBe(600)
    expect((await store.listTraces({ limit: 1, offset: 0 })).total).toBe(600)
    expect((await store.list({ limit: 200, offset: 0, path: '/a/' })).total).toBe(300)
    const status = await store.status()
    expect(status.instances).toBe(2)
    for (const { stdout } of outputs) expect(JSON.parse(stdout)).toMatchObject({ available: true, dropped: 0 })
    await store.close()
  })

  it('writes what is queued when an app whose SIGTERM handler calls process.exit() at once is stopped', async () => {
    const path = freshPath()
    const script = new URL('./processes/sqlite-exit.mjs', import.meta.url).pathname
    const distRoot = new URL('../../dist', import.meta.url).pathname
    const app = spawn(process.execPath, [script, distRoot, path], { stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = once(app, 'exit')
    const port = String((await once(app.stdout!, 'data'))[0]).trim()
    const count = 300
    for (let i = 0; i < count; i += 30) {
      await Promise.all(Array.from({ length: 30 }, (_, k) => fetch(`http://127.0.0.1:${port}/items/${i + k}`).then((res) => res.text())))
    }
    // At once after the last response: the queue's next batch (25 ms away) has not run.
    app.kill('SIGTERM')
    expect(await exited).toEqual([0, null])
    const store = new SqliteStore({ path, maxRequests: 1000 })
    expect((await store.list({ limit: 1, offset: 0 })).total).toBe(count)
    await store.close()
  })

  it('computes the stats of a request handed over deferred only when the queue can take it', async () => {
    const store = new SqliteStore({ path: freshPath(), maxQueued: 1 })
    let resolved = 0
    const deferred = (i: number) => {
      const { panels: _panels, nav: _nav, ...summary } = sampleRequest(i)
      return { ...summary, resolve: async () => (resolved++, sampleRequest(i)) }
    }
    await store.save(deferred(1))
    expect(store.full).toBe(true)
    await store.save(deferred(2))
    expect(resolved).toBe(1)
    expect((await store.status()).dropped).toBe(1)
    expect(await store.get('req-1')).toEqual({ ...sampleRequest(1), instance: INSTANCE })
    expect(store.full).toBe(false)
    await store.close()
  })

  it('takes a file it may not write for an outage: unavailable with the reason, the writes kept, then written once it may', async () => {
    const ro = mkdtempSync(join(tmpdir(), 'hdt-sqlite-ro-'))
    chmodSync(ro, 0o777)
    const path = join(ro, 'history.db')
    await new SqliteStore({ path }).close()
    // Root writes any file: the file and the writer are nobody's then, as an app's would be its user's.
    const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}
    if (user.uid !== undefined) chownSync(path, user.uid, user.gid)
    chmodSync(path, 0o444)
    const script = new URL('./processes/sqlite-read-only.mjs', import.meta.url).pathname
    const distStore = new URL('../../dist/src/store/sqlite.js', import.meta.url).pathname
    const { stdout } = await promisify(execFile)(process.execPath, [script, distStore, path], { timeout: 30_000, ...user })
    const [blocked, written] = stdout.trim().split('\n').map((line) => JSON.parse(line))
    expect(blocked).toMatchObject({ available: false, queued: 2, dropped: 0, error: expect.stringMatching(/SQLITE_READONLY/) })
    expect(written).toMatchObject({ available: true, queued: 0, dropped: 0, total: 2 })
    expect(written.error).toBeUndefined()
    rmSync(ro, { recursive: true, force: true })
  })

  it('says which file it cannot open, and why', () => {
    const path = join(dir, 'no-such-directory', 'history.db')
    expect(() => new SqliteStore({ path })).toThrow(`SqliteStore cannot open the history file ${path}: Cannot open database because the directory does not exist`)
  })

  it('needs a path; a missing driver names the package to install', () => {
    expect(() => new SqliteStore({} as never)).toThrow('SqliteStore needs a path')
    expect(() => new SqliteStore({ path: freshPath(), maxRequests: 0 })).toThrow('maxRequests must be a whole number of at least 1, got 0')
    const require = createRequire(import.meta.url)
    expect(() => optionalPeer('hdt-no-such-driver', 'SqliteStore', require)).toThrow('SqliteStore needs the "hdt-no-such-driver" package, which is not installed: run `npm install hdt-no-such-driver`')
    expect(() => optionalPeer('x', 'X', () => { throw new TypeError('broken binding') })).toThrow('broken binding')
  })
})
