/**
 * The toolbar under Vite's dev server (@hono/vite-dev-server). Vite evaluates the app's
 * entry module again each time the developer saves a file it imports: `debugToolbar()` runs
 * again and makes a new toolbar, in the same process, while the old one lives on. Left
 * alone, each save emptied the history (a new in-memory store), left pages open in the
 * browser pointing at requests the API no longer knew, and kept the old panels' receivers
 * and exporters: an `otlpGrpcPort` was taken, so every save printed EADDRINUSE.
 *
 * So the last toolbar that answered under a Vite dev server is remembered per prefix, per
 * module that made it and per order in that module (on `globalThis`, so a second copy of the
 * package's modules finds it too), and the next toolbar that module makes for that prefix in
 * that order takes over from it: the history, the live events (pages
 * following them keep receiving), and the ports its panels free (`Panel.retire`). When
 * the Vite server closes, the last toolbar is retired. Only Vite's dev server is told apart
 * this way (`c.env.vite`, which the plugin sets), and only the module Vite evaluates again
 * makes the toolbar that replaces its own: several apps in one process elsewhere (tests, two
 * services, beside a Vite server or not) each keep their own toolbar, whatever their prefix.
 *
 * A toolbar made while the plugin evaluates the app's code (its loader is on the stack when
 * `debugToolbar()` runs) is linked at once, so the next one takes over from it even if it
 * answered no request. The server itself is read from the first request the toolbar's
 * middleware sees, whatever it is (a recorded page, one of the toolbar's own routes, a
 * refused client): the plugin shows it nowhere else; the last toolbar is retired when that
 * server closes. The cost is on that first request and when a toolbar is made, never on
 * the requests after that.
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
  /** Undefined until a toolbar of this site answers a request (made under Vite, linked before). */
  vite: ViteServerLike | undefined
}

const REGISTRY = Symbol.for('hono-debug-toolbar.vite-toolbars')

function registry(): Map<string, ViteToolbar> {
  const holder = globalThis as { [REGISTRY]?: Map<string, ViteToolbar> }
  return (holder[REGISTRY] ??= new Map())
}

/** Where a toolbar was made, as far as the toolbar that replaces it after a save can tell. */
export interface ReloadSite {
  /** What links it to the toolbar that replaces it (see `reloadSite`). */
  readonly key: string
  /** Made while @hono/vite-dev-server evaluated the app's code: linked before it answers any request. */
  readonly underVite: boolean
}

/**
 * Where `debugToolbar()` was called, read once when a toolbar is made: its prefix, the file
 * of the app's code that called it (the first frame of the stack outside this package),
 * which Vite evaluates again after a save, at the same path, and its order among the
 * toolbars with that prefix that the file made in one go (two apps in one file are told
 * apart: a module's code makes its apps without waiting in between, and the count starts
 * over once it is done). Another app of the process made elsewhere (a test, a second
 * service beside the Vite server) has a key of its own.
 *
 * The same stack says whether @hono/vite-dev-server is evaluating the code (its module
 * loader is among the callers): such a toolbar is linked to the next one at once, so that
 * one takes over even when this one answered no request (the module threw after
 * `debugToolbar()`, or its routes answered before the toolbar's middleware).
 *
 * @example
 * ```ts
 * const site = reloadSite('/_debug_toolbar') // { key: '/_debug_toolbar /app/src/index.ts', underVite: true }
 * const previous = replacedToolbar(site.key)
 * ```
 */
export function reloadSite(prefix: string): ReloadSite {
  const own = ownPaths()
  // The loader's frame is below every frame of the app's modules that imported this one.
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 200
  const stack = new Error().stack ?? ''
  Error.stackTraceLimit = limit
  const frames = stack.split('\n').slice(1)
  for (const frame of frames) {
    // `    at fn (/app/src/index.ts:5:9)` or `    at /app/src/index.ts:5:9`: the file, without line and column.
    const file = /\(?((?:file:\/\/|\/|[A-Za-z]:\\)[^()]*?)(?::\d+){1,2}\)?$/.exec(frame.trim())?.[1]
    if (file && !own.some((path) => file.startsWith(path))) {
      const site = `${prefix} ${file}`
      const order = orderInTurn(site)
      return { key: order === 0 ? site : `${site} #${order}`, underVite: VITE_DEV_SERVER.test(stack) }
    }
  }
  return { key: prefix, underVite: false }
}

/** A frame of @hono/vite-dev-server's code (its module loader calls Vite's). */
const VITE_DEV_SERVER = /[\\/]@hono[\\/]vite-dev-server[\\/]/

/** Toolbars made per site since the code that is running now started: counted from 0 again once it is done. */
const madeInTurn = new Map<string, number>()

function orderInTurn(site: string): number {
  if (madeInTurn.size === 0) queueMicrotask(() => madeInTurn.clear())
  const order = madeInTurn.get(site) ?? 0
  madeInTurn.set(site, order + 1)
  return order
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
 * The toolbar that a new toolbar with the reload key `key` (`reloadSite`) replaces: the last
 * one with that key that answered under a Vite dev server that is still open, or that was
 * made while @hono/vite-dev-server evaluated the app's code, if any.
 *
 * @example
 * ```ts
 * const site = reloadSite('/_debug_toolbar')
 * const previous = replacedToolbar(site.key) // after a save under `vite dev`: the toolbar of the previous evaluation
 * const toolbar = new Toolbar('/_debug_toolbar', panels, options, previous)
 * succeedToolbar(site, previous, toolbar)
 * ```
 */
export function replacedToolbar(key: string): Toolbar | undefined {
  return registry().get(key)?.toolbar
}

/**
 * Makes `toolbar` the one the next reload replaces: in `previous`'s place under the same
 * Vite server, or, made under Vite's dev server with none before it, before it answers
 * any request (the server is known from its first request, see `noteViteServer`).
 *
 * @example
 * ```ts
 * const site = reloadSite('/_debug_toolbar')
 * const previous = replacedToolbar(site.key)
 * const toolbar = new Toolbar('/_debug_toolbar', panels, options, previous)
 * succeedToolbar(site, previous, toolbar)
 * ```
 */
export function succeedToolbar(site: ReloadSite, previous: Toolbar | undefined, toolbar: Toolbar): void {
  const entries = registry()
  const entry = entries.get(site.key)
  if (previous) {
    if (entry?.toolbar === previous) entry.toolbar = toolbar
  } else if (site.underVite) entries.set(site.key, { toolbar, vite: undefined })
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
 *   noteViteServer(c, key, toolbar) // key: reloadSite(prefix).key when the toolbar was made; c.env.vite is set by @hono/vite-dev-server
 * }
 * ```
 */
export function noteViteServer(c: Context, key: string, toolbar: Toolbar): void {
  const vite = (c.env as { vite?: unknown } | undefined)?.vite as ViteServerLike | undefined
  if (!vite || typeof vite !== 'object') return
  const entries = registry()
  const entry = entries.get(key)
  // Already remembered: this toolbar took over from the one that answered first.
  if (entry?.vite === vite) return
  // Linked when it was made (see `succeedToolbar`): the newest toolbar of its site stays the one replaced next.
  if (entry && entry.vite === undefined) entry.vite = vite
  else entries.set(key, { toolbar, vite })
  vite.httpServer?.once('close', () => {
    const entry = entries.get(key)
    if (entry?.vite !== vite) return
    entries.delete(key)
    void entry.toolbar.retire()
  })
}
