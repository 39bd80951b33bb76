import type { DebugToolbarOptions, McpServerOptions } from '../core/options.js'
import type { Toolbar } from '../core/toolbar.js'
import type { RedactionSettings } from './redact.js'

/**
 * Mounts the MCP server at `{prefix}/mcp` unless `mcp: false`. The routes are behind the
 * toolbar's access rule like every toolbar route. The MCP SDK is loaded on the first call,
 * so a toolbar nobody asks over MCP never loads it.
 *
 * @example
 * ```ts
 * registerToolbarFeature(mountMcp) // done by the package's main entry
 * ```
 */
export function mountMcp(toolbar: Toolbar, options: DebugToolbarOptions): void {
  if (options.mcp === false) return
  const settings = resolveMcpSettings(options.mcp === true ? {} : options.mcp)
  let handler: Promise<(req: Request) => Promise<Response>> | undefined
  toolbar.routes.all('/mcp', async (c) => {
    handler ??= import('./endpoint.js').then(({ createMcpHandler }) => createMcpHandler(toolbar, settings))
    return (await handler)(c.req.raw)
  })
}

/**
 * The MCP options with their defaults; a wrong type fails when the toolbar is created.
 *
 * @example
 * ```ts
 * resolveMcpSettings({ hideSqlParams: true }) // { redact: true, hideSqlParams: true, hideBodies: false }
 * ```
 */
export function resolveMcpSettings(options: McpServerOptions = {}): RedactionSettings {
  if (typeof options !== 'object' || options === null) throw new TypeError(`mcp must be true, false or an object, got ${JSON.stringify(options)}`)
  const settings: RedactionSettings = { redact: true, hideSqlParams: false, hideBodies: false }
  for (const [name, value] of Object.entries(options)) {
    if (!(name in settings)) throw new TypeError(`mcp.${name} is not an option of the MCP server (redact, hideSqlParams, hideBodies)`)
    if (typeof value !== 'boolean') throw new TypeError(`mcp.${name} must be true or false, got ${JSON.stringify(value)}`)
    settings[name as keyof RedactionSettings] = value
  }
  return settings
}
