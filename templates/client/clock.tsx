import { formatClock } from './format.js'

/**
 * A list's time of day, `14:03:07.125`, on one line; a narrow window hides the milliseconds
 * (the title keeps them), so that the list fits beside the sidebar.
 *
 * @example
 * ```tsx
 * <td class="hdt-muted"><Clock iso={request.startedAt} /></td>
 * ```
 */
export function Clock({ iso }: { iso: string }) {
  const time = formatClock(iso)
  const dot = time.lastIndexOf('.')
  if (dot < 0) return <span class="hdt-clock">{time}</span>
  return (
    <span class="hdt-clock" title={time}>
      {time.slice(0, dot)}
      <span class="hdt-clock-ms">{time.slice(dot)}</span>
    </span>
  )
}
