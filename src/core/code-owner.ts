/**
 * Whose code a source location is: the app's, Node's, a dependency's or the toolbar's own.
 * The SQL panel's calling line takes the first frame of the app's (`appCaller`), and the
 * MCP server folds the frames of the others when it shows an error's stack.
 */
import { isAbsolute, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Folder of this library's code (`src/` when run from source, `dist/src/` when installed), as a URL and a path. */
const LIBRARY_URL = new URL('../', import.meta.url).href
const LIBRARY_DIR = fileURLToPath(LIBRARY_URL)

/**
 * True when `location` (a file path or URL as V8 names it, `node:…`, or a name without a
 * file such as `<anonymous>`) is the app's own code: not Node's, not in `node_modules`,
 * not this library's. Cheap: a few string tests, nothing allocated.
 *
 * @example
 * ```ts
 * isAppCode('/app/src/users.ts') // true
 * isAppCode('file:///app/node_modules/hono/dist/compose.js') // false
 * ```
 */
export function isAppCode(location: string): boolean {
  if (isRuntime(location)) return false
  if (packageAt(location) !== -1) return false
  return !isLibrary(location)
}

/**
 * Whose code `location` is: `undefined` for the app's own, else `node`, `the toolbar`, or
 * the package in `node_modules` it belongs to (`hono`, `@opentelemetry/api`).
 *
 * @example
 * ```ts
 * codeOwner('file:///app/node_modules/@opentelemetry/api/build/src/api/context.js') // '@opentelemetry/api'
 * codeOwner('node:async_hooks') // 'node'
 * ```
 */
export function codeOwner(location: string): string | undefined {
  if (isRuntime(location)) return 'node'
  const at = packageAt(location)
  if (at !== -1) {
    const [scope, name] = location.slice(at).split(/[/\\]/)
    const pkg = scope?.startsWith('@') ? `${scope}/${name}` : scope!
    return pkg === 'hono-debug-toolbar' ? 'the toolbar' : pkg
  }
  return isLibrary(location) ? 'the toolbar' : undefined
}

/**
 * Where the package's name starts in a location inside `node_modules` (the innermost one),
 * also at a path relative to the working directory (`node_modules/hono/dist/compose.js`,
 * `codeLocation`'s form for a project's own dependencies); -1 outside `node_modules`.
 */
function packageAt(location: string): number {
  const at = Math.max(location.lastIndexOf('/node_modules/'), location.lastIndexOf('\\node_modules\\'))
  if (at !== -1) return at + '/node_modules/'.length
  return location.startsWith('node_modules/') || location.startsWith('node_modules\\') ? 'node_modules/'.length : -1
}

/** The toolbar's own code, also at a path relative to the working directory (`codeLocation`'s form). */
function isLibrary(location: string): boolean {
  if (location.startsWith(LIBRARY_URL) || location.startsWith(LIBRARY_DIR)) return true
  return !location.startsWith('file:') && !isAbsolute(location) && resolve(location).startsWith(LIBRARY_DIR)
}

function isRuntime(location: string): boolean {
  return location.startsWith('node:') || location.startsWith('internal/') || (!location.includes('/') && !location.includes('\\'))
}
