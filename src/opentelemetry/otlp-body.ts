/**
 * Reading an OTLP/HTTP request body within a bound. The bound counts the bytes after
 * decompression: a gzip body is inflated as a stream that stops as soon as it passes the
 * bound, so a gzip bomb (kilobytes that inflate to gigabytes) is refused after inflating
 * at most `maxBytes`, never whole.
 *
 * One body is bounded; so are all of them together. Bodies read at the same time share a
 * `BodyBudget` (the receivers of one panel share one): a body that would take it past its
 * bytes is refused with 503 and `Retry-After`, which the OTLP exporters retry. Without it,
 * a thousand senders of 4 MiB each would hold 4 GB. And a body must arrive within the time
 * an exporter waits for its answer (10 s, the SDKs' default export timeout): a sender that
 * trickles bytes would otherwise hold its share of the budget for as long as it likes.
 */
import { gunzip } from 'node:zlib'
import { promisify } from 'node:util'
import type { ToolbarHost } from '../core/host.js'

const gunzipAsync = promisify(gunzip)

/** Past the bound, the rest of an upload is read and thrown away up to this much, so the client gets its answer. */
const DRAIN_LIMIT = 64 * 1024 * 1024

/**
 * How long a body may take to arrive: OTEL_EXPORTER_OTLP_TIMEOUT's default. An SDK exporter
 * has given up on its export by then; only a stalled or trickling sender is still sending.
 */
export const BODY_TIMEOUT_MS = 10_000

/** Deflate inflates at most about 1032 to 1 (RFC 1951's longest match in one bit). */
const GZIP_MAX_RATIO = 1032

/**
 * Bytes held by the bodies being read at one time, over every receiver that shares it.
 *
 * @example
 * ```ts
 * const budget = new BodyBudget(16 * 1024 * 1024)
 * const bytes = await readOtlpBody(c.req.raw, 4 * 1024 * 1024, { budget }) // 503 when the others hold too much
 * ```
 */
export class BodyBudget {
  /** Bytes held now. */
  held = 0

  constructor(readonly maxBytes: number) {}

  /**
   * Takes `bytes` from the budget; false (and nothing taken) when it has not that many left,
   * or when calls wait their turn (`takeInTurn`) and this body is not `underway`: a new body
   * does not go ahead of them, or a steady flow of OTLP/HTTP exports would keep a waiting
   * gRPC call out until it gave up. A body being read already takes its next bytes.
   */
  take(bytes: number, underway = false): boolean {
    if (!underway && this.waiting.length > 0) return false
    return this.reserve(bytes)
  }

  private reserve(bytes: number): boolean {
    if (this.held + bytes > this.maxBytes) return false
    this.held += bytes
    return true
  }

  private readonly waiting: Array<{ bytes: number; taken: () => void }> = []

  /** Gives back `bytes` taken before; those waiting for room get it, in turn. */
  give(bytes: number): void {
    this.held -= bytes
    while (this.waiting.length > 0 && this.reserve(this.waiting[0]!.bytes)) this.waiting.shift()!.taken()
  }

  /**
   * Takes `bytes` now or, once others give back enough, in the order asked; `taken` is
   * called when they are. Returns a function that stops waiting (nothing once taken), or
   * undefined, with nothing taken, when `maxWaiting` others are waiting already.
   *
   * @example
   * ```ts
   * const stop = budget.takeInTurn(8 << 20, () => startReading(), 256)
   * if (!stop) refuse() // else, on giving up: stop()
   * ```
   */
  takeInTurn(bytes: number, taken: () => void, maxWaiting: number): (() => void) | undefined {
    if (this.waiting.length === 0 && this.reserve(bytes)) {
      taken()
      return () => undefined
    }
    if (this.waiting.length >= maxWaiting) return undefined
    const waiter = { bytes, taken }
    this.waiting.push(waiter)
    return () => {
      const index = this.waiting.indexOf(waiter)
      if (index >= 0) this.waiting.splice(index, 1)
    }
  }

