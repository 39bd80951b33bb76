/**
 * W3C Trace Context Level 2 (`traceparent` / `tracestate`), written to the letter of the
 * specification (https://www.w3.org/TR/trace-context-2/).
 *
 * This file is longer than most because the two headers, the TraceState object and the
 * propagator share one set of grammar rules; splitting them would scatter the rules.
 *
 * The `@opentelemetry/core` W3C propagator is not used on purpose: it skips invalid
 * tracestate members instead of discarding the list, keeps lists over 32 members, refuses
 * Level 2 keys (`1vendor`, `foo@`), tolerates only one OWS character, and the random flag
 * does not survive a child span. See specs/propagation.md.
 */
import {
  context,
  createContextKey,
  trace,
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  type TraceState,
} from '@opentelemetry/api'
import { isTracingSuppressed } from '@opentelemetry/core'

/** A parsed `traceparent` header. */
export interface Traceparent {
  /** Version byte (0 for the current format; higher versions are parsed by the 00 fields). */
  version: number
  /** 32 lowercase hex characters, never all zeros. */
  traceId: string
  /** The caller's span id (`parent-id`): 16 lowercase hex characters, never all zeros. */
  spanId: string
  /** The whole trace-flags byte. */
  flags: number
  /** Bit 0: the caller may have recorded trace data. */
  sampled: boolean
  /** Bit 1 (Level 2): the right-most 7 bytes of the trace id are random. */
  random: boolean
}

/** One `key=value` list member of a `tracestate` header. */
export interface TraceStateEntry {
  key: string
  value: string
}

export const SAMPLED_FLAG = 0x01
export const RANDOM_TRACE_ID_FLAG = 0x02
/** The flags this implementation knows; the spec says the others MUST be sent as zero. */
const KNOWN_FLAGS = SAMPLED_FLAG | RANDOM_TRACE_ID_FLAG

const MAX_MEMBERS = 32
const MAX_TRACESTATE_LENGTH = 512
const LONG_ENTRY_LENGTH = 128

const HEX2 = /^[0-9a-f]{2}$/
const ALL_ZEROS = /^0+$/
// Level 2: key = ( lcalpha / DIGIT ) 0*255 ( keychar ), keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@".
// Level 1's tenant@system split (a 241/14 character budget, one '@') is gone.
const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/
// value = 0*255(chr) nblk-chr: 1 to 256 printable characters without ',' and '=',
// the last one not a space.
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/
/** OWS in RFC 7230 is spaces and horizontal tabs only. */
const OWS_AROUND = /^[ \t]+|[ \t]+$/g

/**
 * Parses a `traceparent` header value; answers `undefined` when the spec says to ignore it.
 * `checkTraceparent` says why.
 *
 * @example
 * ```ts
 * const parent = parseTraceparent(c.req.header('traceparent'))
 * if (parent?.sampled) console.log(parent.traceId)
 * ```
 */
export function parseTraceparent(value: string | undefined | null): Traceparent | undefined {
  const checked = checkTraceparent(value)
  return checked.valid ? checked.traceparent : undefined
}

/** What `checkTraceparent` found: the parsed header, or the rule it breaks. */
export type TraceparentCheck = { valid: true; traceparent: Traceparent } | { valid: false; reason: string }

/**
 * Parses a `traceparent` header value like `parseTraceparent`, and when the spec says to
 * ignore it, names the rule it breaks (for the panel's Context section).
 *
 * @example
 * ```ts
 * checkTraceparent('ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')
 * // { valid: false, reason: 'version ff is forbidden' }
 * ```
 */
