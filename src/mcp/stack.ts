/**
 * A thrown error's stack as an agent reads it: the app's frames, with the frames of Node,
 * the app's dependencies and the toolbar itself between them folded into one line that
 * names whose they are. Under the toolbar, a handler's error passes through about ten such
 * frames (Hono's compose, the toolbar's middleware, OpenTelemetry's context) that say
 * nothing about the app, and would fill the lines shown.
 */
import { frameInCodeLocation } from '../core/code-location.js'
import { codeOwner } from '../core/code-owner.js'
import { counted, oneLine } from './result.js'

/** Lines of a stack shown at most (the message's lines included). */
const MAX_STACK_LINES = 12

/**
 * Whose code a stack frame is (`undefined` for the app's own), from its location:
 * `at fn (file:line:column)`, `at file:line:column`, or `at new Promise (<anonymous>)`.
 */
function ownerOf(frame: string): string | undefined {
  const location = frame.endsWith(')') ? frame.slice(frame.lastIndexOf('(') + 1, -1) : frame.replace(/^at (async )?/, '')
  return codeOwner(location)
}

/**
 * `stack`'s lines trimmed: its message, the frame where it was thrown, then the app's frames,
 * each run of other frames folded to `... N frames of hono, the toolbar`; at most 12 lines.
 *
 * @example
 * ```ts
 * foldedStack(error.stack!)
 * // ['Error: out of stock', 'at /app/src/cart.ts:12:11', '... 9 frames of hono, the toolbar, node', 'at /app/src/server.ts:40:3']
 * ```
 */
export function foldedStack(stack: string): string[] {
  const lines = stack.split('\n').map((line) => line.trim())
  const firstFrame = lines.findIndex((line) => line.startsWith('at '))
  if (firstFrame === -1) return capped(lines)
  const shown = [...lines.slice(0, firstFrame), frameInCodeLocation(lines[firstFrame]!)]
  let folded: string[] = []
  const fold = () => {
    if (folded.length === 0) return
    const owners = [...new Set(folded.map((frame) => ownerOf(frame)!))]
    shown.push(`... ${folded.length} ${folded.length === 1 ? 'frame' : 'frames'} of ${owners.join(', ')}`)
    folded = []
  }
  for (const frame of lines.slice(firstFrame + 1)) {
    if (!frame.startsWith('at ')) continue
    if (ownerOf(frame) === undefined) {
      fold()
      shown.push(frameInCodeLocation(frame))
    } else folded.push(frame)
  }
  fold()
  return capped(shown)
}

/** `lines` cut to `MAX_STACK_LINES`, the last saying how many more there were. */
function capped(lines: string[]): string[] {
  return lines.length > MAX_STACK_LINES ? [...lines.slice(0, MAX_STACK_LINES - 1), `... ${lines.length - MAX_STACK_LINES + 1} more lines`] : lines
}

/**
 * A log line written beside an error: when it is that error printed with its stack (Hono's
 * error handler logs what it caught), its first line, since the stack is shown above it;
 * another logged stack reads as `briefLogMessage` writes it, never as frames run together.
 *
 * @example
 * ```ts
 * besideStack('Error: out of stock\n    at /app/src/cart.ts:12:11', 'Error: out of stock\n    at …') // 'Error: out of stock (stack above)'
 * besideStack('TypeError: fetch failed\n    at /app/src/stock.ts:4:9', undefined) // 'TypeError: fetch failed (stack: search_logs with request_id)'
 * ```
 */
export function besideStack(message: string, stack: string | undefined): string {
  const newline = message.indexOf('\n')
  if (stack === undefined || newline === -1) return briefLogMessage(message)
  const first = message.slice(0, newline)
  // Another error's stack, or a message of several lines: its first line, and where the rest is.
  return stack.startsWith(first) ? `${first} (stack above)` : briefLogMessage(message)
}

/** A frame line of a V8 stack, after the first line. */
const FRAME = /\n\s*at \S/

/**
 * A log message on one line of a brief (get_request): its first line, and when it has more,
 * where to read them, so that a logged error reads as its message, not as its frames run
 * together and cut.
 *
 * @example
 * ```ts
 * briefLogMessage('Error: out of stock\n    at /app/src/cart.ts:12:11') // 'Error: out of stock (stack: search_logs with request_id)'
 * briefLogMessage('retrying\nattempt 2 of 3') // 'retrying (1 more line: search_logs with request_id)'
 * briefLogMessage('listed 4 users') // 'listed 4 users'
 * ```
 */
export function briefLogMessage(message: string): string {
  const [first = '', ...rest] = message.trim().split('\n')
  if (!rest.length) return oneLine(first)
  const more = FRAME.test(message) ? 'stack' : counted(rest.length, 'more line')
  return `${oneLine(first)} (${more}: search_logs with request_id)`
}

/**
 * The error stack an attribute value holds: the value itself when it is a printed error
 * (`recordLog`'s `value`), or the `stack` of a JSON object (pino's err serializer).
 */
function stackIn(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const stack = value.startsWith('{') ? jsonStack(value) : value
  return stack !== undefined && FRAME.test(stack) ? stack : undefined
}

/** The `stack` string of the object `json` writes, if it has one. */
function jsonStack(json: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(json)
    const stack = typeof parsed === 'object' && parsed !== null ? (parsed as { stack?: unknown }).stack : undefined
    return typeof stack === 'string' ? stack : undefined
  } catch {
    return undefined
  }
}

/**
 * What a log line shows beneath its first line: the rest of a multi-line message, and an
 * error's stack folded as `foldedStack` folds it (the app's frames, the others counted by
 * whose they are), from the message or else from the first attribute that holds one
 * (`recordLog('error', 'payment failed', err)` keeps the stack as its `value`; pino's
 * `log.error(err)` as `err.stack`). Each line is cut as `oneLine` cuts it, and there are at
 * most 12: a line with a stack reads as the error it logged, still bounded.
 *
 * @example
 * ```ts
 * linesBeneath('Error: out of stock\n    at /app/src/cart.ts:12:11', {})
 * // ['at /app/src/cart.ts:12:11']
 * linesBeneath('payment failed', { value: 'Error: declined\n    at charge (/app/src/pay.ts:3:9)' })
 * // ['value: Error: declined', 'at charge (/app/src/pay.ts:3:9)']
 * linesBeneath('listed 4 users', {}) // []
 * ```
 */
export function linesBeneath(message: string, attributes: Record<string, unknown>): string[] {
  const own = message.trim()
  if (own.includes('\n')) return foldedStack(own).slice(1).filter(Boolean).map(oneLine)
  for (const [name, value] of Object.entries(attributes)) {
    const stack = stackIn(value)
    if (stack === undefined) continue
    const [first = '', ...rest] = foldedStack(stack.trim())
    return [`${name}: ${first}`, ...rest].map(oneLine)
  }
  return []
}
