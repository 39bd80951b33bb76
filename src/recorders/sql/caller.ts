import { findSourceMap } from 'node:module'
import { fileURLToPath } from 'node:url'
import { isAppCode } from '../../core/code-owner.js'

/**
 * Frames captured: the cost grows with each frame (about 0.6 µs here), and the app's frame
 * is usually 3 to 5 above the driver call. Deeper stacks (an ORM in node_modules between
 * the app and the driver) get a second, deeper capture.
 */
const FRAME_LIMITS = [8, 40]

const rawFrames = (_error: Error, frames: NodeJS.CallSite[]) => frames

/**
 * The app's frame that called into the database driver, as `file:line:column`: the first
 * frame that is neither inside this library, nor in `node_modules`, nor Node's own code.
 *
 * Cost: an `Error.captureStackTrace` with a small frame limit and a `prepareStackTrace`
 * that returns the raw call sites, so no stack string is formatted; a few microseconds per
 * query. Callers only run it inside a recorded request with `captureCaller` on.
 *
 * @example
 * ```ts
 * const caller = appCaller() // '/app/src/users.ts:42:18'
 * ```
 */
export function appCaller(): string | undefined {
  const limit = Error.stackTraceLimit
  const prepare = Error.prepareStackTrace
  Error.prepareStackTrace = rawFrames
  try {
    for (const frameLimit of FRAME_LIMITS) {
      const holder: { stack?: unknown } = {}
      Error.stackTraceLimit = frameLimit
      Error.captureStackTrace(holder, appCaller)
      const frames = holder.stack as NodeJS.CallSite[] | undefined
      if (!Array.isArray(frames)) return undefined
      for (const frame of frames) {
        const name = frame.getFileName()
        // Names are compared as V8 gives them (URLs for ES modules): converting every frame costs more than the capture.
        if (name && isAppCode(name)) return mapped(holder, frame, prepare) ?? original(toPath(name), frame)
      }
      if (frames.length < frameLimit) return undefined
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

/** File URL to path, remembered: one entry per source file of the app. */
const paths = new Map<string, string>()

function toPath(name: string): string {
  if (!name.startsWith('file://')) return name
  let path = paths.get(name)
  if (path === undefined) {
    try {
      path = fileURLToPath(name)
    } catch {
      path = name
    }
    paths.set(name, path)
  }
  return path
}
