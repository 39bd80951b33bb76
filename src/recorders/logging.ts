import { Console } from 'node:console'
import { Writable } from 'node:stream'
import { formatWithOptions, stripVTControlCharacters, types, type InspectOptions } from 'node:util'
import { currentRecord, slotKey, type RequestRecord } from '../core/record.js'
import { isSecretName, REDACTED } from '../core/redact.js'
import { redactText } from '../core/redact-text.js'
import { LOG_LEVELS, OPEN_SPAN_SLOT, SLOTS, type LogBook, type LogLevel, type RecordedLog } from '../shapes/records.js'
import { cutText, thrownText } from '../core/cut-text.js'
import { dirShape, inspectedText, printedShape, redactedJson, TABLE_SHAPE, withoutSecrets } from './log-redaction.js'
import { currentRenderId } from './templates.js'
import { setOwn } from '../core/span-model.js'

/** Lines kept per request when no LoggingPanel set a limit. */
export const DEFAULT_MAX_LOGS = 1000

/**
 * The longest message or attribute value a line keeps (characters): the rest is cut and
 * the cut says how much, so that a request's lines (at most `maxLogs`) stay bounded in
 * size as well as in number.
 */
export const MAX_LOG_CHARS = 8192

/**
 * The most attributes a line keeps (the OpenTelemetry SDK's default per span event): the
 * rest are counted in `droppedAttributes`, so a logged object with thousands of keys does
 * not make a line of megabytes.
 */
export const MAX_LOG_ATTRIBUTES = 128

/**
 * `text` cut to `MAX_LOG_CHARS`, saying how much was left out (a copy of its own: the
 * history must not hold the whole text), with the secrets written in it (`password=hunter2`,
 * `token: abc`, a URL's credentials) redacted: the panel and the exported span events get
 * this copy, the terminal prints the line as the app wrote it.
 */
function shown(text: string): string {
  return redactText(cutText(text, MAX_LOG_CHARS))
}

const LIMIT_SLOT = slotKey<number>('logging.limit')

/**
 * Sets the lines this request's log book keeps: `limit` answers the LoggingPanel's
 * `maxLogs` (made once per panel, so a request allocates nothing). The book itself is
 * made with the first line; recorders fall back to the default limit.
 */
export function setLogLimit(record: RequestRecord, limit: () => number): void {
  record.slot(LIMIT_SLOT, limit)
}

/**
 * Writes one line into `record`: the shared path of console capture, pino and `recordLog`.
 * Lines over the limit are counted (in `dropped` and in the per-level counts) but not kept.
 */
export function appendLog(
  record: RequestRecord,
  level: LogLevel,
  message: string,
  attributes: Record<string, unknown>,
  source: string,
): void {
  const book = record.slot(SLOTS.logging, () => newLogBook(record))
  const counts = (book.counts ??= {})
  counts[level] = (counts[level] ?? 0) + 1
  if (book.logs.length >= (book.maxLogs ?? DEFAULT_MAX_LOGS)) {
    book.dropped++
    record.wrote()
    return
  }
  const line: RecordedLog = {
    level,
    message: shown(message),
    attributes: {},
    source,
    startMs: record.now(),
    renderId: currentRenderId(),
  }
  const dropped = addAttributes(line.attributes, attributes)
  if (dropped) line.droppedAttributes = dropped
  const spanId = record.peek(OPEN_SPAN_SLOT)?.openSpanId()
  if (spanId !== undefined) line.spanId = spanId
  book.logs.push(line)
  record.wrote(SLOTS.logging, line)
}

function newLogBook(record: RequestRecord): LogBook {
  return { logs: [], dropped: 0, maxLogs: record.peek(LIMIT_SLOT) ?? DEFAULT_MAX_LOGS }
}

/**
 * Records a log line into the current request (a no-op outside one). Attributes whose
 * names look secret (`password`, `token`, ...) are redacted.
 *
 * A message that is not a string is printed as `console.log` prints it (`{ a: 1 }`, an
 * error's stack), secrets redacted. The attributes are the own keys of a plain object (or
 * of one without a prototype); anything else given as attributes (a string, a number, an
 * array, an Error, a Map, a class instance) is kept whole as one attribute named `value`,
 * printed as any attribute value is; `null` or `undefined` is no attributes.
 *
 * @example
 * ```ts
 * import { recordLog } from 'hono-debug-toolbar'
 * app.post('/orders', async (c) => {
 *   recordLog('info', 'order created', { orderId: 42 })
 *   recordLog('error', 'payment failed', err) // one attribute: value, the error's stack
 *   return c.json({ ok: true })
 * })
 * ```
 */
