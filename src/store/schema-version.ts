/**
 * Versioned schemas: each store has an ordered list of migrations (the n-th brings the
 * schema to version n) and a `schema_version` table holding the version applied. Startup
 * applies what is missing inside one transaction; a database at a newer version than the
 * code is refused, because an older toolbar would misread or damage what a newer one wrote.
 */

/**
 * A database whose schema is newer than this version of hono-debug-toolbar.
 *
 * @example
 * ```ts
 * try { new SqliteStore({ path }) } catch (e) { if (e instanceof SchemaTooNewError) console.error(e.message) }
 * ```
 */
export class SchemaTooNewError extends Error {
  constructor(
    readonly where: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `${where} has schema version ${found}, newer than this version of hono-debug-toolbar supports (${supported}): ` +
        'upgrade hono-debug-toolbar, or point the store at another database',
    )
    this.name = 'SchemaTooNewError'
  }
}

/**
 * The migrations still to apply to a database at `current`, in order.
 *
 * @example
 * ```ts
 * for (const statements of pendingMigrations(1, MIGRATIONS, 'debug.db')) run(statements)
 * ```
 */
export function pendingMigrations<T>(current: number, migrations: readonly T[], where: string): T[] {
  if (current > migrations.length) throw new SchemaTooNewError(where, current, migrations.length)
  return migrations.slice(current)
}
