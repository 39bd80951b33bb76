import { formatMs } from '../format.js'

/**
 * Why a trace reads longer than its request: "includes work after the 44.9 ms response".
 * The request answered in `responseMs`, and work it left running (late spans: an email sent
 * after the answer) ends later. Nothing when the two read the same: nothing to explain.
 *
 * @example
 * ```tsx
 * <AfterResponse traceMs={611.5} responseMs={44.9} class="hdt-muted" />
 * <AfterResponse traceMs={611.5} responseMs={44.9} class="hdt-muted" aside /> // in parentheses, after "611 ms total"
 * ```
 */
export function AfterResponse({ traceMs, responseMs, class: className, aside }: { traceMs: number; responseMs: number | undefined; class: string; aside?: boolean }) {
  if (responseMs === undefined || !(traceMs > responseMs)) return null
  const response = formatMs(responseMs)
  if (formatMs(traceMs) === response) return null
  return (
    <span class={`hdt-after-response ${className}`} title={`The response was sent after ${response}; the trace goes on with work the request left running.`}>
      {aside && ' ('}includes work after the <span class="hdt-after-response-time">{response}</span> response{aside && ')'}
    </span>
  )
}
