/**
 * Synthetic spans for known-answer tests of the trace analysis: times given in milliseconds
 * from a fixed epoch instant, ids derived from short names, so a test reads like the
 * hand-drawn trace it checks.
 */
import { createHash } from 'node:crypto'
import type { ToolbarSpan } from '../../src/core/span-model.js'

const EPOCH_NS = 1_700_000_000_000_000_000n

/** A 32-hex trace id from a label (its MD5): distinct labels, distinct traces. */
export function traceIdOf(label: string): string {
  return createHash('md5').update(label).digest('hex')
}

/** A 16-hex span id from a short name: `spanIdOf('P')` is `5000000000000000`. */
export function spanIdOf(name: string): string {
  return Buffer.from(name).toString('hex').padEnd(16, '0').slice(0, 16)
}

export interface SyntheticSpan {
  name: string
  parent?: string
  /** ms from the epoch instant; end undefined means still running. */
  start: number
  end: number | undefined
  service?: string
  attributes?: ToolbarSpan['attributes']
  /** Span name shown, when several spans share one (the id still comes from `name`). */
  label?: string
}

/** Toolbar spans of one trace from a compact description. */
export function syntheticTrace(label: string, spans: SyntheticSpan[]): ToolbarSpan[] {
  const resources = new Map<string, ToolbarSpan['resource']>()
  return spans.map((s) => {
    const service = s.service ?? 'front'
    if (!resources.has(service)) resources.set(service, { 'service.name': service })
    return {
      traceId: traceIdOf(label),
      spanId: spanIdOf(s.name),
      parentSpanId: s.parent === undefined ? undefined : spanIdOf(s.parent),
      name: s.label ?? s.name,
      kind: 'INTERNAL',
      startTimeUnixNano: String(EPOCH_NS + BigInt(Math.round(s.start * 1e6))),
      endTimeUnixNano: s.end === undefined ? undefined : String(EPOCH_NS + BigInt(Math.round(s.end * 1e6))),
      attributes: s.attributes ?? {},
      events: [],
      links: [],
      status: { code: 'UNSET' },
      resource: resources.get(service)!,
      scope: { name: 'test' },
      source: service === 'front' ? 'local' : 'otlp_http',
    }
  })
}

/** Milliseconds as the API's ns strings. */
export const ms = (value: number): string => String(Math.round(value * 1e6))
