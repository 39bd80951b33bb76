/**
 * A trace kept in a durable store reads back, after a restart, as the spans that were saved:
 * whatever an app or another service put in them (any Unicode, integers past 2^53 kept as
 * text, NaN and the infinities, attribute names such as `__proto__`, events, links,
 * tracestate, flags, dropped counts), on SQLite and on PostgreSQL (where NUL, which its text
 * cannot hold, reads U+FFFD). fast-check writes the spans
 * (test/support/sdk-spans.ts) and the toolbar converts them as its span processor does.
 */
import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import type { ToolbarSpan } from '../src/core/span-model.js'
import { toolbarSpanFromReadableSpan } from '../src/opentelemetry/otlp-json.js'
import { SqliteStore } from '../src/store/sqlite.js'
import { PostgresStore } from '../src/store/postgres.js'
import { sdkSpanBatch } from '../test/support/sdk-spans.js'
import { uniqueSchema } from './support/postgres-server.js'
import { durableStores, type Durable } from './support/durable-stores.js'

const { dir, postgresUrl } = await durableStores('span round trip')

const byStart = (spans: ToolbarSpan[]) =>
  [...spans].sort((a, b) => (BigInt(a.startTimeUnixNano) < BigInt(b.startTimeUnixNano) ? -1 : BigInt(a.startTimeUnixNano) > BigInt(b.startTimeUnixNano) ? 1 : a.spanId < b.spanId ? -1 : 1))

// One trace per run: the batch's spans moved into a trace of their own.
const traces = sdkSpanBatch.map((batch) => batch.map((span) => toolbarSpanFromReadableSpan(span, 'otlp_http')))

// PostgreSQL text cannot hold NUL: the store writes U+FFFD in its place (src/store/postgres.ts).
function withoutNul(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('\u0000', '\ufffd')
  if (Array.isArray(value)) return value.map(withoutNul)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [withoutNul(key), withoutNul(item)]))
}

async function roundTrips(open: () => Durable, runs: number, stored: (spans: ToolbarSpan[]) => ToolbarSpan[] = (spans) => spans): Promise<void> {
  let store = open()
  let run = 0
  const saved: Array<{ traceId: string; spans: ToolbarSpan[] }> = []
  await fc.assert(
    fc.asyncProperty(traces, async (spans) => {
      const traceId = `c${(++run).toString(16).padStart(31, '0')}`
      const own = spans.map((span) => ({ ...span, traceId }))
      store.saveSpans!(own)
      saved.push({ traceId, spans: stored(own) })
      return isDeepStrictEqual(byStart((await store.getTrace(traceId)) ?? []), byStart(stored(own)))
    }),
    { numRuns: runs },
  )
  // After a restart, from the database alone.
  await store.close()
  store = open()
  for (const { traceId, spans } of saved) expect(byStart((await store.getTrace(traceId)) ?? [])).toStrictEqual(byStart(spans))
  await store.close()
}

describe('a trace kept in a durable store', () => {
  it('reads back, after a restart, as the spans saved, on SQLite', async () => {
    const path = join(dir, 'round-trip.db')
    await roundTrips(() => new SqliteStore({ path, maxTraces: 10_000 }), 300)
  })

  it.skipIf(!postgresUrl)('reads back, after a restart, as the spans saved, on PostgreSQL', async () => {
    const schema = uniqueSchema('round_trip')
    await roundTrips(() => new PostgresStore({ connectionString: postgresUrl ?? '', schema, maxTraces: 10_000 }), 150, (spans) => withoutNul(spans) as ToolbarSpan[])
  })
})
