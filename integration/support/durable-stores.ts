/**
 * What the tests of the stores as a user meets them share: a real PostgreSQL server (or why
 * there is none, printed), and a temporary directory for SQLite files, both cleaned up
 * after the file's tests.
 */
import { afterAll, describe, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ToolbarStore } from '../../src/index.js'
import type { DurableStoreOptions } from '../../src/store/queued-store.js'
import { SqliteStore } from '../../src/store/sqlite.js'
import { PostgresStore } from '../../src/store/postgres.js'
import { testPostgres, uniqueSchema } from './postgres-server.js'

/** A SQLite or PostgreSQL store as the tests use it. */
export type Durable = ToolbarStore & { flush(): Promise<void>; close(): Promise<void> }

/**
 * @example
 * ```ts
 * const { dir, postgresUrl } = await durableStores('dropped requests')
 * it.skipIf(!postgresUrl)('PostgreSQL', ...)
 * ```
 */
export async function durableStores(label: string): Promise<{ dir: string; postgresUrl: string | undefined }> {
  const postgres = await testPostgres()
  if (!postgres.available) console.log(`${label} on PostgreSQL: skipped: ${postgres.reason}`)
  const dir = mkdtempSync(join(tmpdir(), 'hdt-stores-'))
  afterAll(() => {
    if (postgres.available) postgres.close()
    rmSync(dir, { recursive: true, force: true })
  })
  return { dir, postgresUrl: postgres.available ? postgres.url : undefined }
}

/**
 * The same test on SQLite (a file named `name` in `stores.dir`) and on PostgreSQL (a schema of
 * its own; skipped, with the reason printed, when no server could start). `run` opens the
 * store with `open()`, as often as it restarts the app.
 *
 * @example
 * ```ts
 * onEachDurableStore('keeps an imported trace', stores, 'traces', { maxTraces: 3 }, async (open) => { ... })
 * ```
 */
export function onEachDurableStore(
  title: string,
  stores: { dir: string; postgresUrl: string | undefined },
  name: string,
  options: DurableStoreOptions,
  run: (open: () => Durable) => Promise<void>,
): void {
  describe(title, () => {
    it('SQLite', async () => {
      const path = join(stores.dir, `${name}.db`)
      await run(() => new SqliteStore({ path, ...options }))
    })

    it.skipIf(!stores.postgresUrl)('PostgreSQL', async () => {
      const schema = uniqueSchema(name)
      const url = stores.postgresUrl ?? ''
      await run(() => new PostgresStore({ connectionString: url, schema, ...options }))
    })
  })
}
