import type { ExplainTarget } from './explain-target.js'
import { finishQuery, startQuery, type QueryStart } from './record-query.js'
import { sqliteTransaction } from './better-sqlite3-transaction.js'

/** The parts of a better-sqlite3 `Database` the recorder uses. */
export interface BetterSqlite3Database {
  prepare(source: string): unknown
  exec(source: string): unknown
  readonly inTransaction: boolean
}

/** A better-sqlite3 Statement, as the wrappers see it. */
interface Statement {
  source: string
  run(...params: unknown[]): { changes: number }
  get(...params: unknown[]): unknown
  all(...params: unknown[]): unknown[]
  iterate(...params: unknown[]): Iterator<unknown> & Iterable<unknown>
  bind(...params: unknown[]): Statement
}

type AnyFunction = (...args: any[]) => any

const INSTRUMENTED = Symbol.for('hono-debug-toolbar.sql.better-sqlite3')

/**
 * Records every statement a better-sqlite3 database runs inside a request: prepared
 * statements (`run`, `get`, `all`, `iterate`), `exec`, `pragma` and transactions (with their
 * BEGIN/COMMIT/ROLLBACK). Instruments this one database in place and returns it; other
 * databases and the better-sqlite3 prototype are untouched. Outside a request every call
 * goes straight to the driver after one AsyncLocalStorage lookup.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3'
 * import { instrumentBetterSqlite3 } from 'hono-debug-toolbar'
 *
 * const db = instrumentBetterSqlite3(new Database('app.db'))
 * app.get('/users/:id', (c) => c.json(db.prepare('SELECT * FROM users WHERE id = ?').get(c.req.param('id'))))
 * ```
 */