export function recordLog(level: LogLevel, message: unknown, attributes: unknown = {}): void {
  if (!LOG_LEVELS.includes(level)) {
    throw new TypeError(`recordLog: level must be one of ${LOG_LEVELS.join(', ')}, got "${String(level)}"`)
  }
  const record = currentRecord()
  if (!record) return
  const text = typeof message === 'string' ? message : printedText(message)
  appendLog(record, level, text, attributesOf(attributes), 'recordLog')
}

/** `recordLog`'s attributes: a plain object's own keys, nothing for null, anything else as one `value`. */
function attributesOf(attributes: unknown): Record<string, unknown> {
  if (attributes === null || attributes === undefined) return {}
  if (isPlainObject(attributes)) return attributes
  return { value: attributes }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return isPlainData(value) && !Array.isArray(value)
}

/**
 * Adds the first `MAX_LOG_ATTRIBUTES` attributes to `out` as the panel and the OpenTelemetry
 * converter can carry them (strings, numbers and booleans as they are, plain data as JSON,
 * anything else as Node prints it, with secret-named keys redacted inside it too), and
 * answers how many more there were.
 */
function addAttributes(out: Record<string, unknown>, attributes: Record<string, unknown>): number {
  let kept = 0
  let dropped = 0
  for (const name in attributes) {
    if (!Object.hasOwn(attributes, name)) continue
    const value = attributes[name]
    if (value === undefined) continue
    if (kept === MAX_LOG_ATTRIBUTES) {
      dropped++
      continue
    }
    setOwn(out, name, isSecretName(name) ? REDACTED : toAttributeValue(value))
    kept++
  }
  return dropped
}

/**
 * One attribute value: plain data (objects, arrays, strings, numbers) as JSON; what JSON
 * would lose (a Map or Set is `{}`, a class instance loses its class, an error its stack, a
 * function its name) or cannot write (a cycle, a bigint) as `console.log` prints it. Never
 * throws: a value that even Node cannot print (a Proxy whose traps throw) is its tag.
 */
function toAttributeValue(value: unknown): unknown {
  if (typeof value === 'number' || typeof value === 'boolean') return value
  if (typeof value === 'string') return shown(value)
  if (typeof value === 'bigint') return value.toString()
  const json = isPlainData(value) ? plainJson(value) : undefined
  return shown(json ?? printedText(value))
}

/**
 * `value` as `console.log` prints it (`inspectedText`: secrets redacted, depth 2, the first
 * 100 items). Never throws: a value that even Node cannot print (a Proxy whose traps throw)
 * is its tag.
 */
function printedText(value: unknown): string {
  try {
    return inspectedText(value)
  } catch {
    return thrownText(value)
  }
}

function isPlainData(value: unknown): value is object {
  if (typeof value !== 'object' || value === null || types.isProxy(value)) return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null || prototype === Array.prototype
}

/** Thrown by `plainJson`'s replacer at the first value JSON would not write as it is. */
const NOT_PLAIN = Symbol('not plain data')

/**
 * `value` as redacted JSON when all of it is plain data, else undefined. A value is looked at
 * through its holder's own descriptor, before `toJSON` (a Buffer is `{ type, data }` after it),
 * without calling a getter a second time.
 */
function plainJson(value: object): string | undefined {
  try {
    return redactedJson(value, function plainOnly(this: object, key: string, shown: unknown) {
      const own = Object.getOwnPropertyDescriptor(this, key)
      const original = own && 'value' in own ? own.value : shown
      if (typeof original === 'function' || typeof original === 'symbol') throw NOT_PLAIN
      if (typeof original === 'object' && original !== null && !isPlainData(original)) throw NOT_PLAIN
      return shown
    })
  } catch {
    // Not plain, a cycle, a bigint, or a getter that threw: Node's print calls no getter.
    return undefined
  }
}

type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace' | 'dir' | 'dirxml' | 'table'