export function checkTraceparent(value: string | undefined | null): TraceparentCheck {
  if (typeof value !== 'string') return invalid('no traceparent header')
  const header = value.replace(OWS_AROUND, '')
  const version = header.slice(0, 2)
  if (header.includes(',')) return invalid('several traceparent values (a request carries exactly one)')
  if (!HEX2.test(version)) return invalid(`version ${JSON.stringify(version)} is not two lowercase hex digits${upper(version)}`)
  if (version === 'ff') return invalid('version ff is forbidden')
  if (header[2] !== '-') return invalid("no '-' after the version")
  if (version === '00') {
    if (header.length !== 55) return invalid(`a version 00 traceparent has 55 characters, this one has ${header.length}`)
  } else if (header.length < 55 || (header.length > 55 && header[55] !== '-')) {
    // A future version is read by the version-00 fields; what follows them is not ours to read.
    return invalid(`a version ${version} traceparent starts with the 55 characters of version 00, followed by '-' when longer`)
  }
  if (header[35] !== '-' || header[52] !== '-') return invalid("the fields are not separated by '-' at the places of version 00 (wrong field lengths)")
  const traceId = header.slice(3, 35)
  const spanId = header.slice(36, 52)
  const flagsHex = header.slice(53, 55)
  const idProblem = hexProblem('trace-id', traceId) ?? hexProblem('parent-id', spanId)
  if (idProblem) return invalid(idProblem)
  if (!HEX2.test(flagsHex)) return invalid(`trace-flags ${JSON.stringify(flagsHex)} is not two lowercase hex digits${upper(flagsHex)}`)
  const flags = Number.parseInt(flagsHex, 16)
  return {
    valid: true,
    traceparent: {
      version: Number.parseInt(version, 16),
      traceId,
      spanId,
      flags,
      sampled: (flags & SAMPLED_FLAG) !== 0,
      random: (flags & RANDOM_TRACE_ID_FLAG) !== 0,
    },
  }
}

function invalid(reason: string): TraceparentCheck {
  return { valid: false, reason }
}

function upper(hex: string): string {
  return /[A-F]/.test(hex) && /^[0-9a-fA-F]+$/.test(hex) ? ' (uppercase hex is not allowed)' : ''
}

function hexProblem(field: 'trace-id' | 'parent-id', id: string): string | undefined {
  const valid = field === 'trace-id' ? isValidTraceId(id) : isValidSpanId(id)
  if (valid) return undefined
  if (ALL_ZEROS.test(id)) return `${field} is all zeros (an invalid value)`
  const length = field === 'trace-id' ? 32 : 16
  return `${field} ${JSON.stringify(id)} is not ${length} lowercase hex digits${upper(id)}`
}

/**
 * Formats a version-00 `traceparent` value; throws on an invalid id or flags byte.
 *
 * @example
 * ```ts
 * formatTraceparent({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: 0x01 })
 * // '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
 * ```
 */
export function formatTraceparent(parts: { traceId: string; spanId: string; flags: number }): string {
  const { traceId, spanId, flags } = parts
  if (!isValidTraceId(traceId)) {
    throw new Error(`invalid trace id ${JSON.stringify(traceId)} (expected 32 lowercase hex characters, not all zero)`)
  }
  if (!isValidSpanId(spanId)) {
    throw new Error(`invalid span id ${JSON.stringify(spanId)} (expected 16 lowercase hex characters, not all zero)`)
  }
  if (!Number.isInteger(flags) || flags < 0 || flags > 0xff) {
    throw new Error(`invalid trace flags ${String(flags)} (expected an integer from 0 to 255)`)
  }
  return `00-${traceId}-${spanId}-${flags.toString(16).padStart(2, '0')}`
}

/**
 * Parses one or more `tracestate` header values (several headers are joined with ',').
 * Answers `undefined` when there is no header or when the list cannot be parsed (a member
 * the grammar forbids, or more than 32 members): only then is it discarded whole. A key
 * that appears again keeps its first (left-most) member; the later duplicates are dropped
 * ("vendors MAY also discard duplicate keys that were not generated by them").
 *
 * @example
 * ```ts
 * parseTracestate(['rojo=00f067aa0ba902b7', 'congo=t61rcWkgMzE'])
 * // [{ key: 'rojo', value: '00f067aa0ba902b7' }, { key: 'congo', value: 't61rcWkgMzE' }]
 * ```
 */