  /** What a sender is told when there is no room for its body: it may retry. */
  get busyMessage(): string {
    return `the receiver is busy reading other exports (${this.maxBytes} bytes at most at once): retry later`
  }
}

/** How a body is read besides its own bound. */
export interface BodyReadOptions {
  /** Shared with the other receivers' reads; none: this body is bounded alone. */
  budget?: BodyBudget
  /** Default `BODY_TIMEOUT_MS`. */
  timeoutMs?: number
}

/** The statuses of a refused body. */
export type OtlpBodyStatus = 400 | 408 | 413 | 415 | 503

/**
 * A body the receiver refuses: 400 (bad gzip), 408 (too slow), 413 (too large), 415 (an
 * unsupported encoding) or 503 (the receivers hold too many bodies now: `retryAfterSeconds`).
 * Every route that reads a body answers with `headers`.
 *
 * @example
 * ```ts
 * try { await readOtlpBody(req, 4 << 20) } catch (e) { if (e instanceof OtlpBodyError) return c.json({ error: e.message }, e.status, e.headers) }
 * ```
 */
export class OtlpBodyError extends Error {
  override name = 'OtlpBodyError'
  constructor(
    message: string,
    readonly status: OtlpBodyStatus,
    readonly retryAfterSeconds?: number,
  ) {
    super(message)
  }

  /**
   * The headers of the answer: `Retry-After`, which the OTLP exporters retry on; for a body cut
   * short (408), `Connection: close`, since the rest of it leaves the connection unusable.
   */
  get headers(): Record<string, string> {
    if (this.retryAfterSeconds) return { 'retry-after': String(this.retryAfterSeconds) }
    return this.status === 408 ? { connection: 'close' } : {}
  }
}

/**
 * The request's body, inflated when `Content-Encoding: gzip`, at most `maxBytes` after
 * inflation. With a `budget`, the bytes it holds while reading and inflating are taken from
 * it and given back when it returns (the caller decodes them at once, synchronously).
 *
 * @throws OtlpBodyError for a body over the bound, broken gzip, another content encoding,
 * a body slower than `timeoutMs`, or a budget without room for it.
 * @example
 * ```ts
 * const bytes = await readOtlpBody(c.req.raw, 4 * 1024 * 1024)
 * ```
 */
export async function readOtlpBody(request: Request, maxBytes: number, options: BodyReadOptions = {}): Promise<Uint8Array> {
  const header = (request.headers.get('content-encoding') ?? '').trim().toLowerCase()
  // HTTP asks a recipient to read "x-gzip" as "gzip" (RFC 9110, 8.4.1.3).
  const encoding = header === 'x-gzip' ? 'gzip' : header
  if (encoding !== '' && encoding !== 'identity' && encoding !== 'gzip') {
    throw new OtlpBodyError(`Content-Encoding "${encoding.slice(0, 40)}" is not supported: send gzip or no encoding`, 415)
  }
  const declared = Number(request.headers.get('content-length') ?? NaN)
  if (declared > maxBytes) throw tooLarge(maxBytes)
  const held = new HeldBytes(options.budget)
  try {
    const raw = await readBounded(request.body, maxBytes, held, options.timeoutMs ?? BODY_TIMEOUT_MS)
    if (encoding !== 'gzip') return raw
    // What inflating may hold before it stops at the bound.
    held.take(Math.min(maxBytes, raw.byteLength * GZIP_MAX_RATIO))
    try {
      return new Uint8Array(await gunzipAsync(raw, { maxOutputLength: maxBytes }))
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes, ' once decompressed')
      throw new OtlpBodyError(`the body is not valid gzip: ${(error as Error).message}`, 400)
    }
  } finally {
    held.release()
  }
}

/** What one read took from a budget, given back at once when it ends. */
class HeldBytes {
  private bytes = 0

  constructor(private readonly budget: BodyBudget | undefined) {}

  take(bytes: number): void {
    if (!this.budget || bytes === 0) return
    if (!this.budget.take(bytes, this.bytes > 0)) {
      throw new OtlpBodyError(this.budget.busyMessage, 503, 1)
    }
    this.bytes += bytes
  }

