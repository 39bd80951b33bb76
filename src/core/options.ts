import type { Context, Hono } from 'hono'
import type { UpgradeWebSocket } from 'hono/ws'
import type { LiveEventsOptions } from './live-routes.js'
import type { Panel } from './panel.js'
import type { ToolbarStore } from './store.js'

/** Options of `debugToolbar(options)`. Every field is optional. */
export interface DebugToolbarOptions {
  /** Default: `process.env.NODE_ENV !== 'production'`. Forcing it on in production prints a warning. */
  enabled?: boolean
  /** Where the toolbar's routes live. Default `/_debug_toolbar`. */
  prefix?: string
  /** The panels, in order. Default `defaultPanels()`. */
  panels?: Panel<any>[]
  /** Appended to `panels`, e.g. `[new OpenTelemetryPanel()]`. */
  extraPanels?: Panel<any>[]
  /** How many requests the history keeps. Default 50. */
  maxRequests?: number
  /** Client addresses or CIDRs allowed to see the toolbar. Default loopback only. */
  allowedHosts?: string[]
  /**
   * Host names the toolbar's own routes answer at, beside `localhost`, `*.localhost` and IP
   * addresses (which always work): `['devbox', '.dev.internal']` (a leading dot: that name
   * and any under it). Any other name gets a 404, so a page whose name was re-pointed at
   * this server (DNS rebinding) cannot read the toolbar. Default none.
   */
  allowedHostnames?: string[]
  /**
   * Trust `X-Forwarded-For` and `Forwarded`'s `for=` (their last addresses), `X-Real-IP`,
   * `True-Client-IP`, `CF-Connecting-IP` and `Fly-Client-IP` for the client address instead of
   * the socket's (only behind a proxy you run): every address they name must be allowed.
   * Without it these headers only ever refuse. Default false.
   */
  trustProxy?: boolean
  /** Called after the address check: return false to hide the toolbar for this request. */
  showToolbar?: (c: Context) => boolean | Promise<boolean>
  /** The MCP server for coding agents at `{prefix}/mcp`: `false` turns it off. Default on. */
  mcp?: boolean | McpServerOptions
  /**
   * The debug error page: when a recorded page load fails and Hono's default error handler
   * answered (plain-text "Internal Server Error"), the browser gets an HTML page with the
   * error, its causes, its stack and the toolbar instead, still with status 500. An app's own
   * `onError`, an `HTTPException`'s response and requests that do not accept `text/html` are
   * never replaced. `false` turns it off. Default true.
   */
  errorPage?: boolean
  /**
   * The debug 404 page: when a recorded page load matches no route of the app and Hono's
   * default not-found handler answered (plain-text "404 Not Found"), the browser gets an
   * HTML page that says no route matched and lists the app's routes (with `app`), with the
   * toolbar, still with status 404. An app's own `notFound` handler, a route's own 404 and
   * requests that do not accept `text/html` are never replaced. `false` turns it off. Default true.
   */
  notFoundPage?: boolean
  /** Paths the toolbar does not record. The prefix is always excluded. */
  excludePaths?: Array<string | RegExp>
  /** Where finished requests are kept. Default an in-memory ring of `maxRequests`. */
  store?: ToolbarStore
  /** The app, so the Routes panel can list every route. */
  app?: Hono<any, any, any>
  /** A CSP nonce for the injected script. Default: hono/secure-headers' `secureHeadersNonce`. */
  nonce?: (c: Context) => string | undefined
  /** The client address on runtimes other than Node (default reads the Node socket). */
  clientAddress?: (c: Context) => string | undefined
  /**
   * `upgradeWebSocket` from `@hono/node-server` (with a `ws` WebSocketServer passed to
   * `serve({ websocket: { server } })`): the live events are then also served at `{prefix}/ws`.
   */
  upgradeWebSocket?: UpgradeWebSocket<any, any>
  /** Bounds and timing of the live events (replay buffer, per-client queue, heartbeat). */
  liveEvents?: LiveEventsOptions
}

export const DEFAULT_PREFIX = '/_debug_toolbar'

/** Reads `enabled`, warning once when it is forced on in production. */
export function resolveEnabled(enabled: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  const production = env.NODE_ENV === 'production'
  if (enabled === undefined) return !production
  // A string is truthy: `enabled: process.env.DEBUG_TOOLBAR` would turn the toolbar on with "false".
  checkBoolean('enabled', enabled)
  if (enabled && production) {
    console.warn(
      '[hono-debug-toolbar] enabled while NODE_ENV=production: the toolbar shows SQL, headers and logs to every allowed client.',
    )
  }
  return enabled
}

