import { currentRecord } from '../core/record.js'
import { cutError, errorNaming } from '../core/cut-text.js'
import type { LogLevel } from '../shapes/records.js'
import { appendLog } from './logging.js'
import { setOwn } from '../core/span-model.js'

/** Anything pino can write its lines to: a stream, `pino.destination()`, a file stream... */
export interface PinoLineDestination {
  write(line: string): unknown
}

/** The part of a pino logger the stream reads (pino sets it before each write). */
interface PinoLogger {
  levels?: { labels?: Record<number, string> }
}

/**
 * A pino destination stream that records each line written inside a request into that
 * request's Logging panel (level, message, the logger's bindings and the line's own
 * fields as attributes), then hands the line on to `destination` when one is given.
 *
 * The level and message come from the line's metadata (pino's `Symbol.for('pino.metadata')`
 * protocol, also honoured by `pino.multistream`); the fields from the line as written, so
 * that the logger's serializers and `redact` paths apply in the panel as in the log. pino
 * writes to it synchronously from the logging call, which is how it knows the request. Transports
 * (`pino.transport()`) log from a worker thread and cannot be attributed to a request:
 * give pino this stream, or put it in a multistream beside the transport.
 *
 * @example
 * ```ts
 * import pino from 'pino'
 * import { pinoToolbarStream } from 'hono-debug-toolbar'
 *
 * // Every line to stdout as before, and into the toolbar:
 * const logger = pino({ level: 'debug' }, pinoToolbarStream(pino.destination(1)))
 * // or beside other streams:
 * const logger2 = pino({}, pino.multistream([{ stream: process.stdout }, { stream: pinoToolbarStream() }]))
 * ```
 */
export function pinoToolbarStream(destination?: PinoLineDestination) {
  const stream = {
    [Symbol.for('pino.metadata')]: true as const,
    lastLevel: 0,
    // What the call said, as pino hands it over: `log.info(42)` says a number, which the line writes as one.
    lastMsg: undefined as unknown,
    lastObj: undefined as Record<string, unknown> | undefined,
    lastLogger: undefined as PinoLogger | undefined,
    write(line: string): void {
      const record = currentRecord()
      if (record) {
        try {
          const logger = stream.lastLogger
          const written = parseLine(line)
          const obj = stream.lastObj ?? {}
          const messageKey = messageKeyOf(logger)
          // As the line reads: its value under the message key (a binding's or a field's when the call said none).
          let message = messageText(written ? written[messageKey] : (stream.lastMsg ?? obj[messageKey]))
          const fields = written ? fieldsOf(written, messageKey) : {}
          const error = nameLoggedErrors(fields, obj)
          // pino takes the message of `log.error(err)` from the error: `new HTTPException(404)` has none.
          if (message === '' && error && String(error.message) === '') message = errorNaming(error).message
          appendLog(record, pinoLevel(stream.lastLevel, logger), message, fields, 'pino')
        } catch {
          // A line the toolbar cannot read is still written below.
        }
      }
      destination?.write(line)
    },
  }
  return stream
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(line)
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

// What pino writes on every line: the level, time and default base, shown elsewhere or noise.
const LINE_KEYS = new Set(['level', 'time', 'pid', 'hostname'])

/**
 * The message as the line writes it, as text: pino writes what the call said as it is
 * (`log.info(42)` writes `"msg":42`, `log.info(null)` `"msg":null`), and the panel shows it
 * as the line reads.
 */
function messageText(said: unknown): string {
  if (said === undefined || said === null) return ''
  if (typeof said === 'string') return said
  try {
    return JSON.stringify(said) ?? String(said)
  } catch {
    return String(said)
  }
}

/** pino's `messageKeySym`, once found on a logger (the same symbol for every logger of one pino). */
let messageKeySymbol: symbol | undefined

/**
 * The key the logger writes its message under (pino's `messageKey` option, `msg` by
 * default), read from the symbol pino keeps it under (`pino.symbols.messageKeySym`, which
 * pino documents for integrations; found by its name, as the toolbar does not load pino).
 */
function messageKeyOf(logger: PinoLogger | undefined): string {
  if (!logger) return 'msg'
  const known = messageKeySymbol && (logger as Record<symbol, unknown>)[messageKeySymbol]
  if (typeof known === 'string') return known
  // A child logger inherits the key from its parent: look up the prototype chain.
  for (let holder: object | null = logger; holder; holder = Object.getPrototypeOf(holder)) {
    const symbol = Object.getOwnPropertySymbols(holder).find((s) => s.description === 'pino.messageKey')
    if (!symbol) continue
    messageKeySymbol = symbol
    const key = (logger as Record<symbol, unknown>)[symbol]
    return typeof key === 'string' ? key : 'msg'
  }
  return 'msg'
}

/**
 * The fields of the line as pino wrote it: the bindings and the call's fields after the
 * logger's serializers, redact paths and formatters (pino-http's `req` serializer, a
 * `redact: ['card.number']`), which the metadata pino hands the stream has not been
 * through. The message, under the logger's `messageKey`, is not a field.
 */
function fieldsOf(written: Record<string, unknown>, messageKey: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {}
  for (const key in written) {
    if (LINE_KEYS.has(key) || key === messageKey) continue
    setOwn(fields, key, written[key])
  }
  return fields
}

/**
 * The errors of the call's merge object (`log.error(err)` puts it under `err`) written by
 * pino's err serializer as `{ type, message, stack }`: the stack starts as V8 wrote it
 * (`Error` for an HTTPException), and is shown as the Request panel names the error
 * (`HTTPException: 404 Not Found`, see `cutError`), the causes pino appends kept. Rewrites
 * those stacks in `fields` and answers the first such error.
 */
function nameLoggedErrors(fields: Record<string, unknown>, obj: Record<string, unknown>): Error | undefined {
  let first: Error | undefined
  for (const key in fields) {
    const error = Object.hasOwn(obj, key) ? obj[key] : undefined
    const field = fields[key]
    if (!(error instanceof Error) || typeof field !== 'object' || field === null) continue
    first ??= error
    const written = field as { stack?: unknown }
    const own = error.stack
    if (typeof written.stack === 'string' && typeof own === 'string' && written.stack.startsWith(own)) {
      written.stack = `${cutError(error).stack}${written.stack.slice(own.length)}`
    }
  }
  return first
}

/** pino's numeric level as a toolbar level; custom levels fall into the nearest band. */
function pinoLevel(level: number, logger: PinoLogger | undefined): LogLevel {
  const label = logger?.levels?.labels?.[level]
  if (label === 'trace' || label === 'debug' || label === 'info' || label === 'warn' || label === 'error' || label === 'fatal') {
    return label
  }
  if (level <= 10) return 'trace'
  if (level <= 20) return 'debug'
  if (level <= 30) return 'info'
  if (level <= 40) return 'warn'
  if (level <= 50) return 'error'
  return 'fatal'
}
