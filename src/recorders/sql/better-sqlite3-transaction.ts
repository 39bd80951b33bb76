/**
 * better-sqlite3's `db.transaction(fn)`, rebuilt on statements the recorder can see.
 * The driver runs BEGIN/COMMIT/ROLLBACK on statements it prepares internally, out of
 * reach of any wrapper, so the recorder re-creates the same function (same savepoint
 * names, same nesting rules, same `deferred`/`immediate`/`exclusive` variants) and
 * records each of those statements with its real timing.
 */

interface RawStatement {
  run(): unknown
}

interface Controller {
  begin: RawStatement
  commit: RawStatement
  rollback: RawStatement
  savepoint: RawStatement
  release: RawStatement
  rollbackTo: RawStatement
}

type Recorded = <R>(sql: string, params: unknown[], fn: () => R, rowsOf: (result: R) => number | undefined) => R

const VARIANTS = { default: 'BEGIN', deferred: 'BEGIN DEFERRED', immediate: 'BEGIN IMMEDIATE', exclusive: 'BEGIN EXCLUSIVE' } as const

// The driver's own savepoint name, so nesting mixes safely with its transactions.
const SAVEPOINT = '`\t_bs3.\t`'

/** Statements per database, prepared on first use like the driver does. */
const controllers = new WeakMap<object, Record<keyof typeof VARIANTS, Controller>>()

function controllersOf(db: object, prepare: (sql: string) => RawStatement): Record<keyof typeof VARIANTS, Controller> {
  let found = controllers.get(db)
  if (!found) {
    const shared = {
      commit: prepare('COMMIT'),
      rollback: prepare('ROLLBACK'),
      savepoint: prepare(`SAVEPOINT ${SAVEPOINT}`),
      release: prepare(`RELEASE ${SAVEPOINT}`),
      rollbackTo: prepare(`ROLLBACK TO ${SAVEPOINT}`),
    }
    found = {
      default: { begin: prepare(VARIANTS.default), ...shared },
      deferred: { begin: prepare(VARIANTS.deferred), ...shared },
      immediate: { begin: prepare(VARIANTS.immediate), ...shared },
      exclusive: { begin: prepare(VARIANTS.exclusive), ...shared },
    }
    controllers.set(db, found)
  }
  return found
}

/** The transaction function of `fn`, with the driver's shape (`.deferred`, `.immediate`, `.exclusive`, `.database`). */
export function sqliteTransaction(
  db: { readonly inTransaction: boolean },
  fn: (...args: any[]) => unknown,
  prepare: (sql: string) => RawStatement,
  recorded: Recorded,
): (...args: any[]) => unknown {
  const all = controllersOf(db, prepare)
  const sqlOf = new Map<RawStatement, string>()
  for (const [variant, begin] of Object.entries(VARIANTS)) sqlOf.set(all[variant as keyof typeof VARIANTS].begin, begin)
  const shared = all.default
  sqlOf.set(shared.commit, 'COMMIT').set(shared.rollback, 'ROLLBACK')
  sqlOf.set(shared.savepoint, `SAVEPOINT ${SAVEPOINT}`).set(shared.release, `RELEASE ${SAVEPOINT}`).set(shared.rollbackTo, `ROLLBACK TO ${SAVEPOINT}`)
  const run = (statement: RawStatement) => recorded(sqlOf.get(statement)!, [], () => statement.run(), () => undefined)

  const wrap = (controller: Controller) =>
    function sqliteTransaction(this: unknown, ...args: unknown[]) {
      const nested = db.inTransaction
      const before = nested ? controller.savepoint : controller.begin
      const after = nested ? controller.release : controller.commit
      const undo = nested ? controller.rollbackTo : controller.rollback
      run(before)
      try {
        const result = fn.apply(this, args)
        if (result && typeof (result as { then?: unknown }).then === 'function') {
          throw new TypeError('Transaction function cannot return a promise')
        }
        run(after)
        return result
      } catch (error) {
        if (db.inTransaction) {
          run(undo)
          if (undo !== controller.rollback) run(after)
        }
        throw error
      }
    }

  const properties: PropertyDescriptorMap = {
    default: { value: wrap(all.default) },
    deferred: { value: wrap(all.deferred) },
    immediate: { value: wrap(all.immediate) },
    exclusive: { value: wrap(all.exclusive) },
    database: { value: db, enumerable: true },
  }
  for (const variant of Object.keys(VARIANTS)) Object.defineProperties(properties[variant]!.value, properties)
  return properties.default!.value
}