  release(): void {
    this.budget?.give(this.bytes)
    this.bytes = 0
  }
}

async function readBounded(body: ReadableStream<Uint8Array> | null, maxBytes: number, held: HeldBytes, timeoutMs: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0)
  const reader = body.getReader()
  let timedOut = false
  // Cancelling ends the pending read (done), whether the body was being kept or drained.
  const timer = setTimeout(() => {
    timedOut = true
    reader.cancel().catch(() => undefined)
  }, timeoutMs)
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (timedOut) throw tooSlow(timeoutMs)
      if (done) break
      total += value.byteLength
      if (total > maxBytes) {
        await drain(reader, total)
        throw timedOut ? tooSlow(timeoutMs) : tooLarge(maxBytes)
      }
      try {
        held.take(value.byteLength)
      } catch (error) {
        // Read the rest without keeping it, so that the sender gets the 503 rather than a reset.
        await drain(reader, total)
        throw error
      }
      chunks.push(value)
    }
  } finally {
    clearTimeout(timer)
  }
  return new Uint8Array(Buffer.concat(chunks, total))
}

// Reads the rest of an oversized upload without keeping it, so that the client, still
// sending, gets the 413 instead of a reset connection; an endless upload is cut off.
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, seen: number): Promise<void> {
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      seen += value.byteLength
      if (seen > DRAIN_LIMIT) {
        await reader.cancel()
        return
      }
    }
  } catch {
    // The client went away: nothing left to answer.
  }
}

function tooSlow(timeoutMs: number): OtlpBodyError {
  return new OtlpBodyError(`the body did not arrive within ${timeoutMs / 1000} s`, 408)
}

function tooLarge(maxBytes: number, when = ''): OtlpBodyError {
  return new OtlpBodyError(`the body is larger than the receiver's limit of ${maxBytes} bytes${when}`, 413)
}

/**
 * The 415 message for a request's Content-Type (`type`, as sent), followed by what to send
 * instead: a request without one is told that it has none, not that "" is unsupported.
 *
 * @example
 * ```ts
 * contentTypeRefusal('text/xml', 'send application/json') // 'Content-Type "text/xml" is not supported: send application/json'
 * contentTypeRefusal('', 'send application/json') // 'the request has no Content-Type: send application/json'
 * ```
 */
export function contentTypeRefusal(type: string, advice: string): string {
  const sent = type.trim()
  return sent === '' ? `the request has no Content-Type: ${advice}` : `Content-Type ${JSON.stringify(sent.slice(0, 80))} is not supported: ${advice}`
}

/**
 * Answers every other method on the POST-only route `path` with 405 and `Allow: POST` (a
 * GET opened in a browser, a PUT from a misconfigured sender), not the toolbar's 404 nor
 * whatever a GET route of the same shape would say. Register it after the POST route and
 * before GET routes the path also matches.
 *
 * @example
 * ```ts
 * host.routes.post('/otlp/v1/traces', receive)
 * onlyPost(host, '/otlp/v1/traces', 'send OTLP spans')
 * ```
 */
export function onlyPost(host: ToolbarHost, path: string, what: string): void {
  host.routes.all(path, (c) => c.json({ error: `${c.req.method} is not allowed here: ${what} with POST` }, 405, { Allow: 'POST' }))
}

/**
 * Answers a POST to each of `paths`, near misses of a receiver's URL where a misconfigured
 * sender lands, with 404 and `message` (where to send instead) rather than the toolbar's
 * bare "no toolbar route".
 *
 * @example
 * ```ts
 * pointToReceiver(host, ['/otlp', '/v1/traces'], `send OTLP/HTTP spans to ${host.prefix}/otlp/v1/traces`)
 * ```
 */
export function pointToReceiver(host: ToolbarHost, paths: readonly string[], message: string): void {
  for (const path of paths) host.routes.post(path, (c) => c.json({ error: `nothing receives spans at ${c.req.path}: ${message}` }, 404))
}
