import type { BaggageView } from '../../../src/opentelemetry/baggage.js'
import type { PresentHeader, ReceivedHeader, TraceContextStats } from '../../../src/opentelemetry/trace-context-stats.js'
import { MAX_OUTGOING_CALLS } from '../../../src/shapes/trace-context-limits.js'
import { BaggageBlock, baggageSummary } from './baggage-block.js'

/**
 * The Context section of the OpenTelemetry panel: the `traceparent` and `tracestate` the
 * request received (valid, or the rule they break), whether the trace was continued or a
 * new root began, the sampling decision with the sampler that made it, and the context each
 * outgoing `fetch()` sent. It opens by itself when something was received or nothing was
 * recorded; a plain page visit shows only its summary line. Values are rendered as text.
 *
 * @example
 * ```tsx
 * {stats.context && <TraceContext context={stats.context} />}
 * ```
 */
export function TraceContext({ context, baggage, propagators }: { context: TraceContextStats; baggage?: BaggageView; propagators?: string[] }) {
  const open = received(context.traceparent) || !context.recording || baggageSummary(baggage) !== ''
  return (
    <details class="hdt-otel-context" open={open} data-origin={context.origin} data-sampled={String(context.sampled)}>
      <summary>
        <strong>Context</strong> <span class="hdt-muted">· {[summaryLine(context), baggageSummary(baggage)].filter(Boolean).join(' · ')}</span>
      </summary>
      {context.samplingNote && (
        <p class="hdt-otel-context-note hdt-badge-warn" role="note">
          {context.samplingNote}
        </p>
      )}
      <table class="hdt-table hdt-kv" aria-label="Trace context">
        <tbody>
          <HeaderRow name="traceparent received" header={context.traceparent} />
          <HeaderRow name="tracestate received" header={context.tracestate} extra={received(context.tracestate) && context.tracestate.valid ? `${context.tracestate.entries} list members` : undefined} />
          <tr>
            <th scope="row">trace</th>
            <td>{originText(context)}</td>
          </tr>
          <tr>
            <th scope="row">sampled</th>
            <td>
              <span class={context.sampled ? 'hdt-badge hdt-badge-ok' : 'hdt-badge hdt-badge-warn'}>{context.sampled ? 'yes' : 'no'}</span>{' '}
              {context.incomingSampled !== undefined && <span class="hdt-muted">(the caller's flag: {context.incomingSampled ? '1' : '0'}) </span>}
              <span class="hdt-muted">sampler </span>
              <code>{context.sampler}</code>
            </td>
          </tr>
        </tbody>
      </table>
      {baggage && propagators && <BaggageBlock baggage={baggage} propagators={propagators} />}
      <OutgoingTable context={context} />
    </details>
  )
}

function HeaderRow({ name, header, extra }: { name: string; header: ReceivedHeader; extra?: string }) {
  return (
    <tr data-header={name.split(' ')[0]}>
      <th scope="row">{name}</th>
      <td>
        {!received(header) ? (
          <span class="hdt-muted">none</span>
        ) : (
          <>
            <code class="hdt-otel-context-value">
              {header.value}
              {header.truncated && '…'}
            </code>{' '}
            {header.valid ? (
              <span class="hdt-badge hdt-badge-ok">valid</span>
            ) : (
              <span class="hdt-badge hdt-badge-error" data-reason>
                ignored: {header.reason}
              </span>
            )}
            {extra && <span class="hdt-muted"> · {extra}</span>}
          </>
        )}
      </td>
    </tr>
  )
}

function OutgoingTable({ context }: { context: TraceContextStats }) {
  if (context.outgoing.length === 0) return <p class="hdt-muted">No outgoing fetch() carried this trace's context.</p>
  const withOthers = context.outgoing.some((call) => call.others !== undefined)
  return (
    <table class="hdt-table" aria-label="Context sent by fetch()">
      <thead>
        <tr>
          <th>fetch()</th>
          <th>traceparent sent</th>
          <th>tracestate sent</th>
          {withOthers && <th>other headers sent</th>}
        </tr>
      </thead>
      <tbody>
        {context.outgoing.map((call, i) => (
          <tr key={i}>
            <td>
              <code>
                {call.method} {call.url}
              </code>
            </td>
            <td>{call.traceparent ? <code>{call.traceparent}</code> : <span class="hdt-muted">none</span>}</td>
            <td>{call.tracestate ? <code>{call.tracestate}</code> : <span class="hdt-muted">none</span>}</td>
            {withOthers && (
              <td>
                {Object.entries(call.others ?? {}).map(([name, value]) => (
                  <div key={name}>
                    <code>
                      {name}: {value}
                    </code>
                  </div>
                ))}
              </td>
            )}
          </tr>
        ))}
        {context.outgoingDropped > 0 && (
          <tr>
            <td colSpan={withOthers ? 4 : 3} class="hdt-muted">
              {context.outgoingDropped} more outgoing {context.outgoingDropped === 1 ? 'call' : 'calls'} not listed (over {MAX_OUTGOING_CALLS})
            </td>
          </tr>
        )}
      </tbody>
    </table>
  )
}

function summaryLine(context: TraceContextStats): string {
  const traceparent = !received(context.traceparent) ? 'no traceparent received' : context.traceparent.valid ? 'valid traceparent' : 'invalid traceparent'
  const calls = context.outgoing.length + context.outgoingDropped
  return [traceparent, context.origin, context.sampled ? 'sampled' : 'not sampled', calls > 0 ? `${calls} outgoing ${calls === 1 ? 'call' : 'calls'}` : '']
    .filter(Boolean)
    .join(' · ')
}

function originText(context: TraceContextStats): string {
  if (context.origin === 'adopted') return "the app's own instrumentation made the SERVER span (the toolbar adopted it)"
  if (context.origin === 'continued') return `continued: the request's span is a child of the caller's span ${context.parentSpanId ?? ''}`
  return !received(context.traceparent) ? 'new root: no traceparent was received' : 'new root: the received traceparent could not be used'
}

/** Whether the request had the header. Stats stored by an older version (durable history) have no `received`: a value says it. */
function received(header: ReceivedHeader): header is PresentHeader {
  return header.received ?? (header as { value?: string }).value !== undefined
}
