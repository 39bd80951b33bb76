/**
 * A thrown error's stack as an agent reads it: the app's frames, with the frames of Node,
 * the app's dependencies and the toolbar itself between them folded into one line that
 * names whose they are. Under the toolbar, a handler's error passes through about ten such
 * frames (Hono's compose, the toolbar's middleware, OpenTelemetry's context) that say
 * nothing about the app, and would fill the lines shown.
 */
import { codeOwner } from '../core/code-owner.js'
import { oneLine } from './result.js'

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
  if (firstFrame === -1) return lines.slice(0, MAX_STACK_LINES)
  const shown = [...lines.slice(0, firstFrame), lines[firstFrame]!]
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
      shown.push(frame)
    } else folded.push(frame)
  }
  fold()
  return shown.length > MAX_STACK_LINES ? [...shown.slice(0, MAX_STACK_LINES - 1), `... ${shown.length - MAX_STACK_LINES + 1} more lines`] : shown
}

/**
 * A log line written beside an error: when it is that error printed with its stack (Hono's
 * error handler logs what it caught), its first line, since the stack is shown above it.
 *
 * @example
 * ```ts
 * besideStack('Error: out of stock\n    at /app/src/cart.ts:12:11', 'Error: out of stock\n    at …') // 'Error: out of stock (stack above)'
 * ```
 */
export function besideStack(message: string, stack: string | undefined): string {
  const newline = message.indexOf('\n')
  if (stack === undefined || newline === -1) return oneLine(message)
  const first = message.slice(0, newline)
  return stack.startsWith(first) ? `${first} (stack above)` : oneLine(message)
}