export function parseTracestate(values: string | string[] | null | undefined): TraceStateEntry[] | undefined {
  if (values == null) return undefined
  if (Array.isArray(values) && values.length === 0) return undefined
  const joined = Array.isArray(values) ? values.join(',') : values
  if (typeof joined !== 'string') return undefined
  const entries: TraceStateEntry[] = []
  const seen = new Set<string>()
  let count = 0
  for (const raw of joined.split(',')) {
    // Empty and whitespace-only members are allowed: they appear when headers are joined.
    const member = raw.replace(OWS_AROUND, '')
    if (member === '') continue
    const eq = member.indexOf('=')
    if (eq < 0) return undefined
    const key = member.slice(0, eq)
    const value = member.slice(eq + 1)
    if (!isValidTraceStateKey(key) || !isValidTraceStateValue(value)) return undefined
    // The list grammar allows 32 members, duplicates included: a 33rd makes it unparseable.
    if (++count > MAX_MEMBERS) return undefined
    if (seen.has(key)) continue
    seen.add(key)
    entries.push({ key, value })
  }
  return entries
}

/**
 * Formats tracestate entries, keeping at most 32 members and at most 512 characters: when
 * too long, entries over 128 characters go first (from the end), then entries from the end.
 * Throws on an entry whose key or value the grammar forbids.
 *
 * @example
 * ```ts
 * formatTracestate([{ key: 'congo', value: 't61rcWkgMzE' }, { key: 'rojo', value: '00f067aa0ba902b7' }])
 * // 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7'
 * ```
 */
export function formatTracestate(entries: readonly TraceStateEntry[]): string {
  const members: string[] = []
  for (const { key, value } of entries) {
    if (!isValidTraceStateKey(key)) throw new Error(`invalid tracestate key ${JSON.stringify(key)}`)
    if (!isValidTraceStateValue(value)) throw new Error(`invalid tracestate value ${JSON.stringify(value)} for key "${key}"`)
    members.push(`${key}=${value}`)
  }
  members.splice(MAX_MEMBERS)
  const length = () => members.reduce((sum, m) => sum + m.length, 0) + Math.max(0, members.length - 1)
  for (let i = members.length - 1; i >= 0 && length() > MAX_TRACESTATE_LENGTH; i--) {
    if (members[i]!.length > LONG_ENTRY_LENGTH) members.splice(i, 1)
  }
  while (length() > MAX_TRACESTATE_LENGTH) members.pop()
  return members.join(',')
}

/**
 * An immutable W3C tracestate list implementing the OpenTelemetry api's `TraceState`.
 * `set` moves the key to the front (the spec's rule for a modified entry); invalid keys or
 * values leave the list unchanged.
 *
 * @example
 * ```ts
 * const state = ToolbarTraceState.parse('rojo=00f067aa0ba902b7').set('congo', 't61rcWkgMzE')
 * state.serialize() // 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7'
 * ```
 */
export class ToolbarTraceState implements TraceState {
  readonly #entries: readonly TraceStateEntry[]

  constructor(entries: readonly TraceStateEntry[] = []) {
    const seen = new Set<string>()
    // As when parsing: the first member of a key wins, so a list is never sent with duplicates.
    this.#entries = entries
      .filter((e) => isValidTraceStateKey(e.key) && isValidTraceStateValue(e.value) && !seen.has(e.key) && seen.add(e.key))
      .slice(0, MAX_MEMBERS)
  }