export function instrumentBetterSqlite3<T extends BetterSqlite3Database>(db: T): T {
  const target = db as unknown as Record<string | symbol, any>
  if (target[INSTRUMENTED]) return db
  // The prototype's methods, bound to this db, run statements without recording them.
  const rawPrepare = target.prepare.bind(db) as (source: string) => Statement
  const rawExec = target.exec.bind(db)
  const rawPragma = typeof target.pragma === 'function' ? (target.pragma as AnyFunction).bind(db) : undefined
  const hasTransactions = typeof target.transaction === 'function'

  const explainTarget: ExplainTarget = {
    dbSystem: 'sqlite',
    async explain(sql, params) {
      const explainSql = `EXPLAIN QUERY PLAN ${sql}`
      return { explainSql, rows: rawPrepare(explainSql).all(...params) as Array<Record<string, unknown>> }
    },
  }

  /** Runs `fn`, recording it as `sql` when inside a request; errors are recorded, then rethrown. */
  const recorded = <R>(sql: string, params: unknown[], fn: () => R, rowsOf: (result: R) => number | undefined): R => {
    const start = startQuery()
    if (!start) return fn()
    const wasInTransaction = db.inTransaction
    let result: R
    try {
      result = fn()
    } catch (error) {
      finish(start, sql, params, wasInTransaction, undefined, error)
      throw error
    }
    finish(start, sql, params, wasInTransaction, rowsOf(result))
    return result
  }

  const finish = (start: QueryStart, sql: string, params: unknown[], wasInTransaction: boolean, rowCount: number | undefined, error?: unknown) => {
    // BEGIN is in the transaction it opens, COMMIT/ROLLBACK in the one they close.
    const inTransaction = wasInTransaction || isOpen(db)
    finishQuery(start, { sql, params, dbSystem: 'sqlite', rowCount, error, inTransaction, explainTarget })
  }

  // One set of wrapper functions per database, shared by its statements (`this` is the statement).
  const boundParams = new WeakMap<Statement, unknown[]>()
  const paramsOf = (statement: Statement, args: unknown[]) => (args.length > 0 ? boundAs(args) : (boundParams.get(statement) ?? []))
  const proto = (statement: Statement) => Object.getPrototypeOf(statement) as Statement
  const wrappers = {
    run(this: Statement, ...args: unknown[]) {
      return recorded(this.source, paramsOf(this, args), () => proto(this).run.apply(this, args), (info) => info.changes)
    },
    get(this: Statement, ...args: unknown[]) {
      return recorded(this.source, paramsOf(this, args), () => proto(this).get.apply(this, args), (row) => (row === undefined ? 0 : 1))
    },
    all(this: Statement, ...args: unknown[]) {
      return recorded(this.source, paramsOf(this, args), () => proto(this).all.apply(this, args), (rows) => rows.length)
    },
    iterate(this: Statement, ...args: unknown[]) {
      const start = startQuery()
      if (!start) return proto(this).iterate.apply(this, args)
      const wasInTransaction = db.inTransaction
      const params = paramsOf(this, args)
      let iterator: Iterator<unknown> & Iterable<unknown>
      try {
        iterator = proto(this).iterate.apply(this, args)
      } catch (error) {
        finish(start, this.source, params, wasInTransaction, undefined, error)
        throw error
      }
      return recordedIterator(iterator, (rows, error) => finish(start, this.source, params, wasInTransaction, rows, error))
    },
    bind(this: Statement, ...args: unknown[]) {
      const result = proto(this).bind.apply(this, args)
      boundParams.set(this, boundAs(args))
      return result
    },
  }

  const instrumentStatement = (statement: Statement): Statement => Object.assign(statement, wrappers)

  Object.defineProperty(target, INSTRUMENTED, { value: true })
  target.prepare = function prepare(source: string) {
    // Preparing is not a query; a statement that fails to prepare is, with its error.
    let statement: Statement
    const startTime = performance.now()
    try {
      statement = rawPrepare(source)
    } catch (error) {
      const start = startQuery(startTime)
      if (start) finish(start, String(source), [], isOpen(db), undefined, error)
      throw error
    }
    return instrumentStatement(statement)
  }
  target.exec = function exec(source: string) {
    recorded(String(source), [], () => rawExec(source), () => undefined)
    return db
  }
  if (rawPragma) {
    target.pragma = function pragma(source: string, options?: { simple?: boolean }) {
      const rows = (result: unknown) => (options?.simple ? (result === undefined ? 0 : 1) : Array.isArray(result) ? result.length : undefined)
      return recorded(`PRAGMA ${source}`, [], () => rawPragma(source, options), rows)
    }
  }
  if (hasTransactions) {
    target.transaction = function transaction(fn: AnyFunction) {
      if (typeof fn !== 'function') throw new TypeError('Expected first argument to be a function')
      return sqliteTransaction(db, fn, rawPrepare, recorded)
    }
  }
  return db
}

/** Whether a (possibly closed) database is inside a transaction. */
function isOpen(db: BetterSqlite3Database): boolean {
  try {
    return db.inTransaction
  } catch {
    return false
  }
}

/**
 * Wraps a statement's iterator: the query lasts until the iterator is exhausted, closed
 * early (`break`, `return()`) or throws, and its row count is the rows it yielded.
 */
function recordedIterator(
  iterator: Iterator<unknown> & Iterable<unknown>,
  done: (rows: number, error?: unknown) => void,
): IterableIterator<unknown> {
  let rows = 0
  let finished = false
  const end = (error?: unknown) => {
    if (finished) return
    finished = true
    done(rows, error)
  }
  return {
    next() {
      try {
        const step = iterator.next()
        if (step.done) end()
        else rows++
        return step
      } catch (error) {
        end(error)
        throw error
      }
    },
    return(value?: unknown) {
      end()
      return iterator.return ? iterator.return(value) : { done: true, value }
    },
    [Symbol.iterator]() {
      return this
    },
  }
}

/**
 * The params as better-sqlite3 binds them: an array argument is a list of anonymous params
 * (`all(['core', 1])`, as Kysely and Drizzle pass them, is `all('core', 1)`), so the panel
 * shows `['core', 1]`, not `[['core', 1]]`. Named params (an object) stay as they are.
 */
function boundAs(args: unknown[]): unknown[] {
  if (!args.some(Array.isArray)) return args
  return args.flatMap((arg) => (Array.isArray(arg) ? arg : [arg]))
}
