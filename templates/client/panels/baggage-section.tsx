import type { BaggageView } from '../../../src/opentelemetry/baggage.js'
import { KeyValueTable } from './key-value-table.js'

/**
 * The request's W3C baggage (values of secret-looking keys are already redacted by the
 * server) and the propagators in use. Collapsed unless the request brought baggage.
 *
 * @example
 * ```tsx
 * <BaggageSection baggage={stats.baggage} propagators={stats.propagators} />
 * ```
 */
export function BaggageSection({ baggage, propagators }: { baggage: BaggageView; propagators: string[] }) {
  const rows = baggage.members.map((m): [string, string] => [m.key, m.properties ? `${m.value} ;${m.properties}` : m.value])
  const count = baggage.members.length
  return (
    <details class="hdt-otel-baggage" open={count > 0 || baggage.dropped > 0}>
      <summary>
        Baggage: {count} {count === 1 ? 'member' : 'members'}
        {baggage.dropped > 0 && <span class="hdt-badge hdt-badge-warn"> {baggage.dropped} dropped (over 180 members or 8192 bytes, or malformed)</span>}
        <span class="hdt-muted"> · propagators: {propagators.length > 0 ? propagators.join(', ') : 'none'}</span>
      </summary>
      <KeyValueTable rows={rows} empty="The request brought no baggage." label="Baggage" />
    </details>
  )
}
