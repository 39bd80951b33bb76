/**
 * Text the toolbar keeps in a request's record or exports, cut to a length. The record lives
 * as long as the request is in the history, so what it keeps must be bounded in size, not
 * only in count.
 */

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
 * `error`'s name, message (cut at `MAX_ERROR_CHARS`) and stack (cut at `MAX_STACK_CHARS`).
 * A stack starts with the message: when the message was cut, the stack keeps the frames
 * that follow it, after the cut message.
 *
 * @example
 * ```ts
 * span.recordException(cutError(error))
 * ```
 */
export function cutError(error: Error): { name: string; message: string; stack: string | undefined } {
  const name = String(error.name)
  const whole = String(error.message)
  const message = cutText(whole, MAX_ERROR_CHARS)
  let stack = typeof error.stack === 'string' ? error.stack : undefined
  const head = `${name}: ${whole}`
  if (stack !== undefined && message !== whole && stack.startsWith(head)) stack = ownCopy(`${name}: ${message}${stack.slice(head.length)}`)
  return { name, message, stack: stack === undefined ? undefined : cutText(stack, MAX_STACK_CHARS) }
}

/**
 * What failed, as one message cut at `MAX_ERROR_CHARS`: an Error's message (its name when
 * the message is empty), else the thrown value as text (`thrownText`). For the records
 * that keep a failure as a message: a template render's, a query's.
 *
 * @example
 * ```ts
 * errorMessageOf(new Error('no such table: users')) // 'no such table: users'
 * errorMessageOf('timeout')                          // 'timeout'
 * ```
 */
export function errorMessageOf(error: unknown): string {
  return cutText(error instanceof Error ? error.message || error.name : thrownText(error), MAX_ERROR_CHARS)
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