  /**
   * A TraceState from header values; empty when the header is absent or invalid.
   *
   * @example
   * ```ts
   * ToolbarTraceState.parse(c.req.header('tracestate')).get('rojo') // '00f067aa0ba902b7'
   * ToolbarTraceState.parse('not a list').serialize() // '': an invalid header is dropped whole
   * ```
   */
  static parse(values: string | string[] | null | undefined): ToolbarTraceState {
    return new ToolbarTraceState(parseTracestate(values) ?? [])
  }

  /**
   * The value of `key`, or undefined when the list has none.
   *
   * @example
   * ```ts
   * const state = ToolbarTraceState.parse('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7')
   * state.get('congo') // 't61rcWkgMzE'
   * state.get('acme') // undefined
   * ```
   */
  get(key: string): string | undefined {
    return this.#entries.find((e) => e.key === key)?.value
  }

  /**
   * A new list with `key` set and moved to the front; this one when the key or value is invalid.
   *
   * @example
   * ```ts
   * const state = ToolbarTraceState.parse('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7')
   * state.set('rojo', '00f067aa0ba902b8').serialize() // 'rojo=00f067aa0ba902b8,congo=t61rcWkgMzE'
   * state.set('Bad Key', 'x') === state // true
   * ```
   */
  set(key: string, value: string): ToolbarTraceState {
    if (!isValidTraceStateKey(key) || !isValidTraceStateValue(value)) return this
    const rest = this.#entries.filter((e) => e.key !== key)
    return new ToolbarTraceState([{ key, value }, ...rest])
  }

