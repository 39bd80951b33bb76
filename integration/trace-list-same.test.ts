/**
 * The trace list (`GET {prefix}/api/traces`) answers the same whichever store holds the
 * traces: the same spans in the in-memory trace store and in SQLite give the same pages for
 * any filter (service, source, since, until, minDurationMs, limit, offset), at the boundaries
 * too (a `since` equal to a trace's start, a duration equal to the minimum), with orphans,
 * spans of several services and several sources. fast-check writes the traces and the filters.
 */
import { describe, it } from 'vitest'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import type { SpanSource, ToolbarSpan } from '../src/core/span-model.js'
import { TraceStore } from '../src/opentelemetry/trace-store.js'
import { parseTraceFilter } from '../src/opentelemetry/trace-query.js'
import { SqliteStore } from '../src/store/sqlite.js'
import { durableStores } from './support/durable-stores.js'

const { dir } = await durableStores('trace list')

const SERVICES = ['web', 'api', 'billing "eu"', 'café', '100%']
const SOURCES: SpanSource[] = ['otlp_http', 'otlp_grpc', 'zipkin', 'import']
const T0 = BigInt(Date.UTC(2026, 11, 1)) * 1_000_000n

const spanSpec = fc.record({
  service: fc.constantFrom(...SERVICES),
  source: fc.constantFrom(...SOURCES),
  // Microseconds, some of them fractions of a millisecond: durations compare as the list shows them.
  startUs: fc.integer({ min: 0, max: 5_000_000 }),
  durationUs: fc.integer({ min: 0, max: 3_000_000 }),
  under: fc.constantFrom('root', 'first', 'missing'),
  error: fc.boolean(),
})
const traceSpec = fc.array(spanSpec, { minLength: 1, maxLength: 4 })

type SpanSpec = typeof spanSpec extends fc.Arbitrary<infer T> ? T : never

function spansOf(traces: SpanSpec[][]): ToolbarSpan[] {
  return traces.flatMap((trace, t) =>
    trace.map((span, s): ToolbarSpan => ({
      traceId: (t + 1).toString(16).padStart(32, 'a'),
      spanId: (s + 1).toString(16).padStart(16, '0'),
      parentSpanId: s === 0 || span.under === 'root' ? undefined : span.under === 'first' ? '0000000000000001' : 'ffffffffffffffff',
      name: `op ${s}`,
      kind: 'SERVER',
      startTimeUnixNano: String(T0 + BigInt(span.startUs) * 1000n),
      endTimeUnixNano: String(T0 + BigInt(span.startUs + span.durationUs) * 1000n),
      attributes: {},
      events: [],
      links: [],
      status: { code: span.error ? 'ERROR' : 'UNSET' },
      resource: { 'service.name': span.service },
      scope: { name: 'test' },
      source: span.source,
    })),
  )
}

let run = 0

describe('the trace list', () => {
  it('answers every filter the same from the in-memory trace store and from SQLite', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(traceSpec, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { minLength: 6, maxLength: 6 }), async (traces, picks) => {
        const spans = spansOf(traces)
        const memory = new TraceStore(1000)
        for (const span of spans) memory.receive(span)
        const sqlite = new SqliteStore({ path: join(dir, `list-${++run}.db`), maxTraces: 1000 })
        sqlite.saveSpans(spans)
        try {
          // Filters built from the data: boundaries exactly at a trace's start and duration.
          const all = memory.list({ limit: 100, offset: 0 }).traces
          const at = (i: number) => all[picks[i]! % all.length]!
          const queries = [
            '', `service=${SERVICES[picks[0]! % SERVICES.length]}`, `source=${SOURCES[picks[1]! % SOURCES.length]}`,
            `since=${Date.parse(at(1).startedAt)}`, `until=${Date.parse(at(2).startedAt)}`, `since=${at(3).startedAt}`,
            `minDurationMs=${at(4).durationMs}`, `minDurationMs=${at(4).durationMs + 0.001}`,
            `limit=2&offset=${picks[5]! % 4}`, 'service=web&minDurationMs=1&limit=3',
          ]
          for (const query of queries) {
            const params = new URLSearchParams(query)
            const filter = parseTraceFilter((name) => params.get(name) ?? undefined)
            if (typeof filter === 'string') throw new Error(`${query}: ${filter}`)
            const a = memory.list(filter)
            const b = await sqlite.listTraces(filter)
            if (!isDeepStrictEqual({ ...a, evicted: 0 }, { ...b, evicted: 0 })) throw new Error(`${query}: memory ${JSON.stringify(a).slice(0, 600)} / SQLite ${JSON.stringify(b).slice(0, 600)}`)
          }
        } finally {
          await sqlite.close()
        }
        return true
      }),
      { numRuns: 60 },
    )
  })
})
