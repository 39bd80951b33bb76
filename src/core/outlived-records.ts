/**
 * The records of requests still running when the history's ring let go of them (more than
 * `maxRequests` newer requests started since): a request whose handler hangs is the one a
 * developer debugging a hang looks for, and it must not vanish from `Toolbar.inFlight()` and
 * `Toolbar.detail()` while it runs. Filled only when the ring lets go of a record whose
 * request has not finished (one field read then), emptied by each request's own end; nothing
 * else is done per request. Bounded: past `MAX_OUTLIVED` the oldest is let go of, and counted.
 */
import type { RequestRecord } from './record.js'

/** How many running requests are held past the history at most (long-lived streams, hung handlers). */
export const MAX_OUTLIVED = 100

/**
 * Running requests the history's ring let go of, oldest first, at most `MAX_OUTLIVED`.
 *
 * @example
 * ```ts
 * const outlived = new OutlivedRecords()
 * if (leaving.durationMs === undefined) outlived.keep(leaving) // the ring let go of a running request
 * outlived.end(record) // the request finished
 * outlived.dropped // running requests let go of over the bound
 * ```
 */
export class OutlivedRecords {
  private readonly records = new Set<RequestRecord>()
  /** Running requests let go of because `MAX_OUTLIVED` were held already. */
  dropped = 0

  /**
   * Holds `record`, a running request the ring let go of; the oldest held goes when full.
   *
   * @example
   * ```ts
   * outlived.keep(record)
   * outlived.find(record.id) === record // true
   * ```
   */
  keep(record: RequestRecord): void {
    if (this.records.size >= MAX_OUTLIVED) {
      const oldest = this.records.values().next().value!
      this.records.delete(oldest)
      this.dropped++
    }
    this.records.add(record)
  }

  /**
   * Lets go of `record` as its request finishes (nothing when it is not held).
   *
   * @example
   * ```ts
   * outlived.end(record) // from the toolbar's finish of any request
   * ```
   */
  end(record: RequestRecord): void {
    if (this.records.size !== 0) this.records.delete(record)
  }

  /**
   * The record held with this id, if any.
   *
   * @example
   * ```ts
   * outlived.find('a1b2c3d400000007')?.path // '/hang/7'
   * ```
   */
  find(id: string): RequestRecord | undefined {
    for (const record of this.records) if (record.id === id) return record
    return undefined
  }

  /**
   * Every record held, oldest first.
   *
   * @example
   * ```ts
   * [...outlived.all()].map((r) => r.path) // ['/hang/7']
   * ```
   */
  all(): Iterable<RequestRecord> {
    return this.records
  }
}
