import type { Attributes, SpanSource } from '../../../src/core/span-model.js'
import { describeSkew, displayValue, formatDuration, offsetInTrace, type SpanNode, type SpanTree } from './span-tree.js'
import { ERROR_COLOR, serviceColor, serviceSlot } from './span-colors.js'
import { spanLabel } from '../../../src/shapes/span-label.js'
import { PROFILE_SAMPLED_SELF_ATTRIBUTE } from '../../../src/core/trace-analysis/sampled-spans.js'

export interface SpanDetailProps {
  node: SpanNode
  tree: SpanTree
  /** The trace's Jaeger page (`{jaegerUiUrl}/trace/{traceId}`), for per-span links. */
  jaegerUrl: string | undefined
  onClose(): void
  onSelect(spanId: string): void
  /** Time the span spent outside its children (ns), once the trace is analysed. */
  selfNs?: number
  /** Whether the span is on the trace's critical path. */
  critical?: boolean
}

const SOURCES: Record<SpanSource, string> = {
  local: 'this app (local SDK)',
  otlp_http: 'OTLP/HTTP receiver',
  otlp_grpc: 'OTLP/gRPC receiver',
  zipkin: 'Zipkin receiver',
  import: 'imported file',
}

/**
 * Everything about one span: ids, timing, status, attributes, events, links, resource and
 * scope. Values are shown as text (Preact escapes them), long ones wrapped.
 *
 * @example
 * ```tsx
 * <SpanDetail node={tree.byId.get(id)!} tree={tree} jaegerUrl={stats.links.jaeger} onClose={close} onSelect={select} />
 * ```
 */
