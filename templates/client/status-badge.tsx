/** An HTTP status as a coloured badge: green 2xx, grey 3xx, amber 4xx, red 5xx. */
export function StatusBadge({ status }: { status: number | undefined }) {
  if (status === undefined) return <span class="hdt-badge">…</span>
  const tone = status >= 500 ? ' hdt-badge-error' : status >= 400 ? ' hdt-badge-warn' : status < 300 ? ' hdt-badge-ok' : ''
  return <span class={`hdt-badge${tone}`}>{status}</span>
}
