import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startOtlpGrpcPeer, type OtlpGrpcPeer } from './peers/index.js'
import type { createApp as CreateApp } from '../examples/basic/app.js'

/**
 * The demo app as a user runs it (built, configured only through the standard
 * OTEL_* variables) exports a page's trace to an OTLP gRPC collector, gzipped.
 */
describe('the demo app exporting over OTLP gRPC', () => {
  let peer: OtlpGrpcPeer
  let createApp: typeof CreateApp
  const saved = { ...process.env }

  beforeAll(async () => {
    peer = await startOtlpGrpcPeer()
    Object.assign(process.env, {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: peer.url,
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    })
    // @ts-expect-error the demo is compiled without declarations; its type comes from the source above.
    ;({ createApp } = await import('../dist/examples/basic/app.js'))
  })

  afterAll(async () => {
    process.env = saved
    await peer.close()
  })

  it("sends /users/2 with its SERVER span, SQL spans, render spans and log events", async () => {
    const app = createApp()
    const res = await app.request('/users/2', undefined, { incoming: { socket: { remoteAddress: '127.0.0.1' } } })
    expect(await res.text()).toContain('Grace Hopper')
    const traceId = /traceparent;desc="00-([0-9a-f]{32})-/.exec(res.headers.get('server-timing') ?? '')?.[1]
    expect(traceId).toBeDefined()
    // The batch processor sends within its schedule (5 s): no flush from the test.
    const spans = (await peer.waitForSpans((all) => all.some((s) => s.traceId === traceId && s.kind === 'SERVER'), 15_000)).filter(
      (s) => s.traceId === traceId,
    )
    const server = spans.find((s) => s.kind === 'SERVER')!
    expect(server.name).toBe('GET /users/:id')
    expect(server.resource['service.name']).toBe('demo-basic')
    const queries = spans.filter((s) => s.attributes['db.system.name'] === 'sqlite')
    expect(queries).toHaveLength(5)
    expect(queries.every((q) => q.kind === 'CLIENT')).toBe(true)
    expect(spans.map((s) => s.name)).toEqual(expect.arrayContaining(['render page Grace Hopper', 'render user-page', 'render layout']))
    const logs = spans.flatMap((s) => s.events).filter((e) => e.name === 'log')
    expect(logs.map((e) => e.attributes['log.message'])).toContain('showing Grace Hopper')
    expect(peer.requests.every((r) => r.encoding === 'gzip')).toBe(true)
  })
})
