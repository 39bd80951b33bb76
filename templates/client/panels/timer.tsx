import type { TimerStats, TimingMetric } from '../../../src/panels/timer.js'
import { formatClock, formatMs } from '../format.js'
import { barStyle } from '../bar-style.js'
import type { PanelProps } from '../types.js'
import { ResponseBodySize } from './response-body-size.js'

/** The Time panel: total, headers-ready, streaming, bytes, and each hono/timing metric on a bar. */
export function TimerView({ stats }: PanelProps<TimerStats>) {
  const total = stats.totalMs
  const lastByte = total !== undefined && stats.headersMs !== undefined ? total - stats.headersMs : undefined
  return (
    <div class="hdt-timer">
      <table class="hdt-table hdt-facts">
        <tbody>
          <tr>
            <th scope="row">Total</th>
            <td data-hdt-figure="total">{total === undefined ? <span class="hdt-badge hdt-badge-warn">in flight</span> : formatMs(total)}</td>
          </tr>
          <tr>
            <th scope="row">Headers ready</th>
            <td>{formatMs(stats.headersMs)}</td>
          </tr>
          <tr>
            <th scope="row">Streamed</th>
            <td>
              {stats.streamed ? 'yes' : 'no'}
              {stats.streamed && lastByte !== undefined && <span class="hdt-muted"> · last byte {formatMs(lastByte)} after the headers</span>}
            </td>
          </tr>
          <tr>
            <th scope="row">Response body</th>
            <td>
              <ResponseBodySize bytes={stats.responseBytes} loaderTagBytes={stats.loaderTagBytes} />
              {stats.aborted && <span class="hdt-badge hdt-badge-error">client went away</span>}
              {stats.responseReplaced && <span class="hdt-badge hdt-badge-warn">another response was sent</span>}
            </td>
          </tr>
          <tr>
            <th scope="row">Started at</th>
            <td>{formatClock(stats.startedAt)}</td>
          </tr>
        </tbody>
      </table>
      <h2 class="hdt-section-title">
        hono/timing metrics{stats.dropped > 0 && <span class="hdt-badge hdt-badge-warn"> {stats.dropped} more not kept</span>}
      </h2>
      {stats.metrics.length === 0 ? (
        <p class="hdt-muted">
          None. Time parts of a handler with <code>startTime(c, 'db')</code> / <code>endTime(c, 'db')</code> from hono/timing.
        </p>
      ) : (
        <MetricsTable metrics={stats.metrics} totalMs={total ?? stats.headersMs} />
      )}
    </div>
  )
}

function MetricsTable({ metrics, totalMs }: { metrics: TimingMetric[]; totalMs: number | undefined }) {
  return (
    <table class="hdt-table hdt-metrics">
      <thead>
        <tr>
          <th>Metric</th>
          <th>Description</th>
          <th class="hdt-num">Start</th>
          <th class="hdt-num">Duration</th>
          <th class="hdt-timeline-col">Timeline</th>
        </tr>
      </thead>
      <tbody>
        {metrics.map((metric, i) => (
          <tr key={`${metric.name}-${i}`}>
            <td>
              <code>{metric.name}</code>
            </td>
            <td>{metric.value === undefined ? (metric.description ?? '') : <span class="hdt-muted">value: {metric.value}</span>}</td>
            <td class="hdt-num">{metric.startMs === undefined ? <span class="hdt-muted">—</span> : formatMs(metric.startMs)}</td>
            <td class="hdt-num">{formatMs(metric.durationMs)}</td>
            <td>
              <MetricBar metric={metric} totalMs={totalMs} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** A bar placed at the metric's offset; metrics given as a bare value have no place in time. */
function MetricBar({ metric, totalMs }: { metric: TimingMetric; totalMs: number | undefined }) {
  if (metric.startMs === undefined || metric.durationMs === undefined || !totalMs) {
    return <span class="hdt-muted">{metric.durationMs === undefined ? '' : 'offset not known'}</span>
  }
  const left = clamp((metric.startMs / totalMs) * 100)
  const width = Math.max(clamp((metric.durationMs / totalMs) * 100), 0.5)
  return (
    <div class="hdt-bar" title={`${formatMs(metric.startMs)} → ${formatMs(metric.startMs + metric.durationMs)}`}>
      <span style={barStyle(left, Math.min(width, 100 - left))} />
    </div>
  )
}

function clamp(percent: number): number {
  return Math.min(100, Math.max(0, percent))
}
