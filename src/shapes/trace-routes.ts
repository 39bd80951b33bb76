/**
 * Paths of the trace API under the toolbar's prefix that both sides build: the server
 * registers its route from the pattern, the panel's stats and the browser make links with
 * the function, so a link cannot name a route the server does not have.
 */

/** `GET {prefix}/api/traces/:traceId/otlp`: the trace as an OTLP/JSON file. */
export const OTLP_JSON_ROUTE = '/api/traces/:traceId/otlp'

/**
 * The URL of a trace's OTLP/JSON download.
 *
 * @example
 * ```ts
 * otlpJsonUrl('/_debug_toolbar', traceId) // '/_debug_toolbar/api/traces/<traceId>/otlp'
 * ```
 */
export function otlpJsonUrl(prefix: string, traceId: string): string {
  return prefix + OTLP_JSON_ROUTE.replace(':traceId', encodeURIComponent(traceId))
}

/**
 * `GET {prefix}/api/export-status`: the OpenTelemetry panel's exporters as they are now
 * (`{ instance, export }`), what an open panel polls while a batch is unsent, instead of
 * the whole request.
 */
export const EXPORT_STATUS_ROUTE = '/api/export-status'
