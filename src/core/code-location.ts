/**
 * The one form in which the toolbar shows a place in the app's code: the SQL panel's and
 * the MCP server's query callers, the Profile panel's functions and `get_trace`'s profile
 * spans all read `src/routes/users.ts:40:5`. A path under the working directory is written
 * relative to it, any other path stays absolute, and Node's own code (`node:internal/…`)
 * stays as V8 names it; line and column count from 1, as editors do.
 *
 * When the file was compiled (`tsc`, esbuild) and has a source map (a `//# sourceMappingURL=`
 * comment naming a map file, or an inline `data:` URL), the position is the one in the
 * source the developer wrote. Maps are parsed with Node's own `SourceMap` (`node:module`):
 * no dependency, and the same reading of a map as Node's `--enable-source-maps` stack traces.
 * Each file's map is read once and kept (the last `MAX_MAPS` files). This is read-time work
 * (a panel's stats, an API or MCP answer), never done while a request is recorded.
 */
import { readFileSync } from 'node:fs'
import { SourceMap, type SourceMapPayload } from 'node:module'
import { isAbsolute, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** Files whose source map (or lack of one) is kept; the oldest is forgotten first. */
const MAX_MAPS = 500

/** A file's parsed source map, and where the map is (its sources are relative to it). */
interface FileMap {
  map: SourceMap
  url: URL
}

/** By the generated file's absolute path: its map, or null when it has none that can be read. */
const maps = new Map<string, FileMap | null>()

/**
 * A code location as the toolbar shows it, `path:line:column`: mapped to the original source
 * when the file has a source map, relative to the working directory when under it. `file` is a
 * path or a `file://` URL as V8 names it; `line` and `column` are 1-based. A position the map
 * does not cover, a missing or broken map, keep the file's own position.
 *
 * @example
 * ```ts
 * // in /home/me/shop, with dist/routes/users.js.map beside the built file
 * codeLocation('file:///home/me/shop/dist/routes/users.js', 42, 11) // 'src/routes/users.ts:40:5'
 * codeLocation('/opt/lib/helpers.js', 3, 1)                       // '/opt/lib/helpers.js:3:1'
 * codeLocation('node:internal/timers', 12, 3)                     // 'node:internal/timers:12:3'
 * ```
 */
export function codeLocation(file: string, line: number, column: number): string {
  const path = toPath(file)
  if (path === undefined) return `${file}:${line}:${column}`
  const original = mapped(path, line, column)
  if (original) return `${relative(original.path)}:${original.line}:${original.column}`
  return `${relative(path)}:${line}:${column}`
}

/**
 * `codeLocation` of a location written as text, `file:line:column` (how the SQL recorder
 * keeps a query's caller). Text that is not such a location is given back as it is.
 *
 * @example
 * ```ts
 * codeLocationOf('/home/me/shop/dist/routes/users.js:42:11') // 'src/routes/users.ts:40:5'
 * codeLocationOf('<anonymous>')                              // '<anonymous>'
 * ```
 */
export function codeLocationOf(location: string): string {
  const match = /^(.+):(\d+):(\d+)$/.exec(location)
  return match ? codeLocation(match[1]!, Number(match[2]), Number(match[3])) : location
}

/** The absolute path of a `file://` URL or an absolute path; undefined for anything else (`node:…`, `<anonymous>`). */
function toPath(file: string): string | undefined {
  if (file.startsWith('file://')) {
    try {
      return fileURLToPath(file)
    } catch {
      return undefined
    }
  }
  return isAbsolute(file) ? file : undefined
}

function relative(path: string): string {
  const cwd = process.cwd()
  const prefix = cwd.endsWith(sep) ? cwd : cwd + sep
  return path.startsWith(prefix) ? path.slice(prefix.length) : path
}

/** The original position of a 1-based position of `path`, when its map has one on that line. */
function mapped(path: string, line: number, column: number): { path: string; line: number; column: number } | undefined {
  const file = sourceMapOf(path)
  if (!file) return undefined
  const entry = file.map.findEntry(line - 1, column - 1) as Partial<{ generatedLine: number; originalSource: string; originalLine: number; originalColumn: number }>
  // Node answers the nearest mapping before the position, even one lines above: a line the
  // map says nothing about (emitted code with no source) keeps its own position.
  if (entry.generatedLine !== line - 1 || !entry.originalSource || entry.originalLine === undefined || entry.originalColumn === undefined) return undefined
  return { path: sourcePath(file, entry.originalSource), line: entry.originalLine + 1, column: entry.originalColumn + 1 }
}

/** A map's source as a path: resolved against the map's `sourceRoot` and its own place; a non-file URL as written. */
function sourcePath(file: FileMap, source: string): string {
  const root = file.map.payload.sourceRoot ?? ''
  try {
    const url = new URL(`${root}${root && !root.endsWith('/') ? '/' : ''}${source}`, file.url)
    return url.protocol === 'file:' ? fileURLToPath(url) : url.href
  } catch {
    return source
  }
}

/** The source map of the file at `path`, read once: null when there is none, or it cannot be read. */
function sourceMapOf(path: string): FileMap | null {
  let map = maps.get(path)
  if (map !== undefined) return map
  map = readSourceMap(path)
  if (maps.size >= MAX_MAPS) maps.delete(maps.keys().next().value!)
  maps.set(path, map)
  return map
}

const MAP_COMMENT = /\/\/[#@] sourceMappingURL=([^\s'"]+)\s*$/

function readSourceMap(path: string): FileMap | null {
  try {
    const code = readFileSync(path, 'utf8')
    // The last comment counts: a bundle may hold its inputs' comments too.
    const from = Math.max(code.lastIndexOf('//# sourceMappingURL='), code.lastIndexOf('//@ sourceMappingURL='))
    if (from === -1) return null
    const reference = MAP_COMMENT.exec(code.slice(from))?.[1]
    if (!reference) return null
    const fileUrl = pathToFileURL(path)
    let text: string
    let url = fileUrl
    if (reference.startsWith('data:')) {
      const comma = reference.indexOf(',')
      const data = reference.slice(comma + 1)
      text = /;base64$/.test(reference.slice(0, comma)) ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data)
    } else {
      url = new URL(reference, fileUrl)
      if (url.protocol !== 'file:') return null
      text = readFileSync(url, 'utf8')
    }
    const payload = JSON.parse(text) as SourceMapPayload
    if (!payload || !Array.isArray(payload.sources) || typeof payload.mappings !== 'string') return null
    // Sources are relative to the map's own place (the file's, for an inline map).
    return { map: new SourceMap(payload), url }
  } catch {
    return null
  }
}
