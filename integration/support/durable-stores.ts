/**
 * What the tests of the stores as a user meets them share: a real PostgreSQL server (or why
 * there is none, printed), and a temporary directory for SQLite files, both cleaned up
 * after the file's tests.
 */
import { afterAll } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ToolbarStore } from '../../src/index.js'
import { testPostgres } from './postgres-server.js'

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
