import { formatMs } from './format.js'
import { StatusBadge } from './status-badge.js'
import type { RequestDetail } from './types.js'

/** The small tab at the right edge: the shown request's total time and status; opens the toolbar. */
export function Handle({ detail, onOpen }: { detail: RequestDetail | undefined; onOpen(): void }) {
  const label = detail
    ? `Open debug toolbar: ${detail.method} ${detail.path}, ${detail.inFlight ? 'in flight' : `${formatMs(detail.durationMs)}, status ${detail.status ?? 'unknown'}`}`
    : 'Open debug toolbar'
  return (
    <button type="button" class="hdt-handle" data-hdt-focus="handle" aria-expanded="false" aria-label={label} title={label} onClick={onOpen}>
      <span class="hdt-handle-logo">DT</span>
      {detail && <span class="hdt-handle-time">{detail.inFlight ? 'in flight' : formatMs(detail.durationMs)}</span>}
      {detail && <StatusBadge status={detail.status} />}
    </button>
  )
}
