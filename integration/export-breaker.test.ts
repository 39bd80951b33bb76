/**
 * The export circuit breaker against a real OTLP/HTTP collector on loopback that goes away
 * (connections refused), comes back broken (HTTP 500), then comes back healthy on the same
 * port. Short threshold and backoff values keep the test quick; nothing asserts on speed.
 */
import http from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { ExportResultCode } from '@opentelemetry/core'
import type { ExportResult } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { ToolbarSpanExporter } from '../src/opentelemetry/exporter.js'
import { startOtlpHttpPeer, type OtlpPeer } from './peers/index.js'
import { closeServer } from './peers/otlp-http-peer.js'

function spansNamed(name: string, count: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter()
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] }).getTracer('breaker-test')
  for (let i = 0; i < count; i++) tracer.startSpan(`${name} ${i}`).end()
  return memory.getFinishedSpans()
}

const exportOnce = (exporter: ToolbarSpanExporter, spans: ReadableSpan[]) =>
  new Promise<ExportResult>((resolve) => exporter.export(spans, resolve))

/** Waits until the open breaker lets the next batch through (its announced next attempt). */
async function untilNextAttempt(exporter: ToolbarSpanExporter): Promise<void> {
  const at = exporter.status().exporters[0]!.breaker!.nextAttemptAt!
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now()) + 5))
}

/** A collector that is up but broken: every export gets an HTTP 500. */
async function startBrokenCollector(port: number): Promise<{ requests: () => number; close: () => Promise<void> }> {
  let requests = 0
  const server = http.createServer((req, res) => {
    requests++
    req.resume()
    req.on('end', () => res.writeHead(500, { 'content-type': 'text/plain' }).end('collector is broken'))
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return { requests: () => requests, close: () => closeServer(server) }
}

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close()
})

describe('the export circuit breaker with a collector that goes down and comes back', () => {
  it('opens after failures in a row, drops and counts, probes a broken collector, then closes when it is back', async () => {
    let peer: OtlpPeer = await startOtlpHttpPeer()
    const port = Number(new URL(peer.url).port)
    const otlp = new OTLPTraceExporter({ url: peer.url, timeoutMillis: 1000 })
    const warnings: string[] = []
    const exporter = new ToolbarSpanExporter(otlp, {
      names: ['otlp http/protobuf'],
      timeoutMillis: 3000,
      warn: (message) => warnings.push(message),
      breaker: { failureThreshold: 2, backoffMs: 150, maxBackoffMs: 300 },
    })
    cleanup.push(() => exporter.shutdown())

    // Up: the batch arrives.
    await exportOnce(exporter, spansNamed('before', 2))
    await peer.waitForSpans((spans) => spans.length === 2, 5000)
    expect(exporter.status().exporters[0]!.breaker).toMatchObject({ state: 'closed', consecutiveFailures: 0 })

    // Down (connections refused): two failures in a row open the breaker.
    await peer.close()
    for (let i = 0; i < 2; i++) expect((await exportOnce(exporter, spansNamed('refused', 1))).code).toBe(ExportResultCode.SUCCESS)
    let status = exporter.status().exporters[0]!
    expect(status).toMatchObject({ successes: 1, failures: 2, breaker: { state: 'open', consecutiveFailures: 2, opened: 1 } })
    expect(status.lastError).toMatch(/ECONNREFUSED|connect/i)
    expect(status.breaker!.nextAttemptAt).toBe(status.breaker!.openUntil)
    expect(warnings).toHaveLength(1)

    // Back, but answering 500: only the probe reaches it; the batches meanwhile are dropped.
    const broken = await startBrokenCollector(port)
    cleanup.push(() => broken.close())
    await exportOnce(exporter, spansNamed('dropped', 3))
    expect(broken.requests()).toBe(0)
    expect(exporter.status().exporters[0]!.breaker).toMatchObject({ state: 'open', droppedSpans: 3, droppedBatches: 1 })
    await untilNextAttempt(exporter)
    await exportOnce(exporter, spansNamed('probe', 1))
    expect(broken.requests()).toBe(1)
    status = exporter.status().exporters[0]!
    expect(status.lastError).toBe("Internal Server Error")
    // The failed probe opened the breaker again, for twice as long.
    expect(status.breaker).toMatchObject({ state: 'open', opened: 2, consecutiveFailures: 3, backoffMs: 300 })
    await exportOnce(exporter, spansNamed('dropped', 4))
    expect(broken.requests()).toBe(1)
    await broken.close()

    // Healthy again on the same port: the next probe closes the breaker and spans flow.
    peer = await startOtlpHttpPeer({ port })
    cleanup.push(() => peer.close())
    await untilNextAttempt(exporter)
    await exportOnce(exporter, spansNamed('after', 2))
    await peer.waitForSpans((spans) => spans.some((s) => s.name === 'after 1'), 5000)
    await exportOnce(exporter, spansNamed('flowing', 1))
    await peer.waitForSpans((spans) => spans.some((s) => s.name === 'flowing 0'), 5000)
    status = exporter.status().exporters[0]!
    expect(status).toMatchObject({ successes: 3, failures: 3, breaker: { state: 'closed', consecutiveFailures: 0, opened: 2, droppedSpans: 7, droppedBatches: 2 } })
    expect(peer.spans().map((s) => s.name).sort()).toEqual(['after 0', 'after 1', 'flowing 0'])
  })
})
