import { findSourceMap } from 'node:module'
import { fileURLToPath } from 'node:url'

/** Folder of this library's code (`src/` when run from source, `dist/src/` when installed). */
const LIBRARY_DIR = fileURLToPath(new URL('../../', import.meta.url))

/** Frames walked at most: the app's frame is a handful above the driver call. */
const FRAME_LIMIT = 24

/**
 * The app's frame that called into the database driver, as `file:line:column`: the first
 * frame that is neither inside this library, nor in `node_modules`, nor Node's own code.
 *
 * Cost: one `Error.captureStackTrace` with a small frame limit and a `prepareStackTrace`
 * that returns the raw call sites, so no stack string is ever formatted. Callers only run
 * it inside a recorded request with `captureCaller` on.
 *
 * @example
 * ```ts
 * const caller = appCaller() // '/app/src/users.ts:42:18'
 * ```
 */
export function appCaller(): string | undefined {
  const holder: { stack?: unknown } = {}
  const limit = Error.stackTraceLimit
  const prepare = Error.prepareStackTrace
  Error.stackTraceLimit = FRAME_LIMIT
  Error.prepareStackTrace = (_error, frames) => frames
  try {
    Error.captureStackTrace(holder, appCaller)
    const frames = holder.stack as NodeJS.CallSite[] | undefined
    if (!Array.isArray(frames)) return undefined
    for (const frame of frames) {
      const file = fileOf(frame)
      if (file && isAppFile(file)) return mapped(holder, frame, prepare) ?? original(file, frame)
    }
    return undefined
  } finally {
    Error.prepareStackTrace = prepare
    Error.stackTraceLimit = limit
  }
}

/**
 * The frame's position in the app's source when a source-map aware `prepareStackTrace`
 * is installed (vitest, source-map-support): it is asked to format this one frame only.
 */
function mapped(error: object, frame: NodeJS.CallSite, prepare: typeof Error.prepareStackTrace): string | undefined {
  if (!prepare) return undefined
  try {
    const text = String(prepare(error as Error, [frame]))
    // The last line reads `at fn (file:line:column)` or `at file:line:column`.
    const line = text.slice(text.lastIndexOf('\n') + 1).trim().replace(/^at\s+(async\s+)?/, '')
    const location = line.endsWith(')') ? line.slice(line.lastIndexOf('(') + 1, -1) : line
    const match = /^(.+):(\d+):(\d+)$/.exec(location)
    if (!match) return undefined
    const file = match[1]!.startsWith('file://') ? fileURLToPath(match[1]!) : match[1]!
    return `${file}:${match[2]}:${match[3]}`
  } catch {
    return undefined
  }
}

/** The frame's position, through Node's own source maps when they are on (`--enable-source-maps`, tsx). */
function original(file: string, frame: NodeJS.CallSite): string {
  const line = frame.getLineNumber() ?? 0
  const column = frame.getColumnNumber() ?? 0
  if (process.sourceMapsEnabled) {
    const entry = findSourceMap(file)?.findEntry(line - 1, column - 1) as
      | { originalSource?: string; originalLine?: number; originalColumn?: number }
      | undefined
    if (entry?.originalSource && entry.originalLine !== undefined && entry.originalColumn !== undefined) {
      const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : entry.originalSource
      return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`
    }
  }
  return `${file}:${line}:${column}`
}

function fileOf(frame: NodeJS.CallSite): string | undefined {
  const name = frame.getFileName()
  if (!name) return undefined
  if (name.startsWith('file://')) {
    try {
      return fileURLToPath(name)
    } catch {
      return undefined
    }
  }
  return name
}

function isAppFile(file: string): boolean {
  if (file.startsWith('node:') || file.startsWith('internal/') || (!file.includes('/') && !file.includes('\\'))) return false
  if (file.includes('/node_modules/') || file.includes('\\node_modules\\')) return false
  return !file.startsWith(LIBRARY_DIR)
}
