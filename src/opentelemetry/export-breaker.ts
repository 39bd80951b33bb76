/**
 * A circuit breaker for one span exporter. The SDK's exporters retry each batch on their
 * own, so with a collector that is down for minutes the toolbar would keep opening
 * connections for every batch. After `failureThreshold` failed exports in a row the breaker
 * opens: batches are dropped (and counted) for a backoff period that doubles with each
 * failed probe, up to `maxBackoffMs`; then the next batch is sent as a probe, and its
 * outcome closes the breaker or opens it again. See specs/export.md.
 */

export type BreakerState = 'closed' | 'open' | 'probing'

export interface ExportBreakerOptions {
  /** Failed exports in a row that open the breaker (default 5). */
  failureThreshold?: number
  /** The first pause once the breaker opens (ms, default 5,000); doubles after each failed probe. */
  backoffMs?: number
  /** The longest pause (ms, default 60,000). */
  maxBackoffMs?: number
}

/** The breaker as the panel shows it: JSON-serialisable. */
export interface BreakerStatus {
  /** `closed`: batches are sent; `open`: dropped until `openUntil`; `probing`: one batch is testing the collector. */
  state: BreakerState
  /** Failed exports since the last success. */
  consecutiveFailures: number
  /** Epoch milliseconds until which batches are dropped (state `open`). */
  openUntil?: number
  /** Epoch milliseconds from which the next batch is sent as a probe (state `open`). */
  nextAttemptAt?: number
  /** The pause the breaker is in, or would take if it opened now (ms). */
  backoffMs: number
  /** Times the breaker opened since the app started. */
  opened: number
  /** Spans not sent because the breaker was open or probing. */
  droppedSpans: number
  droppedBatches: number
}

/** What to do with a batch. */
export type BreakerDecision = 'send' | 'probe' | 'drop'

const DEFAULTS: Required<ExportBreakerOptions> = { failureThreshold: 5, backoffMs: 5_000, maxBackoffMs: 60_000 }

/**
 * The breaker of one exporter: ask `admit()` before sending a batch, tell `record()` how it went.
 *
 * @example
 * ```ts
 * const breaker = new ExportBreaker({ failureThreshold: 5, backoffMs: 5000, maxBackoffMs: 60000 })
 * if (breaker.admit(spans.length) !== 'drop') exporter.export(spans, (r) => breaker.record(r.code === 0))
 * breaker.status() // { state: 'closed', consecutiveFailures: 0, ... }
 * ```
 */
export class ExportBreaker {
  private readonly options: Required<ExportBreakerOptions>
  private state: BreakerState = 'closed'
  private failures = 0
  /** How many times in a row the breaker opened without a success in between. */
  private level = 0
  private opened = 0
  private openUntil = 0
  private droppedSpans = 0
  private droppedBatches = 0

  constructor(options: ExportBreakerOptions = {}, private readonly now: () => number = Date.now) {
    this.options = resolveBreakerOptions(options)
  }

  /**
   * Whether a batch of `spanCount` spans goes out now; a dropped batch is counted.
   *
   * @example
   * ```ts
   * const decision = breaker.admit(spans.length) // 'send', 'probe' (the first batch after the pause) or 'drop'
   * if (decision !== 'drop') exporter.export(spans, (result) => breaker.record(result.code === ExportResultCode.SUCCESS))
   * ```
   */
  admit(spanCount: number): BreakerDecision {
    if (this.state === 'closed') return 'send'
    if (this.state === 'open' && this.now() >= this.openUntil) {
      this.state = 'probing'
      return 'probe'
    }
    // Open, or a probe is already testing the collector: one connection at a time.
    this.droppedSpans += spanCount
    this.droppedBatches++
    return 'drop'
  }

  /**
   * The outcome of a batch that was sent.
   *
   * @example
   * ```ts
   * breaker.record(false) // the fifth failure in a row (failureThreshold 5): the breaker opens
   * breaker.admit(12) // 'drop' for backoffMs, then 'probe'
   * breaker.record(true) // the probe went through: closed again
   * ```
   */
  record(ok: boolean): void {
    if (ok) {
      this.state = 'closed'
      this.failures = 0
      this.level = 0
      return
    }
    this.failures++
    // A batch sent before the breaker opened may fail late: it does not extend the pause.
    if (this.state === 'open') return
    if (this.state === 'probing' || this.failures >= this.options.failureThreshold) this.open()
  }

  /**
   * The breaker as the panel shows it: its state, the failures in a row and what it dropped.
   *
   * @example
   * ```ts
   * breaker.status()
   * // { state: 'open', consecutiveFailures: 5, openUntil: 1735732805000, nextAttemptAt: 1735732805000,
   * //   backoffMs: 5000, opened: 1, droppedSpans: 40, droppedBatches: 2 }
   * ```
   */
  status(): BreakerStatus {
    const status: BreakerStatus = {
      state: this.state,
      consecutiveFailures: this.failures,
      backoffMs: this.backoff(Math.max(this.level, 1)),
      opened: this.opened,
      droppedSpans: this.droppedSpans,
      droppedBatches: this.droppedBatches,
    }
    if (this.state === 'open') {
      status.openUntil = this.openUntil
      status.nextAttemptAt = this.openUntil
    }
    return status
  }

  private open(): void {
    this.level++
    this.opened++
    this.state = 'open'
    this.openUntil = this.now() + this.backoff(this.level)
  }

  /** backoffMs, doubled for each opening after the first, capped at maxBackoffMs. */
  private backoff(level: number): number {
    const { backoffMs, maxBackoffMs } = this.options
    return Math.min(maxBackoffMs, backoffMs * 2 ** Math.min(level - 1, 30))
  }
}

/**
 * The breaker options with their defaults; throws a TypeError naming a bad option, so that
 * a wrong `exportBreaker` fails when the panel is created.
 *
 * @example
 * ```ts
 * resolveBreakerOptions({ failureThreshold: 3 }) // { failureThreshold: 3, backoffMs: 5000, maxBackoffMs: 60000 }
 * ```
 */
export function resolveBreakerOptions(options: ExportBreakerOptions = {}): Required<ExportBreakerOptions> {
  const resolved = {
    failureThreshold: options.failureThreshold ?? DEFAULTS.failureThreshold,
    backoffMs: options.backoffMs ?? DEFAULTS.backoffMs,
    maxBackoffMs: options.maxBackoffMs ?? Math.max(DEFAULTS.maxBackoffMs, options.backoffMs ?? 0),
  }
  checkPositiveInteger('failureThreshold', resolved.failureThreshold)
  checkPositiveInteger('backoffMs', resolved.backoffMs)
  checkPositiveInteger('maxBackoffMs', resolved.maxBackoffMs)
  if (resolved.maxBackoffMs < resolved.backoffMs) {
    throw new TypeError(`exportBreaker.maxBackoffMs (${resolved.maxBackoffMs}) must not be smaller than backoffMs (${resolved.backoffMs})`)
  }
  return resolved
}

function checkPositiveInteger(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TypeError(`exportBreaker.${name} must be a positive integer, got ${JSON.stringify(value)}`)
  }
}
