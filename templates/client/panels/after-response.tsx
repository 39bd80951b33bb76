import { formatMs } from '../format.js'

/**
 * Why a trace reads longer than its request: "includes work after the 44.9 ms response", or
 * in a window of 800 px and narrower "response at 44.9 ms" (the whole sentence is the
 * tooltip of both). The request answered in `responseMs`, and work it left running (late
 * spans: an email sent after the answer) ends later. Nothing when the two read the same:
 * nothing to explain; nor for a trace of one span (`spanCount`), the request's own: its end
 * and the response's are one moment read on two clocks, and a 4.67 ms trace of a 4.66 ms
 * response did no work after it.
 *
 * @example
 * ```tsx
 * <AfterResponse traceMs={611.5} responseMs={44.9} spanCount={6} class="hdt-muted" />
 * <AfterResponse traceMs={611.5} responseMs={44.9} spanCount={6} class="hdt-muted" aside /> // in parentheses, after "611 ms total"
 * ```
 */
export function AfterResponse({ traceMs, responseMs, spanCount, class: className, aside }: { traceMs: number; responseMs: number | undefined; spanCount: number; class: string; aside?: boolean }) {
  if (responseMs === undefined || !(traceMs > responseMs) || spanCount < 2) return null
  const response = formatMs(responseMs)
  if (formatMs(traceMs) === response) return null
  // The time never breaks, nor the short form's "at" from it: at most "response" over "at 7.67 ms".
  return (
    <span class={`hdt-after-response ${className}`} title={`Includes work after the ${response} response: the request answered in ${response}, and the trace goes on with work it left running.`}>
      {aside && ' ('}
      <span class="hdt-after-response-long">
        includes work after the <span class="hdt-after-response-time">{response}</span> response
      </span>
      <span class="hdt-after-response-short">
        response <span class="hdt-after-response-time">at {response}</span>
      </span>
      {aside && ')'}
    </span>
  )
}
