/**
 * Reading an OTLP/HTTP request body within a bound. The bound counts the bytes after
 * decompression: a gzip body is inflated as a stream that stops as soon as it passes the
 * bound, so a gzip bomb (kilobytes that inflate to gigabytes) is refused after inflating
 * at most `maxBytes`, never whole.
 */
import { gunzip } from 'node:zlib'
import { promisify } from 'node:util'
import type { ToolbarHost } from '../core/host.js'

const gunzipAsync = promisify(gunzip)

/** Past the bound, the rest of an upload is read and thrown away up to this much, so the client gets its answer. */
const DRAIN_LIMIT = 64 * 1024 * 1024

/**
 * A body the receiver refuses: 400 (bad gzip), 413 (too large) or 415 (an unsupported encoding).
 *
 * @example
 * ```ts
 * try { await readOtlpBody(req, 4 << 20) } catch (e) { if (e instanceof OtlpBodyError) return answer(e.status, e.message) }
 * ```
 */
export class OtlpBodyError extends Error {
  override name = 'OtlpBodyError'
  constructor(
    message: string,
    readonly status: 400 | 413 | 415,
  ) {
    super(message)
  }
}

/**
 * The request's body, inflated when `Content-Encoding: gzip`, at most `maxBytes` after
 * inflation.
 *
 * @throws OtlpBodyError for a body over the bound, broken gzip or another content encoding.
 * @example
 * ```ts
 * const bytes = await readOtlpBody(c.req.raw, 4 * 1024 * 1024)
 * ```
 */
export async function readOtlpBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  const header = (request.headers.get('content-encoding') ?? '').trim().toLowerCase()
  // HTTP asks a recipient to read "x-gzip" as "gzip" (RFC 9110, 8.4.1.3).
  const encoding = header === 'x-gzip' ? 'gzip' : header
  if (encoding !== '' && encoding !== 'identity' && encoding !== 'gzip') {
    throw new OtlpBodyError(`Content-Encoding "${encoding.slice(0, 40)}" is not supported: send gzip or no encoding`, 415)
  }
  const declared = Number(request.headers.get('content-length') ?? NaN)
  if (declared > maxBytes) throw tooLarge(maxBytes)
  const raw = await readBounded(request.body, maxBytes)
  if (encoding !== 'gzip') return raw
  try {
    return new Uint8Array(await gunzipAsync(raw, { maxOutputLength: maxBytes }))
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes, ' once decompressed')
    throw new OtlpBodyError(`the body is not valid gzip: ${(error as Error).message}`, 400)
  }
}

async function readBounded(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0)
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await drain(reader, total)
      throw tooLarge(maxBytes)
    }
    chunks.push(value)
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

function tooLarge(maxBytes: number, when = ''): OtlpBodyError {
  return new OtlpBodyError(`the body is larger than the receiver's limit of ${maxBytes} bytes${when}`, 413)
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
