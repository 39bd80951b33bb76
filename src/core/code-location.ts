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
 * Each file's map is read once per build of the file (its mtime) and kept (the last `MAX_MAPS`
 * files). It is never done while a request is recorded: it runs when something is read (a
 * panel's stats, an API or MCP answer) or when a request's spans are converted, after its
 * response was sent (a query's caller, a profile's hot frames).
 */
import { readFileSync, statSync } from 'node:fs'
import { SourceMap, type SourceMapPayload } from 'node:module'
import { isAbsolute, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** Files whose source map (or lack of one) is kept; the oldest is forgotten first. */
const MAX_MAPS = 500

/** A file's parsed source map, and where the map is (its sources are relative to it). */
interface FileMap {
  map: SourceMap
  url: URL
  /** Lines of the sources the map holds (`sourcesContent`), split when first shown. */
  contents?: Map<string, string[]>
  /** The map's sources as paths (`sourcePath`), made when first asked for. */
  paths?: Map<string, string>
}

/**
 * By the generated file's absolute path: its map, or null when it has none that can be read,
 * and the file's modification time when it was read: a file rebuilt since (`tsc --watch`)
 * has its new map read.
 */
const maps = new Map<string, { mtimeMs: number; map: FileMap | null }>()

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
  const at = originalPosition(file, line, column)
  return at ? `${relative(at.path)}:${at.line}:${at.column}` : `${file}:${line}:${column}`
}

/**
 * Where a 1-based position of a built file is in the source the developer wrote, its path
 * absolute (what an exported `code.file.path` holds): through the file's source map, as
 * `codeLocation` reads it; the file's own position (a `file://` URL made a path) when no map
 * covers it; undefined when `file` is not a file (`node:…`, `<anonymous>`). `checked`: as
 * for `sourcePositionOf`, the files already looked at in this batch.
 *
 * @example
 * ```ts
 * originalPosition('file:///home/me/shop/dist/routes/users.js', 42, 11)
 * // { path: '/home/me/shop/src/routes/users.ts', line: 40, column: 5 }
 * ```
 */
export function originalPosition(file: string, line: number, column: number, checked?: Set<string>): { path: string; line: number; column: number } | undefined {
  const path = toPath(file)
  if (path === undefined) return undefined
  const original = mapped(path, line, column, checked)
  return original ? { path: original.path, line: original.line, column: original.column } : { path, line, column }
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
  const at = parseLocation(location)
  return at ? codeLocation(at.file, at.line, at.column) : location
}

/**
 * A location written as text, `file:line:column`, in the source the developer wrote with its
 * path absolute, as `originalPosition` reads it (a `file://` URL written as a path): what a
 * query span's `code.file.path`, `code.line.number` and `code.column.number` hold. Undefined
 * for text that is not a file's location (`<anonymous>`, `node:…`).
 * `checked`, for a batch of locations (a request's queries as they become spans): the files
 * whose map was checked against the file's modification time in this batch, so that each
 * file is looked at once per batch rather than once per location.
 *
 * @example
 * ```ts
 * const checked = new Set<string>()
 * sourcePositionOf('/home/me/shop/dist/routes/users.js:42:11', checked) // { path: '/home/me/shop/src/routes/users.ts', line: 40, column: 5 }
 * sourcePositionOf('/home/me/shop/dist/routes/users.js:57:3', checked)  // the same map, no second look at the file
 * sourcePositionOf('<anonymous>')                                       // undefined
 * ```
 */
export function sourcePositionOf(location: string, checked?: Set<string>): { path: string; line: number; column: number } | undefined {
  const at = parseLocation(location)
  return at && originalPosition(at.file, at.line, at.column, checked)
}

/** `file:line:column` read apart; undefined for text that is not such a location. */
function parseLocation(location: string): { file: string; line: number; column: number } | undefined {
  const match = /^(.+):(\d+):(\d+)$/.exec(location)
  return match ? { file: match[1]!, line: Number(match[2]), column: Number(match[3]) } : undefined
}

/** Sets `key` in a cache of at most `max` entries, forgetting the oldest first (a rewritten key becomes the newest). */
function keep<V>(cache: Map<string, V>, key: string, value: V, max: number): void {
  cache.delete(key)
  if (cache.size >= max) cache.delete(cache.keys().next().value!)
  cache.set(key, value)
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
function mapped(path: string, line: number, column: number, checked?: Set<string>): { path: string; line: number; column: number; lines?: () => string[] | undefined } | undefined {
  const file = sourceMapOf(path, checked)
  if (!file) return undefined
  const entry = file.map.findEntry(line - 1, column - 1) as Partial<{ generatedLine: number; originalSource: string; originalLine: number; originalColumn: number }>
  // Node answers the nearest mapping before the position, even one lines above: a line the
  // map says nothing about (emitted code with no source) keeps its own position.
  if (entry.generatedLine !== line - 1 || !entry.originalSource || entry.originalLine === undefined || entry.originalColumn === undefined) return undefined
  const source = entry.originalSource
  return { path: sourcePath(file, source), line: entry.originalLine + 1, column: entry.originalColumn + 1, lines: () => contentLines(file, source) }
}

/** The lines of `source` as the map holds them (`sourcesContent`), undefined when it does not. */
function contentLines(file: FileMap, source: string): string[] | undefined {
  const kept = file.contents?.get(source)
  if (kept) return kept
  const content = file.map.payload.sourcesContent?.[file.map.payload.sources.indexOf(source)]
  if (typeof content !== 'string') return undefined
  const lines = content.split(/\r?\n/)
  ;(file.contents ??= new Map()).set(source, lines)
  return lines
}

/** A map's source as a path: resolved against the map's `sourceRoot` and its own place; a non-file URL as written. */
function sourcePath(file: FileMap, source: string): string {
  let path = file.paths?.get(source)
  if (path === undefined) (file.paths ??= new Map()).set(source, (path = resolveSource(file, source)))
  return path
}

function resolveSource(file: FileMap, source: string): string {
  const root = file.map.payload.sourceRoot ?? ''
  try {
    const url = new URL(`${root}${root && !root.endsWith('/') ? '/' : ''}${source}`, file.url)
    return url.protocol === 'file:' ? fileURLToPath(url) : url.href
  } catch {
    return source
  }
}

/**
 * The source map of the file at `path`, read once per build of the file: null when there is
 * none, or it cannot be read. A path in `checked` was compared with its file earlier in the
 * same batch: its kept map is taken without looking at the file again.
 */
function sourceMapOf(path: string, checked?: Set<string>): FileMap | null {
  const kept = maps.get(path)
  if (kept !== undefined && checked?.has(path)) return kept.map
  checked?.add(path)
  const mtimeMs = modified(path)
  if (kept !== undefined && kept.mtimeMs === mtimeMs) return kept.map
  const map = readSourceMap(path)
  keep(maps, path, { mtimeMs, map }, MAX_MAPS)
  return map
}

/** The file's modification time, -1 when it cannot be read. */
function modified(path: string): number {
  try {
    return statSync(path).mtimeMs
  } catch {
    return -1
  }
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

/**
 * A stack frame as V8 writes it, `at charge (/app/dist/pay.js:3:9)` or `at /app/dist/pay.js:3:9`,
 * with its location in the one form of `codeLocation`; a frame without a plain location
 * (`<anonymous>`, an `eval` frame) as it is.
 *
 * @example
 * ```ts
 * frameInCodeLocation('at charge (/home/me/shop/dist/pay.js:3:9)') // 'at charge (src/pay.ts:2:5)'
 * frameInCodeLocation('at new Promise (<anonymous>)')           // 'at new Promise (<anonymous>)'
 * ```
 */
export function frameInCodeLocation(frame: string): string {
  const { open, location, close } = frameParts(frame)
  return /[\s()]/.test(location) ? frame : `${frame.slice(0, open)}${codeLocationOf(location)}${close}`
}

/**
 * Every frame line of a text that holds a stack (`Error: …\n    at …`) with its location in the
 * one form, each keeping its indentation; the other lines as they are.
 *
 * @example
 * ```ts
 * stackInCodeLocations('Error: declined\n    at charge (/home/me/shop/dist/pay.js:3:9)')
 * // 'Error: declined\n    at charge (src/pay.ts:2:5)'
 * ```
 */
export function stackInCodeLocations(text: string): string {
  if (!STACK_FRAME.test(text)) return text
  return text.replace(/^([ \t]*)(at \S.*)$/gm, (_, indent: string, frame: string) => indent + frameInCodeLocation(frame))
}

const STACK_FRAME = /\n[ \t]*at \S/

/** Where a frame's location starts, the location, and what closes it (`)` or nothing). */
function frameParts(frame: string): { open: number; location: string; close: string } {
  const closed = frame.endsWith(')')
  const open = closed ? frame.lastIndexOf('(') + 1 : /^at (async )?/.exec(frame)?.[0].length ?? 0
  return { open, location: frame.slice(open, closed ? -1 : undefined), close: closed ? ')' : '' }
}

/** One line of source shown around a frame. */
export interface SourceLine {
  /** 1-based. */
  number: number
  /** Cut to `MAX_LINE_CHARS`, not escaped nor redacted. */
  text: string
  /** The frame's own line. */
  current: boolean
}

/** Source files larger than this are not read for an excerpt. */
const MAX_SOURCE_BYTES = 1024 * 1024
/** Characters of a source line shown at most. */
const MAX_LINE_CHARS = 200
/** Source files whose lines are kept; the oldest is forgotten first. */
const MAX_SOURCES = 50
/** By absolute path: a source file's lines (null: not read) and its modification time then. */
const sources = new Map<string, { mtimeMs: number; lines: string[] | null }>()

/**
 * The lines of source around a frame's location (`file:line:column` as V8 writes it), in the
 * source the developer wrote: from the map's `sourcesContent` when it holds it, else the
 * original file on disk (not read past 1 MB). `around` lines before and after; undefined when
 * the source cannot be read. Lines are kept per file (the last 50 files).
 *
 * @example
 * ```ts
 * sourceExcerpt('/home/me/shop/dist/users.js:2:22', 1)
 * // [{ number: 9, text: 'export function findUser(…) {', current: false },
 * //  { number: 10, text: '  const row = rows.find(…)', current: true }, { number: 11, … }]
 * ```
 */
export function sourceExcerpt(location: string, around = 2): SourceLine[] | undefined {
  const at = parseLocation(location)
  const path = at && toPath(at.file)
  if (!at || !path) return undefined
  const original = mapped(path, at.line, at.column)
  const line = original?.line ?? at.line
  const lines = original?.lines?.() ?? fileLines(original?.path ?? path)
  if (!lines || line > lines.length) return undefined
  const from = Math.max(1, line - around)
  const to = Math.min(lines.length, line + around)
  const shown: SourceLine[] = []
  for (let number = from; number <= to; number++) {
    const text = lines[number - 1]!
    shown.push({ number, text: text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}…` : text, current: number === line })
  }
  return shown
}

/**
 * `sourceExcerpt` of a frame as V8 writes it (`at fn (file:line:column)`).
 *
 * @example
 * ```ts
 * frameExcerpt('at findUser (/home/me/shop/dist/users.js:2:22)') // the five lines around users.ts:10
 * ```
 */
export function frameExcerpt(frame: string, around = 2): SourceLine[] | undefined {
  return sourceExcerpt(frameParts(frame).location, around)
}

/** The lines of the file at `path`, read once per modification; null when it is missing, not a file or over 1 MB. */
function fileLines(path: string): string[] | null {
  let mtimeMs = -1
  let size = 0
  try {
    const stat = statSync(path)
    if (!stat.isFile()) return null
    mtimeMs = stat.mtimeMs
    size = stat.size
  } catch {
    return null
  }
  const kept = sources.get(path)
  if (kept !== undefined && kept.mtimeMs === mtimeMs) return kept.lines
  let lines: string[] | null = null
  if (size <= MAX_SOURCE_BYTES) {
    try {
      lines = readFileSync(path, 'utf8').split(/\r?\n/)
    } catch {
      lines = null
    }
  }
  keep(sources, path, { mtimeMs, lines }, MAX_SOURCES)
  return lines
}