  /**
   * A new list without `key`.
   *
   * @example
   * ```ts
   * ToolbarTraceState.parse('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7').unset('congo').serialize() // 'rojo=00f067aa0ba902b7'
   * ```
   */
  unset(key: string): ToolbarTraceState {
    return new ToolbarTraceState(this.#entries.filter((e) => e.key !== key))
  }

  /**
   * The `tracestate` header value: at most 32 members and 512 characters.
   *
   * @example
   * ```ts
   * headers.set('tracestate', ToolbarTraceState.parse('rojo=00f067aa0ba902b7').set('congo', 't61rcWkgMzE').serialize())
   * // tracestate: congo=t61rcWkgMzE,rojo=00f067aa0ba902b7
   * ```
   */
  serialize(): string {
    return formatTracestate(this.#entries)
  }

  /**
   * The list members, left-most first.
   *
   * @example
   * ```ts
   * ToolbarTraceState.parse('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7').entries()
   * // [{ key: 'congo', value: 't61rcWkgMzE' }, { key: 'rojo', value: '00f067aa0ba902b7' }]
   * ```
   */
  entries(): TraceStateEntry[] {
    return this.#entries.map((e) => ({ ...e }))
  }
}

/** Header names, for callers that need to read both (e.g. CORS allow-lists). */
export const TRACE_CONTEXT_FIELDS = ['traceparent', 'tracestate'] as const

// The SDK's tracer builds a child span's flags from the sampling decision alone, so the
// random bit of an incoming traceparent would be lost one span later. The trace id whose
// random bit was set travels in the context instead, and injection puts the bit back.
const RANDOM_TRACE_ID_KEY = createContextKey('hono-debug-toolbar.random-trace-id')

/**
 * Marks `traceId` as having a random right-most 7 bytes in `ctx`, so that
 * outgoing traceparents of that trace carry the Level 2 random flag. Extraction sets it
 * for incoming traces; call it yourself for traces your app starts with random ids.
 *
 * @example
 * ```ts
 * const span = tracer.startSpan('GET /')
 * const ctx = withRandomTraceId(trace.setSpan(context.active(), span), span.spanContext().traceId)
 * ```
 */
export function withRandomTraceId(ctx: Context, traceId: string): Context {
  return ctx.setValue(RANDOM_TRACE_ID_KEY, traceId)
}

/**
 * Whether `ctx` says the right-most 7 bytes of `traceId` are random.
 *
 * @example
 * ```ts
 * isRandomTraceId(context.active(), span.spanContext().traceId) // true for an incoming '-03' traceparent
 * ```
 */
export function isRandomTraceId(ctx: Context, traceId: string): boolean {
  return ctx.getValue(RANDOM_TRACE_ID_KEY) === traceId
}

type HeaderCarrier = Headers | Record<string, string | string[] | undefined>

/**
 * Reads `traceparent` and `tracestate` (any header-name case) into a remote SpanContext.
 * The tracestate is only read when the traceparent is valid; two traceparent headers are
 * invalid.
 *
 * @example
 * ```ts
 * const parent = extractTraceContext(c.req.raw.headers)
 * const ctx = parent ? trace.setSpanContext(context.active(), parent) : context.active()
 * ```
 */
export function extractTraceContext(headers: HeaderCarrier): SpanContext | undefined {
  return spanContextFrom(readHeader(headers, 'traceparent'), readHeader(headers, 'tracestate'))
}

/**
 * Extracts the trace context of `headers` into a new context derived from `parent`, with
 * the random flag remembered for outgoing requests. Answers `parent` when there is none.
 *
 * @example
 * ```ts
 * const ctx = contextFromTraceHeaders(c.req.raw.headers)
 * const span = tracer.startSpan('GET /users/:id', { kind: SpanKind.SERVER }, ctx)
 * ```
 */
export function contextFromTraceHeaders(headers: HeaderCarrier, parent: Context = context.active()): Context {
  const spanContext = extractTraceContext(headers)
  return spanContext ? contextWithRemote(parent, spanContext) : parent
}

/**
 * Writes `traceparent` (and `tracestate` when not empty) from `spanContext`, else from the
 * active span; does nothing when there is no valid span context. Only the sampled and
 * random flags are sent: the spec reserves the other bits and says to send them as zero.
 *
 * @example
 * ```ts
 * const headers = new Headers()
 * injectTraceContext(headers)
 * await fetch('http://127.0.0.1:3001/api', { headers })
 * ```
 */
export function injectTraceContext(headers: Headers | Record<string, string>, spanContext?: SpanContext): void {
  const ctx = context.active()
  const values = traceHeaderValues(spanContext ?? trace.getSpanContext(ctx), ctx)
  if (!values) return
  for (const [name, value] of Object.entries(values)) writeHeader(headers, name, value)
}

/**
 * A `TextMapPropagator` built on the functions above, for
 * `propagation.setGlobalPropagator(new ToolbarTraceContextPropagator())`.
 *
 * @example
 * ```ts
 * propagation.setGlobalPropagator(new ToolbarTraceContextPropagator())
 * const ctx = propagation.extract(ROOT_CONTEXT, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03' })
 * ```
 */
export class ToolbarTraceContextPropagator implements TextMapPropagator {
  /**
   * Writes `traceparent` (and `tracestate`, when there is one) of the span active in `ctx` into
   * `carrier`.
   *
   * @example
   * ```ts
   * const headers: Record<string, string> = {}
   * new ToolbarTraceContextPropagator().inject(trace.setSpan(context.active(), span), headers, defaultTextMapSetter)
   * headers.traceparent // '00-4bf92f3577b34da6a3ce929d0e0e4736-<span id>-01'
   * ```
   */
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    if (isTracingSuppressed(ctx)) return
    const values = traceHeaderValues(trace.getSpanContext(ctx), ctx)
    if (!values) return
    for (const [name, value] of Object.entries(values)) setter.set(carrier, name, value)
  }

  /**
   * The context with the caller's span as the remote parent; `ctx` as it is when `traceparent` is
   * missing or invalid.
   *
   * @example
   * ```ts
   * const headers = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'rojo=00f067aa0ba902b7' }
   * const ctx = new ToolbarTraceContextPropagator().extract(ROOT_CONTEXT, headers, defaultTextMapGetter)
   * trace.getSpanContext(ctx)?.traceId // '4bf92f3577b34da6a3ce929d0e0e4736'
   * ```
   */
  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const spanContext = spanContextFrom(getter.get(carrier, 'traceparent'), getter.get(carrier, 'tracestate'))
    return spanContext ? contextWithRemote(ctx, spanContext) : ctx
  }