/** How each captured console method maps to a level. */
const CONSOLE_LEVELS: Record<ConsoleMethod, LogLevel> = {
  log: 'info',
  info: 'info',
  warn: 'warn',
  error: 'error',
  debug: 'debug',
  trace: 'trace',
  dir: 'info',
  // Node's dirxml is its log function itself: it prints without calling the console's log.
  dirxml: 'info',
  table: 'info',
}

let installed: { target: Console; originals: Record<ConsoleMethod, (...args: unknown[]) => void> } | undefined
// True while a captured call is being recorded or printed. Node's console.trace prints
// through console.error, and a recorder may itself warn: those inner calls go straight
// through instead of being captured (or recursing).
let busy = false

/**
 * Captures `console.log/info/warn/error/debug/trace/dir/dirxml/table` made inside a recorded
 * request, and still prints them. Outside a request the patched methods call straight
 * through. The LoggingPanel installs it; calling it again does nothing.
 *
 * @example
 * ```ts
 * import { installConsoleCapture, uninstallConsoleCapture } from 'hono-debug-toolbar'
 * installConsoleCapture()
 * // ... later, e.g. in a test's afterAll:
 * uninstallConsoleCapture()
 * ```
 */
export function installConsoleCapture(): void {
  if (installed) return
  const target = globalThis.console
  const originals = {} as Record<ConsoleMethod, (...args: unknown[]) => void>
  for (const method of Object.keys(CONSOLE_LEVELS) as ConsoleMethod[]) {
    const original = target[method] as (...args: unknown[]) => void
    originals[method] = original
    const level = CONSOLE_LEVELS[method]
    target[method] = function capturedConsole(this: unknown, ...args: unknown[]) {
      const record = busy ? undefined : currentRecord()
      if (!record) return original.apply(this, args)
      busy = true
      try {
        capture(record, method, level, args)
        return original.apply(this, args)
      } finally {
        busy = false
      }
    }
  }
  installed = { target, originals }
}

/**
 * Puts the console methods back as they were before `installConsoleCapture()`.
 *
 * @example
 * ```ts
 * afterAll(() => uninstallConsoleCapture())
 * ```
 */
export function uninstallConsoleCapture(): void {
  if (!installed) return
  for (const [method, original] of Object.entries(installed.originals)) {
    installed.target[method as ConsoleMethod] = original
  }
  installed = undefined
}

/** A console line as Node prints it (`util.format`), secrets of its objects redacted. */
function formatted(args: unknown[]): string {
  const shape = printedShape(args[0])
  return formatWithOptions({}, ...args.map((arg) => withoutSecrets(arg, shape)))
}

// console.dir and console.table do not format as console.log does (dir takes inspect's
// options, table draws a table) and print without going through the console's log: the
// panel's copy of their line is what a console of the toolbar's own prints into a string
// for the redacted arguments. Its writes are synchronous, so the line is there at once.
let printed = ''
const printer = new Console({
  stdout: new Writable({
    write(chunk, _encoding, done) {
      printed += String(chunk)
      done()
    },
  }),
  colorMode: false,
})

function printedByConsole(method: 'dir' | 'table', [data, options]: unknown[]): string {
  printed = ''
  if (method === 'dir') printer.dir(withoutSecrets(data, dirShape(options)), options as InspectOptions | undefined)
  else printer.table(withoutSecrets(data, TABLE_SHAPE), options as readonly string[] | undefined)
  const line = printed.endsWith('\n') ? printed.slice(0, -1) : printed
  printed = ''
  return line
}

function capture(record: RequestRecord, method: ConsoleMethod, level: LogLevel, args: unknown[]): void {
  try {
    const attributes: Record<string, unknown> = { 'console.method': method }
    // console.trace prints where it was called from: keep that, minus this frame.
    if (method === 'trace') attributes.stack = new Error().stack?.split('\n').slice(3).join('\n')
    // The panel's copy of the line hides secret-named keys of logged objects, and the
    // terminal's colour codes (hono/logger colours the status): the terminal's keeps both.
    const message = method === 'dir' || method === 'table' ? printedByConsole(method, args) : formatted(args)
    appendLog(record, level, message.includes('\x1b') ? stripVTControlCharacters(message) : message, attributes, 'console')
  } catch {
    // Recording must never break the app's own logging.
  }
}
