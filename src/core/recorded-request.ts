import type { RequestRecord } from './record.js'
import type { DeferredRequest, StoredRequest } from './store.js'
import type { Toolbar } from './toolbar.js'

/**
 * A finished request as the in-memory store keeps it: the summary is read from the record
 * when listed, and the stats are computed on the first `resolve()`.
 *
 * @example
 * ```ts
 * await store.save(new RecordedRequest(record, toolbar)) // a store that defers stats; (await stored.resolve()).panels when opened
 * ```
 */
export class RecordedRequest implements DeferredRequest {
  private resolved: Promise<StoredRequest> | undefined
  /** `record.lateWrites` when `resolved` was taken. */
  private resolvedAt = 0

  constructor(
    private readonly record: RequestRecord,
    private readonly toolbar: Toolbar,
  ) {}

  get id() {
    return this.record.id
  }
  get method() {
    return this.record.method
  }
  get path() {
    return this.record.path
  }
  get route() {
    return this.record.route
  }
  get status() {
    return this.record.status
  }
  get startedAt() {
    return this.record.startedAtIso
  }
  get startedMs() {
    return this.record.startedAt
  }
  get durationMs() {
    return this.record.durationMs
  }
  get traceId() {
    return this.record.traceId
  }

  resolve(): Promise<StoredRequest> {
    // Taken again when work the request left running recorded more since (a memory store
    // answers from here; a durable store wrote the first one).
    const late = this.record.lateWrites
    if (!this.resolved || this.resolvedAt !== late) {
      this.resolvedAt = late
      this.resolved = this.toolbar.snapshot(this.record).then(({ inFlight: _inFlight, ...stored }) => stored)
    }
    return this.resolved
  }
}

/**
 * The summary of a request the history lists, read from its record.
 *
 * @example
 * ```ts
 * summaryOf(record) // { id: 'a1b2…', method: 'GET', path: '/users/1', route: '/users/:id', status: 200, startedAt: '2026-…', durationMs: 12.3, traceId: undefined }
 * ```
 */
export function summaryOf(record: RequestRecord) {
  return {
    id: record.id,
    method: record.method,
    path: record.path,
    route: record.route,
    status: record.status,
    startedAt: record.startedAtIso,
    durationMs: record.durationMs,
    traceId: record.traceId,
  }
}
