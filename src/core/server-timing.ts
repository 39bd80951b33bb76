import type { ServerTimingMetric } from './panel.js'

/**
 * Formats metrics as a `Server-Timing` header value (RFC: `name;dur=1.2;desc="..."`).
 * Names are reduced to token characters and descriptions quoted, so user data cannot
 * break the header.
 *
 * @example
 * ```ts
 * formatServerTiming([{ name: 'sql', dur: 4.1, desc: '3 queries' }]) // 'sql;dur=4.1;desc="3 queries"'
 * ```
 */
export function formatServerTiming(metrics: ServerTimingMetric[]): string {
  return metrics
    .map((metric) => {
      let entry = metric.name.replace(/[^!#$%&'*+\-.^_`|~0-9A-Za-z]/g, '_') || 'metric'
      if (metric.dur !== undefined && Number.isFinite(metric.dur)) entry += `;dur=${Math.round(metric.dur * 100) / 100}`
      if (metric.desc) entry += `;desc="${metric.desc.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '?')}"`
      return entry
    })
    .join(', ')
}
