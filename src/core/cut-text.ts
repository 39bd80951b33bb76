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
 * named as `errorNaming` names it. The stack starts with the name and message shown
 * (`Name: message`, or the name alone for an empty message, as V8 writes it), then the
 * frames V8 wrote: its own first line carries the name the error had when its stack was
 * first read, which a renamed error or an HTTPException does not show by. A stack that is
 * not V8's (one line of the app's own, no frames) is kept as it is.
 *
 * `redact`, when given, is applied to the message once it is cut (and so to the stack's first
 * line), and to every other line of the stack but V8's frames, which are code locations and
 * are kept as they are.
 *
 * @example
 * ```ts
 * span.recordException(cutError(error))
 * cutError(new HTTPException(404)).stack // 'HTTPException: 404 Not Found\n    at ...'
 * cutError(new Error('password=x'), (text) => redactText(text)).message // 'password=********'
 * ```
 */
export function cutError(error: Error, redact: (text: string) => string = unchanged): { name: string; message: string; stack: string | undefined } {
  const { name, message: whole } = errorNaming(error)
  const message = redact(cutText(whole, MAX_ERROR_CHARS))
  const stack = typeof error.stack === 'string' ? error.stack : undefined
  if (stack === undefined) return { name, message, stack }
  const frames = framesOf(stack, String(error.message))
  if (frames === undefined) return { name, message, stack: redactBesideFrames(cutText(stack, MAX_STACK_CHARS), redact) }
  const head = message ? `${name}: ${message}` : name
  const shown = `${head}${frames}`
  const cut = cutText(shown === stack ? stack : ownCopy(shown), MAX_STACK_CHARS)
  // The head holds the message redacted already; what follows it is redacted line by line.
  if (redact === unchanged || !cut.startsWith(head)) return { name, message, stack: redactBesideFrames(cut, redact) }
  return { name, message, stack: `${head}${redactBesideFrames(cut.slice(head.length), redact)}` }
}

function unchanged(text: string): string {
  return text
}

/** A V8 stack frame's line (`    at handler (file:///app/token.js:3:9)`). */
const V8_FRAME = /^\s+at /

/**
 * `stack` with `redact` applied to each line that is not one of V8's frames: a frame is a
 * code location, and a file named `token.js` is not a secret (`token.js:3:9` reads as a
 * `name: value` pair).
 */
function redactBesideFrames(stack: string, redact: (text: string) => string): string {
  if (redact === unchanged) return stack
  return stack
    .split('\n')
    .map((line) => (V8_FRAME.test(line) ? line : redact(line)))
    .join('\n')
}

/**
 * What follows the first line of a V8 stack: `Name: message` (the name alone for an empty
 * message, `Name: ` under a source-map handler), the message possibly of several lines.
 * Undefined for a stack that is not of that shape.
 */
function framesOf(stack: string, message: string): string | undefined {
  const at = message ? stack.indexOf(message) : -1
  if (at >= 0 && stack.slice(0, at).endsWith(': ') && !stack.slice(0, at).includes('\n')) return stack.slice(at + message.length)
  // A line break, blank space, then `at `. Tried only from the first line break of a run of
  // blank space (the lookbehind): from each one, a stack of blank lines was read on to its end.
  const frame = stack.search(/(?<!\n[^\S\n]*)\n\s+at /)
  const head = frame >= 0 ? stack.slice(0, frame) : stack
  return head.includes('\n') || (frame < 0 && !/^[\w$.]*(: )?$/.test(head)) ? undefined : stack.slice(head.length)
}

/**
 * The name and message `error` is shown with. An error of a subclass that has no name of
 * its own (`class NotFound extends Error {}`) keeps the `Error` it inherits: it is named for
 * its class, as Node's util.inspect names it (`NotFound [Error]`), not `Error`. A name the
 * error or its class was given is its name, even `'Error'`. Hono's `HTTPException` is such a
 * subclass and, thrown as `throw new HTTPException(404)`, has no message: without one it is
 * described by its status, so it does not show as `Error: `.
 *
 * @example
 * ```ts
 * errorNaming(new HTTPException(404))             // { name: 'HTTPException', message: '404 Not Found' }
 * errorNaming(new TypeError('x is not a function')) // { name: 'TypeError', message: 'x is not a function' }
 * class NotFound extends Error {}
 * errorNaming(new NotFound('no such order'))       // { name: 'NotFound', message: 'no such order' }
 * ```
 */
export function errorNaming(error: Error): { name: string; message: string } {
  const message = String(error.message)
  const name = String(error.name)
  const shownName = name === 'Error' ? (subclassName(error) ?? name) : name
  if (!(error instanceof HTTPException)) return { name: shownName, message }
  return { name: shownName, message: message || statusLine(error.status) }
}

/**
 * The name of `error`'s class when it inherits the name `Error` from `Error.prototype`: no
 * own `name`, and none on a prototype before `Error.prototype`. Undefined for an `Error`
 * itself, a name given anywhere on the way, or a class without a name.
 */
function subclassName(error: Error): string | undefined {
  try {
    for (let at: object | null = error; at && at !== Error.prototype; at = Object.getPrototypeOf(at)) {
      if (Object.hasOwn(at, 'name')) return undefined
    }
    const constructor: unknown = Object.getPrototypeOf(error)?.constructor
    const name = typeof constructor === 'function' ? constructor.name : undefined
    return typeof name === 'string' && name !== '' && name !== 'Error' ? name : undefined
  } catch {
    // A Proxy whose traps throw: it is shown by the name it answered.
    return undefined
  }
}

/**
 * `error` as one line, `Name: message`, the message cut at `MAX_ERROR_CHARS`; a thrown value
 * that is not an Error as its text (`thrownText`), cut the same way. How the Request panel
 * shows what a handler threw. `redact`, when given, is applied to the message (not to the
 * name: `TokenError: expired` is no `name: value` pair) or to the thrown value's text.
 *
 * @example
 * ```ts
 * errorLine(new HTTPException(404))                            // 'HTTPException: 404 Not Found'
 * errorLine('out of stock')                                    // 'out of stock'
 * errorLine(new Error('password=x'), (text) => redactText(text)) // 'Error: password=********'
 * ```
 */
export function errorLine(error: unknown, redact: (text: string) => string = unchanged): string {
  if (!(error instanceof Error)) return redact(cutText(thrownText(error), MAX_ERROR_CHARS))
  const { name, message } = errorNaming(error)
  return `${name}: ${redact(cutText(message, MAX_ERROR_CHARS))}`
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
