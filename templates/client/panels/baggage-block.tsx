import type { BaggageView } from '../../../src/opentelemetry/baggage.js'
import { BAGGAGE_DROPPED_REASON } from '../../../src/shapes/baggage-limits.js'
import { KeyValueTable } from './key-value-table.js'

/**
 * The request's W3C baggage in the Context section (values of secret-looking keys are
 * already redacted by the server; properties shown after the value), the members that were
 * not kept, and the propagators the toolbar reads and writes.
 *
 * @example
 * ```tsx
 * <BaggageBlock baggage={stats.baggage} propagators={stats.propagators} />
 * ```
 */
export function BaggageBlock({ baggage, propagators }: { baggage: BaggageView; propagators: string[] }) {
  const rows = baggage.members.map((m): [string, string] => [m.key, m.properties ? `${m.value} ;${m.properties}` : m.value])
  const count = baggage.members.length
  return (
    <div class="hdt-otel-baggage" data-baggage={count}>
      <p>
        <strong>Baggage</strong> received: {count} {count === 1 ? 'member' : 'members'}
        {baggage.dropped > 0 && <span class="hdt-badge hdt-badge-warn"> {baggage.dropped} dropped ({BAGGAGE_DROPPED_REASON})</span>}
        <span class="hdt-muted"> · propagators: {propagators.length > 0 ? propagators.join(', ') : 'none'}</span>
      </p>
      {count > 0 && <KeyValueTable rows={rows} empty="" label="Baggage" />}
    </div>
  )
}

/**
 * The words the Context summary line adds for baggage ('2 baggage members'), or nothing.
 *
 * @example
 * ```ts
 * baggageSummary({ members: [m1, m2], dropped: 0 }) // '2 baggage members'
 * ```
 */
export function baggageSummary(baggage: BaggageView | undefined): string {
  const count = baggage?.members.length ?? 0
  const dropped = baggage?.dropped ?? 0
  if (count === 0 && dropped === 0) return ''
  return `${count} baggage ${count === 1 ? 'member' : 'members'}${dropped > 0 ? ` (${dropped} dropped)` : ''}`
}
