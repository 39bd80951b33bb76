import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { Panel } from '../core/panel.js'
import { packageVersion } from '../core/package-root.js'

export interface VersionsStats {
  node: string
  hono: string | undefined
  toolbar: string
  platform: string
  app: { name: string | undefined; version: string | undefined }
  /** The app's declared dependencies with the version installed (undefined when not found). */
  dependencies: Array<{ name: string; wanted: string; installed: string | undefined; dev: boolean }>
}

/**
 * Node, Hono, the toolbar and the app's dependencies with their installed versions. Read
 * once when the toolbar starts: they do not change between requests.
 *
 * @example
 * ```ts
 * app.use(debugToolbar({ panels: [new VersionsPanel({ cwd: process.cwd() })] }))
 * ```
 */
export class VersionsPanel extends Panel<VersionsStats> {
  readonly id = 'versions'
  readonly title = 'Versions'
  private stats: VersionsStats | undefined

  constructor(private readonly options: { cwd?: string } = {}) {
    super()
  }

  /**
   * Node's, Hono's, the toolbar's and the app's dependencies' versions, read once.
   *
   * @example
   * ```ts
   * const stats = new VersionsPanel({ cwd: process.cwd() }).generateStats()
   * stats.hono // '4.13.19'
   * stats.dependencies.find((d) => d.name === 'pg') // { name: 'pg', wanted: '^8.11.0', installed: '8.23.1', dev: false }
   * ```
   */
  generateStats(): VersionsStats {
    this.stats ??= readVersions(this.options.cwd ?? process.cwd())
    return this.stats
  }

  /**
   * The line under "Versions" in the panel list.
   *
   * @example
   * ```ts
   * panel.navSubtitle(panel.generateStats()) // 'Hono 4.13.19'
   * ```
   */
  navSubtitle(stats: VersionsStats): string {
    return `Hono ${stats.hono ?? '?'}`
  }
}

function readVersions(cwd: string): VersionsStats {
  const require = createRequire(join(cwd, 'package.json'))
  const installed = (name: string) => {
    try {
      // A package whose exports map `./*` resolves `package.json` to a file of its own
      // (@modelcontextprotocol/sdk's dist/cjs/package.json, `{ "type": "commonjs" }`): no version there.
      const version = (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version?: string }).version
      return version ?? installedFromNodeModules(cwd, name)
    } catch {
      return installedFromNodeModules(cwd, name)
    }
  }
  let app: { name?: string; version?: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> } = {}
  try {
    app = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'))
  } catch {
    // No package.json where the app runs: the panel still shows the runtime versions.
  }
  const list = (deps: Record<string, string> | undefined, dev: boolean) =>
    Object.entries(deps ?? {}).map(([name, wanted]) => ({ name, wanted, installed: installed(name), dev }))
  return {
    node: process.version,
    hono: installed('hono'),
    toolbar: packageVersion(),
    platform: `${process.platform} ${process.arch}`,
    app: { name: app.name, version: app.version },
    dependencies: [...list(app.dependencies, false), ...list(app.devDependencies, true)],
  }
}

/** Packages whose exports hide package.json are read from node_modules directly. */
function installedFromNodeModules(cwd: string, name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(cwd, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string }).version
  } catch {
    return undefined
  }
}
