import type { BodyObserver } from './body.js'
import type { NodeOutgoing, OutgoingWatch } from './node-response.js'
import type { RequestRecord } from './record.js'
import { REQUEST_ID_HEADER } from './request-id.js'
import type { Toolbar } from './toolbar.js'

/**
 * What the toolbar follows of one Node response: the body's bytes (unless they are known
 * already), the `Server-Timing` to send, and the end.
 *
 * @example
 * ```ts
 * watchOutgoing(outgoing, new RecordWatch(record, toolbar)) // the record finishes when the last byte went out
 * ```
 */
export class RecordWatch implements OutgoingWatch {
  countsWrites = true
  readonly headers: Record<string, string>
  private chunks = 0
  private sent: Record<string, unknown> | undefined

  constructor(
    private readonly record: RequestRecord,
    private readonly toolbar: Toolbar,
  ) {
    this.headers = { [REQUEST_ID_HEADER]: record.id }
  }

  headWritten(headers: Record<string, unknown> | undefined): void {
    this.sent = headers
  }

  onChunk(bytes: number): void {
    this.record.responseBytes += bytes
    if (++this.chunks === 2) this.record.streamed = true
  }

  serverTiming(): string {
    return this.toolbar.serverTimingOf(this.record)
  }

  onEnd(outcome: 'done' | 'cancelled' | 'error', outgoing?: NodeOutgoing, error?: Error): void {
    const record = this.record
    // The headers as sent: the app's with the toolbar's (or, when Node held some, all it holds).
    if (this.sent) record.responseHeaderSource = this.sent
    else if (outgoing) record.responseHeaderSource = outgoing.getHeaders()
    // The status sent: a middleware registered before the toolbar may have thrown (Hono's
    // onError answered) or answered another response after the toolbar saw the app's.
    if (outgoing?.headersSent) record.status = outgoing.statusCode
    record.aborted = outcome !== 'done'
    // The status went out before the body failed: the error is what tells of the failure.
    if (outcome === 'error') record.error ??= error
    this.toolbar.finishRecord(record)
  }
}

/**
 * Counts a re-wrapped body's bytes into the record. The end is not the stream's: node-server
 * has read the last chunk before Node sends it, and the response's 'close' (which the watch
 * also gets) tells when it went out, so the record is finished once, then.
 *
 * @example
 * ```ts
 * new Response(observeBody(res.body, new ChunkCounter(watch), toolbar.snippet(c, record)), res)
 * ```
 */
export class ChunkCounter implements BodyObserver {
  constructor(private readonly watch: RecordWatch) {}

  onChunk(bytes: number): void {
    this.watch.onChunk(bytes)
  }

  onEnd(): void {}
}
