/**
 * Text the toolbar keeps in a request's record or exports, cut to a length. The record lives
 * as long as the request is in the history, so what it keeps must be bounded in size, not
 * only in count.
 */
import { STATUS_CODES } from 'node:http'
import { HTTPException } from 'hono/http-exception'

/** The longest error message a request's record, panel or span keeps (characters), as a log line's message. */
export const MAX_ERROR_CHARS = 8192

/** The longest stack trace an exported exception carries (characters). */
export const MAX_STACK_CHARS = 16_384

/**
 * `text` cut to `max` characters, saying how many it left out; shorter text is returned as
 * it is. The cut never splits a surrogate pair (an emoji), and the cut text is a copy:
 * V8 makes `slice()` of a long string a view that keeps the whole string alive, so a 1 MB
 * template name cut to 1 KB still held its megabyte for as long as the request was kept.
 *
 * @example
 * ```ts
 * cutText('x'.repeat(10), 4) // 'xxxx… (6 more characters)'
 * ```
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text
  const head = headOf(text, max)
  return `${head}… (${text.length - head.length} more characters)`
}

/**
 * The first `max` characters of `text` (one less rather than half an emoji), as a copy that
 * holds on to no longer string: for a cut that says what it left out in its own way.
 *
 * @example
 * ```ts
 * const sql = `${headOf(bulkInsert, MAX_QUERY_CHARS)}…` // and the length kept beside it
 * ```
 */
export function headOf(text: string, max: number): string {
  const end = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max
  return ownCopy(text.slice(0, end))
}

/**
 * `error`'s name, message (cut at `MAX_ERROR_CHARS`) and stack (cut at `MAX_STACK_CHARS`),
 * named as `errorNaming` names it. A stack starts with the name and message: when the
 * message was cut or the error is named otherwise, the stack keeps the frames that follow
 * them, after the name and message shown.
 *
 * @example
 * ```ts
 * span.recordException(cutError(error))
 * ```
 */
export function cutError(error: Error): { name: string; message: string; stack: string | undefined } {
  const { name, message: whole } = errorNaming(error)
  const message = cutText(whole, MAX_ERROR_CHARS)
  let stack = typeof error.stack === 'string' ? error.stack : undefined
  // The stack's first line is `Name: message`; for an empty message V8 writes `Name` alone
  // (a source-map handler may still write `Name: `).
  const ownName = String(error.name)
  const ownMessage = String(error.message)
  const head = ownMessage || stack?.startsWith(`${ownName}: `) ? `${ownName}: ${ownMessage}` : ownName
  const shown = `${name}: ${message}`
  if (stack !== undefined && shown !== head && stack.startsWith(head)) stack = ownCopy(`${shown}${stack.slice(head.length)}`)
  return { name, message, stack: stack === undefined ? undefined : cutText(stack, MAX_STACK_CHARS) }
}

/**
 * The name and message `error` is shown with. Hono's `HTTPException` keeps the name `Error`
 * and, thrown as `throw new HTTPException(404)`, has no message: it is named for its class
 * and, without a message, described by its status, so it does not show as `Error: `.
 *
 * @example
 * ```ts
 * errorNaming(new HTTPException(404))             // { name: 'HTTPException', message: '404 Not Found' }
 * errorNaming(new TypeError('x is not a function')) // { name: 'TypeError', message: 'x is not a function' }
 * ```
 */
export function errorNaming(error: Error): { name: string; message: string } {
  const message = String(error.message)
  if (!(error instanceof HTTPException)) return { name: String(error.name), message }
  const name = error.name === 'Error' ? 'HTTPException' : String(error.name)
  return { name, message: message || statusLine(error.status) }
}

/**
 * `error` as one line, `Name: message`, the message cut at `MAX_ERROR_CHARS`; a thrown value
 * that is not an Error as its text (`thrownText`), cut the same way. How the Request panel
 * shows what a handler threw.
 *
 * @example
 * ```ts
 * errorLine(new HTTPException(404)) // 'HTTPException: 404 Not Found'
 * errorLine('out of stock')         // 'out of stock'
 * ```
 */
export function errorLine(error: unknown): string {
  if (!(error instanceof Error)) return cutText(thrownText(error), MAX_ERROR_CHARS)
  const { name, message } = errorNaming(error)
  return `${name}: ${cutText(message, MAX_ERROR_CHARS)}`
}

/** `404 Not Found`; the code alone for a status without a standard reason phrase. */
function statusLine(status: number): string {
  const reason = STATUS_CODES[status]
  return reason ? `${status} ${reason}` : String(status)
}

/**
 * What failed, as one message cut at `MAX_ERROR_CHARS`: an Error's message (its name when
 * the message is empty; see `errorNaming`), else the thrown value as text (`thrownText`). For the records
 * that keep a failure as a message: a template render's, a query's.
 *
 * @example
 * ```ts
 * errorMessageOf(new Error('no such table: users')) // 'no such table: users'
 * errorMessageOf('timeout')                          // 'timeout'
 * ```
 */
export function errorMessageOf(error: unknown): string {
  if (!(error instanceof Error)) return cutText(thrownText(error), MAX_ERROR_CHARS)
  const { name, message } = errorNaming(error)
  return cutText(message || name, MAX_ERROR_CHARS)
}

/**
 * A thrown value that is not an Error, as text: `String(value)`, or its `[object ...]` tag
 * when String() throws (an object without a prototype, a toString that throws). Recording
 * a failure must not fail itself, nor swap the app's value for a TypeError.
 *
 * @example
 * ```ts
 * thrownText(Object.create(null)) // '[object Object]'
 * ```
 */
export function thrownText(thrown: unknown): string {
  try {
    return String(thrown)
  } catch {
    return Object.prototype.toString.call(thrown)
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}

/** A string with its own characters, holding on to no longer string. */
function ownCopy(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le')
}