/**
 * Checks the options that are read on every request, when the toolbar is created: a value
 * of the wrong kind would otherwise fail each request (a `showToolbar` that is not a
 * function), or quietly do something else (`excludePaths: '/health'` is read character by
 * character, and its `/` excludes every path).
 *
 * @example
 * ```ts
 * checkOptions({ excludePaths: ['/health', /^\/static\//] }) // fine
 * checkOptions({ showToolbar: true } as never) // TypeError: showToolbar must be a function (c) => boolean, got true
 * checkOptions({ errorPage: 'no' } as never)   // TypeError: errorPage must be true or false, got "no"
 * ```
 */
export function checkOptions(options: DebugToolbarOptions): void {
  if (options.trustProxy !== undefined) checkBoolean('trustProxy', options.trustProxy)
  if (options.errorPage !== undefined) checkBoolean('errorPage', options.errorPage)
  if (options.notFoundPage !== undefined) checkBoolean('notFoundPage', options.notFoundPage)
  const functions = { showToolbar: '(c) => boolean', nonce: '(c) => string', clientAddress: '(c) => string', upgradeWebSocket: "from '@hono/node-server'" }
  for (const [name, shape] of Object.entries(functions)) {
    const value = options[name as keyof typeof functions]
    if (value !== undefined && typeof value !== 'function') throw new TypeError(`${name} must be a function ${shape}, got ${describe(value)}`)
  }
  for (const name of ['panels', 'extraPanels'] as const) {
    const value: unknown = options[name]
    if (value !== undefined && (!Array.isArray(value) || value.some((panel) => typeof panel?.id !== 'string' || typeof panel.generateStats !== 'function'))) {
      throw new TypeError(`${name} must be an array of panels (each with an id and generateStats), got ${describe(value)}`)
    }
  }
  if (options.prefix !== undefined && typeof options.prefix !== 'string') {
    throw new TypeError(`prefix must be a path such as "/_debug_toolbar", got ${describe(options.prefix)}`)
  }
  if (options.maxRequests !== undefined && typeof options.maxRequests !== 'number') {
    throw new TypeError(`maxRequests must be a whole number of at least 1, got ${describe(options.maxRequests)}`)
  }
  // A string would be read character by character: "127.0.0.1" would be refused as "1".
  arrayOption('allowedHosts', options.allowedHosts)
  const objects = {
    liveEvents: ['an object { replaySize, replayWindowMs, clientQueueSize, heartbeatMs }', () => true],
    store: ['a ToolbarStore (with save, get and list)', (store: Record<string, unknown>) => ['save', 'get', 'list'].every((name) => typeof store[name] === 'function')],
    app: ['your Hono app', (app: Record<string, unknown>) => typeof app.fetch === 'function' && Array.isArray(app.routes)],
  } as const
  for (const [name, [shape, fits]] of Object.entries(objects)) {
    const value: unknown = options[name as keyof typeof objects]
    if (value !== undefined && (typeof value !== 'object' || value === null || !fits(value as Record<string, unknown>))) throw new TypeError(`${name} must be ${shape}, got ${describe(value)}`)
  }
  for (const rule of arrayOption('excludePaths', options.excludePaths)) {
    if (!(rule instanceof RegExp) && !(typeof rule === 'string' && rule.startsWith('/'))) {
      throw new TypeError(`excludePaths: ${describe(rule)} is not a path (it starts with "/") or a RegExp`)
    }
  }
  for (const name of arrayOption('allowedHostnames', options.allowedHostnames)) {
    // The name alone, as it is compared: a scheme, a port or a path would never match.
    if (typeof name !== 'string' || !/^\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/i.test(name.trim())) {
      throw new TypeError(`allowedHostnames: ${describe(name)} is not a host name such as "devbox" or ".dev.internal"`)
    }
  }
}

function checkBoolean(name: string, value: unknown): void {
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be true or false, got ${describe(value)}`)
}

function arrayOption(name: string, value: unknown): readonly unknown[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw new TypeError(`${name} must be an array, got ${describe(value)}`)
  return value
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function'
  if (value instanceof RegExp) return String(value)
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

/** Checks and normalises the prefix: it starts with `/` and has no trailing `/`. */
export function normalizePrefix(prefix: string = DEFAULT_PREFIX): string {
  const trimmed = prefix.replace(/\/+$/, '')
  if (!trimmed.startsWith('/') || /[?#\s]/.test(trimmed)) {
    throw new TypeError(`prefix must be a path such as "/_debug_toolbar", got "${prefix}"`)
  }
  return trimmed
}

/** Options of the MCP server (`debugToolbar({ mcp: { ... } })`). */
export interface McpServerOptions {
  /** Redact secrets (headers, cookies, secret-named params, attributes and `name=value` text). Default true. */
  redact?: boolean
  /** Never send SQL parameters, only the SQL text. Default false. */
  hideSqlParams?: boolean
  /** Never send request or response bodies (attributes and fields that carry one). Default false. */
  hideBodies?: boolean
}
