import type { ExplainTarget } from './explain-target.js'
import { finishQuery, startQuery } from './record-query.js'

/** The part of a node-postgres `Pool` or `Client` the recorder needs. */
export interface PgQueryable {
  query(...args: any[]): any
}

type Callback = (error: unknown, result: unknown) => unknown
type Target = Record<string | symbol, any>

const INSTRUMENTED = Symbol.for('hono-debug-toolbar.sql.pg')
/**
 * Marks a query config the pool wrapper already records, so the pooled client's own
 * wrapper lets it through: `pool.query()` runs on a client from `pool.connect()`.
 */
const RECORDED_BY_POOL = Symbol('hono-debug-toolbar.sql.pg.recorded')

/**
 * Records every query a node-postgres `Pool` or `Client` runs inside a request:
 * `query(text | config, values?, callback?)` in its promise and callback forms, and the
 * queries of clients checked out with `pool.connect()`. Instruments the object in place
 * and returns it; the `pg` module is not patched.
 *
 * A query's time runs from the call until its result arrives (for `pool.query`, that
 * includes waiting for a free connection). Streams and cursors (`Submittable`s) pass
 * through unrecorded.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { instrumentPg } from 'hono-debug-toolbar'
 *
 * const pool = instrumentPg(new pg.Pool({ connectionString: process.env.DATABASE_URL }))
 * app.get('/users/:id', async (c) => {
 *   const { rows } = await pool.query('SELECT * FROM users WHERE id = $1', [c.req.param('id')])
 *   return c.json(rows[0])
 * })
 * ```
 */
export function instrumentPg<T extends PgQueryable>(poolOrClient: T): T {
  const target = poolOrClient as unknown as Target
  if (target[INSTRUMENTED]) return poolOrClient
  const isPool = typeof target.connect === 'function' && 'totalCount' in target
  const explainTarget = explainOn(target.query.bind(target))
  if (isPool) {
    instrumentQuery(target, explainTarget, true)
    const rawConnect = target.connect.bind(target)
    target.connect = function connect(callback?: (error: unknown, client: Target | undefined, done: unknown) => void) {
      if (typeof callback === 'function') {
        return rawConnect((error: unknown, client: Target | undefined, done: unknown) => {
          if (client) instrumentClient(client, explainTarget)
          callback(error, client, done)
        })
      }
      return rawConnect().then((client: Target) => instrumentClient(client, explainTarget))
    }
  } else {
    instrumentClient(target, explainTarget)
  }
  return poolOrClient
}

/** A pooled client explains on its pool: the client itself may be back in the pool, or gone. */
function instrumentClient(client: Target, explainTarget: ExplainTarget): Target {
  if (!client[INSTRUMENTED]) instrumentQuery(client, explainTarget, false)
  return client
}

function instrumentQuery(target: Target, explainTarget: ExplainTarget, isPool: boolean): void {
  Object.defineProperty(target, INSTRUMENTED, { value: true })
  const rawQuery: (...args: unknown[]) => any = target.query.bind(target)
  const txStatus = (): string | undefined => (isPool ? undefined : (target.getTransactionStatus?.() ?? undefined))

  target.query = function query(...args: unknown[]) {
    const config = args[0] as Target | string | null | undefined
    const submittable = config != null && typeof config === 'object' && typeof config.submit === 'function'
    if (submittable || (config != null && typeof config === 'object' && config[RECORDED_BY_POOL])) return rawQuery(...args)
    const start = startQuery()
    if (!start || config == null) return rawQuery(...args)

    const sql = typeof config === 'string' ? config : String(config.text ?? '')
    const params = Array.isArray(args[1]) ? [...args[1]] : typeof config === 'object' && Array.isArray(config.values) ? [...config.values] : []
    const before = txStatus()
    const done = (error: unknown, result?: unknown) => {
      const after = txStatus()
      const inTransaction = before === 'T' || before === 'E' || after === 'T' || after === 'E'
      finishQuery(start, { sql, params, dbSystem: 'postgresql', rowCount: rowCountOf(result), error: error ?? undefined, inTransaction, explainTarget })
    }
    if (isPool) args[0] = markedForPool(config)

    const callbackAt = typeof args[2] === 'function' ? 2 : typeof args[1] === 'function' ? 1 : -1
    if (callbackAt >= 0) {
      const callback = args[callbackAt] as Callback
      args[callbackAt] = function recordedCallback(this: unknown, error: unknown, result: unknown) {
        done(error, result)
        return callback.call(this, error, result)
      }
    }
    let returned: any
    try {
      returned = rawQuery(...args)
    } catch (error) {
      done(error)
      throw error
    }
    if (callbackAt < 0 && returned && typeof returned.then === 'function') {
      // The app's promise is returned as it is; this branch only observes it.
      returned.then(
        (result: unknown) => done(undefined, result),
        (error: unknown) => done(error),
      )
    }
    return returned
  }
}

/** `config` as the pool's client will see it, marked as already recorded. */
function markedForPool(config: Target | string): Target {
  // A child object keeps the config's prototype getters (query builders define text/values there).
  const marked: Target = typeof config === 'string' ? { text: config } : Object.create(config)
  marked[RECORDED_BY_POOL] = true
  return marked
}

function rowCountOf(result: unknown): number | undefined {
  if (Array.isArray(result)) {
    const counts = result.map(rowCountOf).filter((n): n is number => n !== undefined)
    return counts.length ? counts.reduce((a, b) => a + b, 0) : undefined
  }
  const count = (result as { rowCount?: number | null } | undefined)?.rowCount
  return typeof count === 'number' ? count : undefined
}

/**
 * EXPLAIN through the original `query`, never recorded, always over the extended protocol:
 * it carries exactly one statement, so text after a `;` can never run.
 */
function explainOn(rawQuery: (config: object) => Promise<{ rows: Array<Record<string, unknown>> }>): ExplainTarget {
  return {
    dbSystem: 'postgresql',
    async explain(sql, params) {
      const explainSql = `EXPLAIN ${sql}`
      const result = await rawQuery({ text: explainSql, values: params, queryMode: 'extended', [RECORDED_BY_POOL]: true })
      return { explainSql, rows: result.rows }
    },
  }
}
