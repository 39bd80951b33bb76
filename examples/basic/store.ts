import type { ToolbarStore } from 'hono-debug-toolbar'

/**
 * The toolbar's store, chosen by `DEBUG_TOOLBAR_STORE`: unset keeps the history in memory
 * (nothing to install, nothing to run); a file path (or `sqlite:<path>`) keeps it in SQLite,
 * across restarts; a `postgres://` URL shares it between instances (`DEBUG_TOOLBAR_STORE_SCHEMA`
 * names the schema). The store modules are imported only when asked for.
 */
export async function storeFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<ToolbarStore | undefined> {
  const setting = env.DEBUG_TOOLBAR_STORE?.trim()
  if (!setting) return undefined
  if (/^postgres(ql)?:\/\//.test(setting)) {
    const { PostgresStore } = await import('hono-debug-toolbar/store/postgres')
    return new PostgresStore({ connectionString: setting, schema: env.DEBUG_TOOLBAR_STORE_SCHEMA || undefined })
  }
  const { SqliteStore } = await import('hono-debug-toolbar/store/sqlite')
  return new SqliteStore({ path: setting.replace(/^sqlite:/, '') })
}
