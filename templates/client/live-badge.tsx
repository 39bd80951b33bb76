import type { LiveStatus } from './live-events.js'

const LABELS: Record<LiveStatus, string> = {
  live: 'live',
  connecting: 'connecting…',
  reconnecting: 'reconnecting…',
}

/**
 * Says whether the panel follows the server's live events: "live" when connected, else
 * "connecting…" or "reconnecting…" (the Refresh button still works meanwhile).
 *
 * @example
 * ```tsx
 * <LiveBadge status={useLiveUpdates(prefix, isMine, reload)} />
 * ```
 */
export function LiveBadge({ status }: { status: LiveStatus }) {
  const title = status === 'live' ? 'New requests and spans appear as they arrive' : 'Not receiving live updates right now: use Refresh'
  return (
    <span class={`hdt-live hdt-live-${status}`} data-hdt-live={status} title={title}>
      {LABELS[status]}
    </span>
  )
}