  /**
   * The headers it reads and writes.
   *
   * @example
   * ```ts
   * new ToolbarTraceContextPropagator().fields() // ['traceparent', 'tracestate']
   * app.use(cors({ allowHeaders: ['content-type', ...propagation.fields()] }))
   * ```
   */
  fields(): string[] {
    return [...TRACE_CONTEXT_FIELDS]
  }
}

function isValidTraceId(id: unknown): id is string {
  return typeof id === 'string' && isNonZeroHex(id, 32)
}

function isValidSpanId(id: unknown): id is string {
  return typeof id === 'string' && isNonZeroHex(id, 16)
}

/**
 * `^[0-9a-f]{length}$`, not all zeros, by character codes: it runs for every recorded
 * response's `Server-Timing` and every incoming `traceparent`. A table, not a test per
 * character: the ids are random, so a branch on "digit or letter" guesses wrong about a
 * third of the time, which cost twice this loop's time (and more than the regular
 * expressions it replaced).
 */
function isNonZeroHex(id: string, length: number): boolean {
  if (id.length !== length) return false
  let valid = 1
  let nonZero = 0
  for (let i = 0; i < length; i++) {
    const code = id.charCodeAt(i)
    valid &= LOWER_HEX[code < 128 ? code : 127]
    nonZero |= code ^ ZERO
  }
  return valid === 1 && nonZero !== 0
}

const ZERO = 48
/** 1 at the codes of `0-9a-f`. */
const LOWER_HEX = new Uint8Array(128)
for (const char of '0123456789abcdef') LOWER_HEX[char.charCodeAt(0)] = 1

function isValidTraceStateKey(key: unknown): key is string {
  return typeof key === 'string' && KEY.test(key)
}

function isValidTraceStateValue(value: unknown): value is string {
  return typeof value === 'string' && VALUE.test(value)
}

function spanContextFrom(
  traceparent: string | string[] | undefined,
  tracestate: string | string[] | undefined,
): SpanContext | undefined {
  if (Array.isArray(traceparent) && traceparent.length !== 1) return undefined
  const parent = parseTraceparent(Array.isArray(traceparent) ? traceparent[0] : traceparent)
  if (!parent) return undefined
  const entries = parseTracestate(tracestate)
  const spanContext: SpanContext = {
    traceId: parent.traceId,
    spanId: parent.spanId,
    traceFlags: parent.flags,
    isRemote: true,
  }
  if (entries && entries.length > 0) spanContext.traceState = new ToolbarTraceState(entries)
  return spanContext
}

function contextWithRemote(ctx: Context, spanContext: SpanContext): Context {
  const withSpan = trace.setSpanContext(ctx, spanContext)
  return spanContext.traceFlags & RANDOM_TRACE_ID_FLAG ? withRandomTraceId(withSpan, spanContext.traceId) : withSpan
}

/**
 * The `traceparent` that `spanContext` is sent on with, in `ctx`: its sampled flag, and the
 * random-trace-id flag when the trace id is known to be random (W3C Trace Context Level 2).
 * Outgoing requests and `Server-Timing` say the same. Undefined for an invalid context.
 *
 * @example
 * ```ts
 * traceparentFor(trace.getSpanContext(context.active())!, context.active()) // '00-…-…-03'
 * ```
 */