export function SpanDetail({ node, tree, jaegerUrl, onClose, onSelect, selfNs, critical }: SpanDetailProps) {
  const { span } = node
  const error = span.status.code === 'ERROR'
  const service = serviceSlot(node.service)
  const startNs = node.offsetNs
  const label = spanLabel(span)
  return (
    <aside class="hdt-span-detail" aria-label={`Span ${label}`} data-span-id={span.spanId}>
      <header class="hdt-span-detail-head">
        <h2 class="hdt-span-detail-title">{label}</h2>
        <button type="button" class="hdt-close" aria-label="Close span detail" onClick={onClose}>
          ×
        </button>
      </header>
      <dl class="hdt-span-facts">
        {/* The title adds where the span went or the path it was asked for: its own name is what Jaeger and Zipkin show. */}
        {label !== span.name && (
          <>
            <dt>Span name</dt>
            <dd class="hdt-span-name">
              <code>{span.name}</code> <span class="hdt-muted">(as Jaeger and Zipkin show it)</span>
            </dd>
          </>
        )}
        <dt>Service</dt>
        <dd>
          <span class="hdt-wf-chip" style={{ background: serviceColor(service) }}>
            {node.service}
          </span>
        </dd>
        <dt>Kind</dt>
        <dd>{span.kind}</dd>
        <dt>Span ID</dt>
        <dd>
          <code>{span.spanId}</code>{' '}
          {jaegerUrl && (
            <a class="hdt-span-jaeger" href={spanLink(jaegerUrl, span.spanId)} target="_blank" rel="noopener noreferrer">
              Open in Jaeger ↗
            </a>
          )}
        </dd>
        <dt>Parent</dt>
        <dd>
          {node.parent ? (
            <button type="button" class="hdt-linklike" onClick={() => onSelect(node.parent!.span.spanId)}>
              {spanLabel(node.parent.span)} <code>{node.parent.span.spanId}</code>
            </button>
          ) : span.parentSpanId ? (
            <>
              <code>{span.parentSpanId}</code> <span class="hdt-muted">(not in this trace)</span>
            </>
          ) : (
            <span class="hdt-muted">none: the trace's root</span>
          )}
        </dd>
        <dt>Trace ID</dt>
        <dd>
          <code>{span.traceId}</code>
        </dd>
        <dt>Start</dt>
        <dd>+{formatDuration(startNs)} from the trace start</dd>
        {node.skewNs !== 0 && (
          <>
            <dt>Clock skew</dt>
            <dd class="hdt-span-skew">
              <span class="hdt-badge hdt-badge-warn">adjusted</span> {describeSkew(node.skewNs)}
            </dd>
            <dt>As received</dt>
            <dd class="hdt-span-received">
              +{formatDuration(startNs - node.skewNs)} from the trace start on its own clock; start {formatUnixNano(span.startTimeUnixNano)}
              {span.endTimeUnixNano ? `, end ${formatUnixNano(span.endTimeUnixNano)}` : ', still running'}
            </dd>
          </>
        )}
        <dt>Duration</dt>
        <dd>{node.inFlight ? <span class="hdt-badge hdt-badge-warn">in flight for {formatDuration(node.durationNs)}</span> : formatDuration(node.durationNs)}</dd>
        <dt>Self time</dt>
        <dd class="hdt-span-self">
          {selfNs === undefined ? <span class="hdt-muted">analysing…</span> : formatDuration(selfNs)}
          {critical && <span class="hdt-badge hdt-span-critical"> on the critical path</span>}
        </dd>
        <SampledSelf attributes={span.attributes} />
        <dt>Status</dt>
        <dd style={error ? { color: ERROR_COLOR, fontWeight: 600 } : undefined}>
          {span.status.code}
          {span.status.message ? `: ${span.status.message}` : ''}
        </dd>
        <UntracedMessages attributes={span.attributes} />
        <dt>Source</dt>
        <dd>{SOURCES[span.source] ?? span.source}</dd>
        <dt>Scope</dt>
        <dd>
          {span.scope.name || <span class="hdt-muted">unnamed</span>}
          {span.scope.version ? ` ${span.scope.version}` : ''}
        </dd>
      </dl>

      <AttributeTable title="Attributes" attributes={span.attributes} dropped={droppedNote(span.droppedAttributesCount, span.source, 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT')} />

      <h3 class="hdt-span-section">
        Events ({span.events.length}
        {droppedNote(span.droppedEventsCount, span.source, 'OTEL_SPAN_EVENT_COUNT_LIMIT')})
      </h3>
      {span.events.length === 0 ? (
        <p class="hdt-muted">No events.</p>
      ) : (
        <ol class="hdt-span-events">
          {span.events.map((event, i) => (
            <li key={i}>
              <span class="hdt-span-event-offset">+{formatDuration(offsetInTrace(tree, event.timeUnixNano, node) - startNs)}</span> <strong>{event.name}</strong>
              <DroppedAttributes count={event.droppedAttributesCount} source={span.source} limit="OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT" />
              {Object.keys(event.attributes).length > 0 && <AttributeRows attributes={event.attributes} />}
            </li>
          ))}
        </ol>
      )}

      {(span.links.length > 0 || !!span.droppedLinksCount) && (
        <>
          <h3 class="hdt-span-section">
            Links ({span.links.length}
            {droppedNote(span.droppedLinksCount, span.source, 'OTEL_SPAN_LINK_COUNT_LIMIT')})
          </h3>
          <ul class="hdt-span-links">
            {span.links.map((link, i) => (
              <li key={i}>
                trace <code>{link.traceId}</code> span <code>{link.spanId}</code>{' '}
                {link.traceId === span.traceId && tree.byId.has(link.spanId) ? (
                  <button type="button" class="hdt-linklike" onClick={() => onSelect(link.spanId)}>
                    show
                  </button>
                ) : (
                  jaegerUrl && (
                    <a href={spanLink(otherTrace(jaegerUrl, span.traceId, link.traceId), link.spanId)} target="_blank" rel="noopener noreferrer">
                      Open in Jaeger ↗
                    </a>
                  )
                )}
                <DroppedAttributes count={link.droppedAttributesCount} source={span.source} limit="OTEL_LINK_ATTRIBUTE_COUNT_LIMIT" />
                {Object.keys(link.attributes).length > 0 && <AttributeRows attributes={link.attributes} />}
              </li>
            ))}
          </ul>
        </>
      )}

      <AttributeTable title="Resource" attributes={span.resource} />
    </aside>
  )
}

/**
 * A WebSocket connection span whose messages past `maxMessageSpans` got no span of their
 * own (`websocket.messages.untraced`): how many, beside how many it received and sent.
 * Nothing for any other span.
 */
function UntracedMessages({ attributes }: { attributes: Attributes }) {
  const untraced = attributes['websocket.messages.untraced']
  if (typeof untraced !== 'number' || untraced <= 0) return null
  const received = attributes['websocket.messages.received']
  const sent = attributes['websocket.messages.sent']
  return (
    <>
      <dt>Messages</dt>
      <dd class="hdt-span-untraced">
        {typeof received === 'number' && typeof sent === 'number' ? `${received} received, ${sent} sent; ` : ''}
        {untraced} of the received {untraced === 1 ? 'has no span of its own' : 'have no span of their own'} (over maxMessageSpans)
      </dd>
    </>
  )
}

/** A decimal-string ns timestamp as a UTC time with all nine digits: `2026-12-01 10:00:00.123456789 UTC`. */
function formatUnixNano(value: string): string {
  if (!/^\d{10,}$/.test(value)) return value
  const seconds = value.slice(0, -9)
  const iso = new Date(Number(seconds) * 1000).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${value.slice(-9)} UTC`
}

/**
 * What was left out over the span limits (OTLP `dropped*Count`): by this app's SDK when the
 * span is local (the variable that raises the limit is named), else by the sender's SDK or
 * by the toolbar, which keeps a received span within the SDK's default limits
 * (src/opentelemetry/span-limits.ts).
 */
function droppedNote(count: number | undefined, source: SpanSource, limit: string): string {
  return count ? `, ${count} more dropped${droppedBy(source, limit)}` : ''
}

function droppedBy(source: SpanSource, limit: string): string {
  return source === 'local' ? `: ${limit}` : " by the sender or over the toolbar's limit of 128"
}

/** An event's or a link's attributes left out over the limits, beside its name. */
function DroppedAttributes({ count, source, limit }: { count: number | undefined; source: SpanSource; limit: string }) {
  if (!count) return null
  return <span class="hdt-muted">{` (${count} more ${count === 1 ? 'attribute' : 'attributes'} dropped${droppedBy(source, limit)})`}</span>
}

function AttributeTable({ title, attributes, dropped = '' }: { title: string; attributes: Attributes; dropped?: string }) {
  const count = Object.keys(attributes).length
  return (
    <>
      <h3 class="hdt-span-section">
        {title} ({count}
        {dropped})
      </h3>
      {count === 0 ? <p class="hdt-muted">None.</p> : <AttributeRows attributes={attributes} />}
    </>
  )
}

function AttributeRows({ attributes }: { attributes: Attributes }) {
  const entries = Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return (
    <table class="hdt-table hdt-span-attrs">
      <tbody>
        {entries.map(([key, value]) => (
          <tr key={key}>
            <th scope="row">{breakable(key)}</th>
            <td>
              <span class="hdt-code">{displayValue(value)}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** `db.query.text` may wrap after its dots, never inside a word. */
function breakable(key: string) {
  const parts = key.split('.')
  return parts.map((part, i) => (i < parts.length - 1 ? [part, '.', <wbr key={i} />] : part))
}

/**
 * Jaeger's link to a span: the trace page with `uiFind`, which highlights the span.
 *
 * @example
 * ```ts
 * spanLink('http://localhost:16686/trace/4bf9…', '00f067aa0ba902b7') // '…/trace/4bf9…?uiFind=00f067aa0ba902b7'
 * ```
 */
export function spanLink(jaegerTraceUrl: string, spanId: string): string {
  return `${jaegerTraceUrl}${jaegerTraceUrl.includes('?') ? '&' : '?'}uiFind=${encodeURIComponent(spanId)}`
}

function otherTrace(jaegerTraceUrl: string, traceId: string, otherId: string): string {
  return jaegerTraceUrl.replace(`/trace/${traceId}`, `/trace/${encodeURIComponent(otherId)}`)
}

/**
 * A CPU-profile span's sampled self time (`profile.sampled_self_ms`): the Profile panel's
 * self time for this stretch, which the span's self time (less its child spans) exceeds by
 * the Node, V8 and library code the function called. Nothing for any other span.
 */
function SampledSelf({ attributes }: { attributes: Attributes }) {
  const sampled = attributes[PROFILE_SAMPLED_SELF_ATTRIBUTE]
  if (typeof sampled !== 'number') return null
  return (
    <>
      <dt>Sampled self time</dt>
      <dd class="hdt-span-sampled-self">
        {formatDuration(sampled * 1e6)} <span class="hdt-muted">with the function itself on top of the stack, as the Profile panel counts it (the self time above also holds the Node and library code it called)</span>
      </dd>
    </>
  )
}
