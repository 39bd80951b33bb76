/**
 * The request history (`GET {prefix}/api/requests`, the History panel) answers the same
 * whichever store keeps it: the in-memory ring, SQLite and PostgreSQL, given the same
 * requests in the same order and the same bound, list the same requests in the same order for
 * any filter (method in any case, status codes and classes, a piece of the path with `%`, `_`
 * or a backslash in it, pages), count the same total and the same dropped, and find the same
 * requests by id. Requests finish out of start order, some started in the same millisecond,
 * and an imported request may be saved again. fast-check writes the requests and the filters.
 */
import { describe, it } from 'vitest'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { MemoryStore, type RequestFilter, type StoredRequest } from '../src/core/store.js'
import { SqliteStore } from '../src/store/sqlite.js'
import { PostgresStore } from '../src/store/postgres.js'
import { durableStores, type Durable } from './support/durable-stores.js'
import { uniqueSchema } from './support/postgres-server.js'

const stores = await durableStores('request history')

const METHODS = ['GET', 'get', 'POST', 'Delete', 'PATCH', 'OPTIONS', 'PROPFIND', 'M-SEARCH']
const PIECES = ['/', 'users', 'Users', '%', '_', '\\', '%25', 'café', '√', '📦', 'a_b', '100%', ' ', '.', 'api']
const T0 = Date.UTC(2026, 11, 1)

const requestSpec = fc.record({
  method: fc.constantFrom(...METHODS),
  path: fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 4 }).map((pieces) => `/${pieces.join('')}`),
  status: fc.option(fc.integer({ min: 100, max: 599 }), { nil: undefined }),
  // Milliseconds after T0: small, so that some requests start in the same millisecond.
  startMs: fc.integer({ min: 0, max: 40 }),
  // Saved again: the same id as an earlier request (an import of a request already kept).
  again: fc.option(fc.nat(), { freq: 6, nil: undefined }),
})
type RequestSpec = typeof requestSpec extends fc.Arbitrary<infer T> ? T : never

const filterSpec = fc.record({
  method: fc.option(fc.constantFrom(...METHODS, 'post', 'HEAD', 'ge'), { nil: undefined }),
  status: fc.option(fc.constantFrom('404', '4xx', '5XX', '2xx, 404', '1xx 3xx', ' , ', '200'), { nil: undefined }),
  path: fc.option(fc.constantFrom(...PIECES, 'users/', 'sers', '%_', 'x'), { nil: undefined }),
  limit: fc.integer({ min: 1, max: 8 }),
  offset: fc.integer({ min: 0, max: 6 }),
})

function requestsOf(specs: RequestSpec[]): StoredRequest[] {
  const saved: StoredRequest[] = []
  for (const [i, spec] of specs.entries()) {
    const earlier = spec.again === undefined || saved.length === 0 ? undefined : saved[spec.again % saved.length]!
    saved.push({
      // An import saves what was recorded: the same id keeps its start.
      id: earlier?.id ?? `req-${i}`,
      method: spec.method,
      path: spec.path,
      route: undefined,
      status: spec.status,
      startedAt: earlier?.startedAt ?? new Date(T0 + spec.startMs).toISOString(),
      durationMs: 1 + i,
      traceId: undefined,
      panels: { timer: { totalMs: 1 + i } },
      nav: [{ id: 'timer', title: 'Time', subtitle: `${1 + i} ms` }],
    })
  }
  return saved
}

/** What a user reads of a page: ids in order, their fields, the total and what was dropped. */
function page(p: { requests: Array<{ id: string; method: string; path: string; status: number | undefined }>; total: number }, dropped: number) {
  return { lines: p.requests.map((r) => `${r.id} ${r.method} ${r.path} ${r.status}`), total: p.total, dropped }
}

let run = 0

async function sameHistory(open: (max: number) => Durable, label: string, runs: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(requestSpec, { minLength: 1, maxLength: 14 }), fc.integer({ min: 1, max: 8 }), fc.array(filterSpec, { minLength: 1, maxLength: 5 }), async (specs, max, filters) => {
      const requests = requestsOf(specs)
      const memory = new MemoryStore(max)
      const durable = open(max)
      try {
        for (const request of requests) {
          memory.save(request)
          durable.save(request)
          // Each request in its own batch, as requests finishing apart are written.
          await durable.flush()
        }
        for (const filter of [{ limit: 50, offset: 0 }, ...filters] as RequestFilter[]) {
          const a = page(memory.list(filter), memory.dropped)
          const listed = await durable.list(filter)
          const b = page(listed, listed.dropped ?? 0)
          if (!isDeepStrictEqual(a, b)) throw new Error(`${JSON.stringify(filter)}:\n  memory ${JSON.stringify(a)}\n  ${label} ${JSON.stringify(b)}`)
        }
        for (const request of requests) {
          const a = (await memory.get(request.id))?.status
          const b = (await durable.get(request.id))?.status
          if (a !== b) throw new Error(`get(${request.id}): memory ${a} / ${label} ${b}`)
        }
      } finally {
        await durable.close()
      }
      return true
    }),
    { numRuns: runs },
  )
}

describe('the request history', () => {
  it('answers the same from memory and from SQLite', async () => {
    await sameHistory((max) => new SqliteStore({ path: join(stores.dir, `history-${++run}.db`), maxRequests: max }), 'SQLite', 150)
  })

  it.skipIf(!stores.postgresUrl)('answers the same from memory and from PostgreSQL', async () => {
    await sameHistory((max) => new PostgresStore({ connectionString: stores.postgresUrl!, schema: uniqueSchema(`history_${++run}`), maxRequests: max }), 'PostgreSQL', 50)
  })
})
