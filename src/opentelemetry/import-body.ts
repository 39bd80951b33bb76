/**
 * Reads the body of `POST {prefix}/api/traces/import`: an OTLP/JSON file, plain or gzip,
 * bounded before and after decompression. Errors are what a user can fix, with the status
 * an OTLP receiver gives: 415 for another content type or encoding, 413 over the limit, 400
 * for a body that is not JSON.
 */
import type { Context } from 'hono'

/** Largest import accepted, in bytes, compressed and decompressed: a 100,000-span trace fits. */
export const IMPORT_MAX_BYTES = 64 * 1024 * 1024

export class ImportBodyError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413 | 415,
  ) {
    super(message)
  }
}

/**
 * The parsed JSON of an import request (the body is already bounded by `bodyLimit`).
 *
 * @throws ImportBodyError with the status to answer.
 * @example
 * ```ts
 * const otlp = await readImportJson(c, IMPORT_MAX_BYTES)
 * ```
 */
export async function readImportJson(c: Context, maxBytes: number): Promise<unknown> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json') {
    throw new ImportBodyError(`an import is an OTLP/JSON file sent as application/json, not "${type || 'no content type'}"`, 415)
  }
  const encoding = (c.req.header('content-encoding') ?? 'identity').trim().toLowerCase()
  if (encoding !== 'identity' && encoding !== 'gzip') throw new ImportBodyError(`content-encoding "${encoding}" is not supported (gzip or none)`, 415)
  const body = c.req.raw.body
  if (!body) throw new ImportBodyError('the request has no body: send an OTLP/JSON ExportTraceServiceRequest', 400)
  const stream: ReadableStream<Uint8Array> = encoding === 'gzip' ? body.pipeThrough(new DecompressionStream('gzip')) : body
  const text = await readText(stream, maxBytes)
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new ImportBodyError(`the body is not JSON: ${(error as Error).message}`, 400)
  }
}

async function readText(stream: ReadableStream<Uint8Array>, maxBytes: number): Promise<string> {
  const decoder = new TextDecoder()
  const reader = stream.getReader()
  const parts: string[] = []
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > maxBytes) throw new ImportBodyError(`the decompressed body is larger than ${maxBytes} bytes`, 413)
      parts.push(decoder.decode(value, { stream: true }))
    }
  } catch (error) {
    if (error instanceof ImportBodyError) throw error
    throw new ImportBodyError(`the body could not be read: ${(error as Error).message}`, 400)
  } finally {
    reader.releaseLock()
  }
  parts.push(decoder.decode())
  return parts.join('')
}