export function traceparentFor(spanContext: SpanContext, ctx: Context): string | undefined {
  if (!isValidTraceId(spanContext.traceId) || !isValidSpanId(spanContext.spanId)) return undefined
  let flags = spanContext.traceFlags & KNOWN_FLAGS
  if (isRandomTraceId(ctx, spanContext.traceId)) flags |= RANDOM_TRACE_ID_FLAG
  // The ids were checked just above and the flags are a byte: formatTraceparent's checks again would be spent twice.
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags < 0x10 ? '0' : ''}${flags.toString(16)}`
}

function traceHeaderValues(
  spanContext: SpanContext | undefined,
  ctx: Context,
): { traceparent: string; tracestate?: string } | undefined {
  const traceparent = spanContext && traceparentFor(spanContext, ctx)
  if (!traceparent) return undefined
  // Another propagator's TraceState may not follow the same limits: re-read it by ours.
  const entries = spanContext.traceState ? parseTracestate(spanContext.traceState.serialize()) : undefined
  const tracestate = entries ? formatTracestate(entries) : ''
  return tracestate ? { traceparent, tracestate } : { traceparent }
}

function readHeader(headers: HeaderCarrier, name: string): string | string[] | undefined {
  if (typeof (headers as Headers).get === 'function' && typeof (headers as Headers).forEach === 'function') {
    return (headers as Headers).get(name) ?? undefined
  }
  const values: string[] = []
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() !== name || value === undefined) continue
    values.push(...(Array.isArray(value) ? value : [value]))
  }
  if (values.length === 0) return undefined
  return values.length === 1 ? values[0] : values
}

function writeHeader(headers: Headers | Record<string, string>, name: string, value: string): void {
  if (typeof (headers as Headers).set === 'function' && typeof (headers as Headers).forEach === 'function') {
    ;(headers as Headers).set(name, value)
    return
  }
  const record = headers as Record<string, string>
  // A differently cased copy would send the header twice, which receivers must reject.
  for (const key of Object.keys(record)) if (key.toLowerCase() === name && key !== name) delete record[key]
  record[name] = value
}

/** What `checkTracestate` found: the list members, or why the header was discarded. */
export type TracestateCheck = { valid: true; entries: TraceStateEntry[] } | { valid: false; reason: string }

/**
 * Parses `tracestate` like `parseTracestate`, and when the list is discarded names the
 * first member (or the list rule) that made it so, for the panel's Context section. The
 * members are judged by `parseTracestate` itself, one at a time, so the reasons follow
 * its grammar exactly.
 *
 * @example
 * ```ts
 * checkTracestate('rojo=1,Congo=2') // { valid: false, reason: 'member 2 "Congo=2": invalid key "Congo"' }
 * ```
 */
export function checkTracestate(values: string | string[] | null | undefined): TracestateCheck {
  const entries = parseTracestate(values)
  if (entries) return { valid: true, entries }
  const joined = Array.isArray(values) ? values.join(',') : values
  if (joined == null || joined === '') return { valid: false, reason: 'no tracestate header' }
  const members = joined.split(',').map((m) => m.replace(OWS_AROUND, '')).filter((m) => m !== '')
  for (const [i, member] of members.entries()) {
    const where = `member ${i + 1} ${JSON.stringify(member.length > 80 ? `${member.slice(0, 80)}…` : member)}`
    const eq = member.indexOf('=')
    if (eq < 0) return { valid: false, reason: `${where} has no '='` }
    const key = member.slice(0, eq)
    const value = member.slice(eq + 1)
    if (!parseTracestate(`${key}=v`)) return { valid: false, reason: `${where}: invalid key ${JSON.stringify(key)}` }
    if (!parseTracestate(`k=${value}`)) return { valid: false, reason: `${where}: invalid value` }
  }
  if (members.length > MAX_MEMBERS) return { valid: false, reason: `${members.length} list members, more than ${MAX_MEMBERS}` }
  const keys = members.map((m) => m.slice(0, m.indexOf('=')))
  const duplicate = keys.find((key, i) => keys.indexOf(key) !== i)
  if (duplicate) return { valid: false, reason: `key ${JSON.stringify(duplicate)} appears more than once` }
  return { valid: false, reason: 'the list could not be parsed' }
}
