/**
 * The toolbar under Vite's dev server (@hono/vite-dev-server). Vite evaluates the app's
 * entry module again each time the developer saves a file it imports: `debugToolbar()` runs
 * again and makes a new toolbar, in the same process, while the old one lives on. Left
 * alone, each save emptied the history (a new in-memory store), left pages open in the
 * browser pointing at requests the API no longer knew, and kept the old panels' receivers
 * and exporters: an `otlpGrpcPort` was taken, so every save printed EADDRINUSE.
 *
 * So the last toolbar that answered under a Vite dev server is remembered per prefix (on
 * `globalThis`, so a second copy of the package's modules finds it too), and the next
 * toolbar made for that prefix takes over from it: the history, the live events (pages
 * following them keep receiving), and the ports its panels free (`Panel.retire`). When
 * the Vite server closes, the last toolbar is retired. Only Vite's dev server is told apart
 * this way (`c.env.vite`, which the plugin sets): several apps in one process elsewhere
 * (tests, two services) each keep their own toolbar, whatever their prefix.
 *
 * The server is read from the first request the toolbar's middleware sees, whatever it is
 * (a recorded page, one of the toolbar's own routes, a refused client): Vite evaluates the
 * entry module when a request needs it, so the request that made a toolbar is its first,
 * and the plugin shows the server nowhere else. The cost is on that first request and when
 * a toolbar is made, never on the requests after that.
 */
import type { Context } from 'hono'
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
 * The toolbar that a new toolbar for `prefix` replaces: the last one that answered under a
 * Vite dev server that is still open, if any.
 *
 * @example
 * ```ts
 * const previous = replacedToolbar('/_debug_toolbar') // after a save under `vite dev`: the toolbar of the previous evaluation
 * const toolbar = new Toolbar('/_debug_toolbar', panels, options, previous)
 * if (previous) succeedToolbar('/_debug_toolbar', previous, toolbar)
 * ```
 */
export function replacedToolbar(prefix: string): Toolbar | undefined {
  return registry().get(prefix)?.toolbar
}

/**
 * Makes `toolbar` the one the next reload replaces, in `previous`'s place under the same Vite server.
 *
 * @example
 * ```ts
 * succeedToolbar('/_debug_toolbar', previous, toolbar)
 * ```
 */
export function succeedToolbar(prefix: string, previous: Toolbar, toolbar: Toolbar): void {
  const entry = registry().get(prefix)
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
 *   noteViteServer(c, prefix, toolbar) // c.env.vite is set by @hono/vite-dev-server
 * }
 * ```
 */
export function noteViteServer(c: Context, prefix: string, toolbar: Toolbar): void {
  const vite = (c.env as { vite?: unknown } | undefined)?.vite as ViteServerLike | undefined
  if (!vite || typeof vite !== 'object') return
  const entries = registry()
  // Already remembered: this toolbar took over from the one that answered first.
  if (entries.get(prefix)?.vite === vite) return
  entries.set(prefix, { toolbar, vite })
  vite.httpServer?.once('close', () => {
    const entry = entries.get(prefix)
    if (entry?.vite !== vite) return
    entries.delete(prefix)
    void entry.toolbar.retire()
  })
}
