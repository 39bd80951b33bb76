/**
 * The toolbar under Vite's dev server (@hono/vite-dev-server). Vite evaluates the app's
 * entry module again each time the developer saves a file it imports: `debugToolbar()` runs
 * again and makes a new toolbar, in the same process, while the old one lives on. Left
 * alone, each save emptied the history (a new in-memory store), left pages open in the
 * browser pointing at requests the API no longer knew, and kept the old panels' receivers
 * and exporters: an `otlpGrpcPort` was taken, so every save printed EADDRINUSE.
 *
 * So the last toolbar that answered under a Vite dev server is remembered per prefix and
 * per module that made it (on `globalThis`, so a second copy of the package's modules finds
 * it too), and the next toolbar that module makes for that prefix takes over from it: the history, the live events (pages
 * following them keep receiving), and the ports its panels free (`Panel.retire`). When
 * the Vite server closes, the last toolbar is retired. Only Vite's dev server is told apart
 * this way (`c.env.vite`, which the plugin sets), and only the module Vite evaluates again
 * makes the toolbar that replaces its own: several apps in one process elsewhere (tests, two
 * services, beside a Vite server or not) each keep their own toolbar, whatever their prefix.
 *
 * The server is read from the first request the toolbar's middleware sees, whatever it is
 * (a recorded page, one of the toolbar's own routes, a refused client): Vite evaluates the
 * entry module when a request needs it, so the request that made a toolbar is its first,
 * and the plugin shows the server nowhere else. The cost is on that first request and when
 * a toolbar is made, never on the requests after that.
 */
import type { Context } from 'hono'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { packageRoot } from './package-root.js'
import type { Toolbar } from './toolbar.js'

/** What the plugin puts in `c.env.vite`: the ViteDevServer, of which its HTTP server is read. */
interface ViteServerLike {
  httpServer?: { once(event: 'close', listener: () => void): unknown } | null
}

interface ViteToolbar {
  toolbar: Toolbar
  vite: ViteServerLike
}

const REGISTRY = Symbol.for('hono-debug-toolbar.vite-toolbars')

function registry(): Map<string, ViteToolbar> {
  const holder = globalThis as { [REGISTRY]?: Map<string, ViteToolbar> }
  return (holder[REGISTRY] ??= new Map())
}

/**
 * What links a toolbar to the one that replaces it: its prefix, and the file of the app's
 * code that called `debugToolbar()` (the first frame of the stack outside this package),
 * which Vite evaluates again after a save, at the same path. Another app of the process
 * made elsewhere (a test, a second service beside the Vite server) has a key of its own.
 * Read once, when a toolbar is made.
 *
 * @example
 * ```ts
 * const key = reloadKey('/_debug_toolbar') // '/_debug_toolbar /app/src/index.ts'
 * const previous = replacedToolbar(key)
 * ```
 */
export function reloadKey(prefix: string): string {
  const own = ownPaths()
  const frames = (new Error().stack ?? '').split('\n').slice(1)
  for (const frame of frames) {
    // `    at fn (/app/src/index.ts:5:9)` or `    at /app/src/index.ts:5:9`: the file, without line and column.
    const file = /\(?((?:file:\/\/|\/|[A-Za-z]:\\)[^()]*?)(?::\d+){1,2}\)?$/.exec(frame.trim())?.[1]
    if (file && !own.some((path) => file.startsWith(path))) return `${prefix} ${file}`
  }
  return prefix
}

let ownPathList: string[] | undefined

/** The folders of this package's own code, as paths and as file URLs (a checkout's `src`, a build's `dist/src`). */
function ownPaths(): string[] {
  if (ownPathList) return ownPathList
  const root = packageRoot()
  ownPathList = [join(root, 'src'), join(root, 'dist', 'src')].flatMap((dir) => [`${dir}/`, `${pathToFileURL(dir).href}/`])
  return ownPathList
}

/**
 * The toolbar that a new toolbar with the reload key `key` (`reloadKey`) replaces: the last
 * one with that key that answered under a Vite dev server that is still open, if any.
 *
 * @example
 * ```ts
 * const key = reloadKey('/_debug_toolbar')
 * const previous = replacedToolbar(key) // after a save under `vite dev`: the toolbar of the previous evaluation
 * const toolbar = new Toolbar('/_debug_toolbar', panels, options, previous)
 * if (previous) succeedToolbar(key, previous, toolbar)
 * ```
 */
export function replacedToolbar(key: string): Toolbar | undefined {
  return registry().get(key)?.toolbar
}

/**
 * Makes `toolbar` the one the next reload replaces, in `previous`'s place under the same Vite server.
 *
 * @example
 * ```ts
 * succeedToolbar(reloadKey('/_debug_toolbar'), previous, toolbar)
 * ```
 */
export function succeedToolbar(key: string, previous: Toolbar, toolbar: Toolbar): void {
  const entry = registry().get(key)
  if (entry?.toolbar === previous) entry.toolbar = toolbar
}

/**
 * Called on the first request a toolbar's middleware sees (recorded or not): when it runs
 * under Vite's dev server, it is the toolbar the next evaluation of the entry module takes
 * over from, and it is retired when that server closes.
 *
 * @example
 * ```ts
 * if (!firstSeen) {
 *   firstSeen = true
 *   noteViteServer(c, key, toolbar) // key: reloadKey(prefix) when the toolbar was made; c.env.vite is set by @hono/vite-dev-server
 * }
 * ```
 */
export function noteViteServer(c: Context, key: string, toolbar: Toolbar): void {
  const vite = (c.env as { vite?: unknown } | undefined)?.vite as ViteServerLike | undefined
  if (!vite || typeof vite !== 'object') return
  const entries = registry()
  // Already remembered: this toolbar took over from the one that answered first.
  if (entries.get(key)?.vite === vite) return
  entries.set(key, { toolbar, vite })
  vite.httpServer?.once('close', () => {
    const entry = entries.get(key)
    if (entry?.vite !== vite) return
    entries.delete(key)
    void entry.toolbar.retire()
  })
}
