/** @jsxImportSource preact */
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { renderToString } from 'preact-render-to-string'
import { ExportResultCode } from '@opentelemetry/core'
import type { ExportResult } from '@opentelemetry/core'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base'
import { ExportBreaker } from '../../src/opentelemetry/export-breaker.js'
import { ToolbarSpanExporter } from '../../src/opentelemetry/exporter.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { ExportStatus } from '../../templates/client/panels/export-status.js'

function clock(start = 1_700_000_000_000) {
  const time = { now: start }
  return { time, now: () => time.now }
}

describe('ExportBreaker', () => {
  it('opens after the threshold of failures in a row, drops and counts, then probes', () => {
    const { time, now } = clock()
    const breaker = new ExportBreaker({ failureThreshold: 3, backoffMs: 1000, maxBackoffMs: 3000 }, now)
    for (let i = 0; i < 2; i++) {
      expect(breaker.admit(4)).toBe('send')
      breaker.record(false)
    }
    expect(breaker.status()).toMatchObject({ state: 'closed', consecutiveFailures: 2, opened: 0 })
    expect(breaker.admit(4)).toBe('send')
    breaker.record(false)
    expect(breaker.status()).toEqual({
      state: 'open', consecutiveFailures: 3, openUntil: time.now + 1000, nextAttemptAt: time.now + 1000,
      backoffMs: 1000, opened: 1, droppedSpans: 0, droppedBatches: 0,
    })

    expect(breaker.admit(5)).toBe('drop')
    time.now += 999
    expect(breaker.admit(2)).toBe('drop')
    expect(breaker.status()).toMatchObject({ droppedSpans: 7, droppedBatches: 2 })

    time.now += 1
    expect(breaker.admit(1)).toBe('probe')
    expect(breaker.status().state).toBe('probing')
    // One probe at a time: what comes meanwhile is dropped.
    expect(breaker.admit(3)).toBe('drop')
    breaker.record(true)
    expect(breaker.status()).toMatchObject({ state: 'closed', consecutiveFailures: 0, opened: 1, droppedSpans: 10, backoffMs: 1000 })
  })

  it('doubles the pause after each failed probe, up to the cap, and starts over after a success', () => {
    const { time, now } = clock()
    const breaker = new ExportBreaker({ failureThreshold: 1, backoffMs: 1000, maxBackoffMs: 3000 }, now)
    const pauses: number[] = []
    breaker.admit(1)
    breaker.record(false)
    for (let i = 0; i < 4; i++) {
      const { openUntil } = breaker.status()
      pauses.push(openUntil! - time.now)
      time.now = openUntil!
      expect(breaker.admit(1)).toBe('probe')
      breaker.record(false)
    }
    expect(pauses).toEqual([1000, 2000, 3000, 3000])
    time.now = breaker.status().openUntil!
    breaker.admit(1)
    breaker.record(true)
    breaker.admit(1)
    breaker.record(false)
    expect(breaker.status().openUntil! - time.now).toBe(1000)
  })

  it('does not extend the pause for a batch that fails after the breaker opened', () => {
    const { now } = clock()
    const breaker = new ExportBreaker({ failureThreshold: 1, backoffMs: 1000 }, now)
    breaker.admit(1)
    breaker.admit(1)
    breaker.record(false)
    const { openUntil } = breaker.status()
    breaker.record(false)
    expect(breaker.status()).toMatchObject({ state: 'open', openUntil, opened: 1, consecutiveFailures: 2 })
  })

  it('uses 5 failures, 5 s and 60 s by default, and refuses bad options naming them', () => {
    const breaker = new ExportBreaker()
    for (let i = 0; i < 4; i++) breaker.record(false)
    expect(breaker.status().state).toBe('closed')
    breaker.record(false)
    expect(breaker.status()).toMatchObject({ state: 'open', backoffMs: 5000 })
    expect(() => new ExportBreaker({ failureThreshold: 0 })).toThrow('exportBreaker.failureThreshold must be a positive integer, got 0')
    expect(() => new ExportBreaker({ backoffMs: 1.5 })).toThrow('exportBreaker.backoffMs')
    expect(() => new ExportBreaker({ backoffMs: 2000, maxBackoffMs: 1000 })).toThrow('must not be smaller than backoffMs')
    expect(new ExportBreaker({ backoffMs: 120_000 }).status().backoffMs).toBe(120_000)
    expect(() => new OpenTelemetryPanel({ exporter: 'none', exportBreaker: { failureThreshold: -1 } })).toThrow('exportBreaker.failureThreshold')
  })
})

/** Fails every export until `up` is set. */
class FlakyExporter implements SpanExporter {
  up = false
  calls = 0
  export(_spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.calls++
    done(this.up ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error: new Error('503 Service Unavailable') })
  }
  async shutdown(): Promise<void> {}
}

function someSpans(count: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter()
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] }).getTracer('test')
  for (let i = 0; i < count; i++) tracer.startSpan(`span ${i}`).end()
  return memory.getFinishedSpans()
}

const exportOnce = (exporter: SpanExporter, spans: ReadableSpan[]) => new Promise<ExportResult>((resolve) => exporter.export(spans, resolve))

describe('ToolbarSpanExporter with its breaker', () => {
  it('stops calling a failing exporter, keeps the healthy one, and probes after the pause', async () => {
    // The breaker's clock stands still unless the test moves it: a busy machine cannot let
    // the pause run out during the five exports.
    vi.useFakeTimers({ toFake: ['Date'] })
    onTestFinished(() => {
      vi.useRealTimers()
    })
    const flaky = new FlakyExporter()
    const healthy = new FlakyExporter()
    healthy.up = true
    const exporter = new ToolbarSpanExporter([flaky, healthy], { names: ['flaky', 'healthy'], warn: () => {}, breaker: { failureThreshold: 2, backoffMs: 30, maxBackoffMs: 60 } })
    for (let i = 0; i < 5; i++) expect((await exportOnce(exporter, someSpans(2))).code).toBe(ExportResultCode.SUCCESS)
    expect(flaky.calls).toBe(2)
    expect(healthy.calls).toBe(5)
    const [flakyStatus, healthyStatus] = exporter.status().exporters
    expect(flakyStatus).toMatchObject({ attempts: 2, failures: 2, breaker: { state: 'open', droppedSpans: 6, droppedBatches: 3 } })
    expect(healthyStatus!.breaker).toMatchObject({ state: 'closed', droppedSpans: 0 })

    flaky.up = true
    vi.setSystemTime(Date.now() + 29)
    await exportOnce(exporter, someSpans(1))
    expect(flaky.calls).toBe(2)
    vi.setSystemTime(Date.now() + 11)
    await exportOnce(exporter, someSpans(1))
    expect(flaky.calls).toBe(3)
    expect(exporter.status().exporters[0]).toMatchObject({ successes: 1, breaker: { state: 'closed', opened: 1, droppedSpans: 7 } })
  })

  it('answers a batch every breaker dropped at once, without counting an attempt', async () => {
    const flaky = new FlakyExporter()
    const exporter = new ToolbarSpanExporter(flaky, { warn: () => {}, breaker: { failureThreshold: 1, backoffMs: 60_000 } })
    await exportOnce(exporter, someSpans(1))
    expect((await exportOnce(exporter, someSpans(4))).code).toBe(ExportResultCode.SUCCESS)
    expect(exporter.status()).toMatchObject({ attempts: 1, failures: 1, exporters: [{ breaker: { state: 'open', droppedSpans: 4 } }] })
  })
})

describe('the export status line', () => {
  const base = { name: 'otlp http/protobuf http://127.0.0.1:4318/v1/traces', attempts: 5, successes: 0, failures: 5, spans: 0, lastError: 'connect ECONNREFUSED' }
  const breaker = { consecutiveFailures: 5, backoffMs: 5000, opened: 1, droppedSpans: 12, droppedBatches: 3 }

  it('says until when an open circuit pauses the export, and what was dropped', () => {
    const openUntil = new Date(2026, 0, 1, 10, 21, 5).getTime()
    const html = renderToString(<ExportStatus status={{ ...base, exporters: [{ ...base, breaker: { ...breaker, state: 'open', openUntil, nextAttemptAt: openUntil } }] }} />)
    expect(html).toContain('data-breaker="open"')
    expect(html).toContain('Circuit open until 10:21:05')
    // The time once: the batch after it is the attempt, with no second clock time to read.
    expect(html).toContain('the first batch after then tests the collector')
    expect(html.split('10:21:05')).toHaveLength(2)
    expect(html).toContain('12 spans dropped while paused')
  })

  it('shows a probe in progress, and a circuit that closed again', () => {
    const probing = renderToString(<ExportStatus status={{ ...base, exporters: [{ ...base, breaker: { ...breaker, state: 'probing' } }] }} />)
    expect(probing).toContain('data-breaker="probing"')
    expect(probing).toContain('Probing: one batch is testing the collector')
    const recovered = { ...base, successes: 1, spans: 3 }
    const closed = renderToString(<ExportStatus status={{ ...recovered, exporters: [{ ...recovered, breaker: { ...breaker, state: 'closed', consecutiveFailures: 0 } }] }} />)
    expect(closed).toContain('circuit closed (opened 1 time)')
    const never = renderToString(<ExportStatus status={{ ...recovered, exporters: [{ ...recovered, failures: 0, breaker: { ...breaker, state: 'closed', opened: 0, droppedSpans: 0 } }] }} />)
    expect(never).not.toContain('data-breaker')
  })

  it('says how many spans a full export queue kept from the collector, and says nothing when none', () => {
    const ok = { ...base, successes: 4, failures: 0, spans: 1000 }
    const full = renderToString(<ExportStatus status={{ ...ok, queueDropped: 4001, maxQueueSize: 1000, exporters: [ok] }} />)
    expect(full).toContain('data-export="queue-full"')
    expect(full).toContain('4001 spans were not exported: the export queue was full')
    expect(full).toContain('(1000 spans, OTEL_BSP_MAX_QUEUE_SIZE)')
    expect(renderToString(<ExportStatus status={{ ...ok, queueDropped: 0, maxQueueSize: 1000, exporters: [ok] }} />)).not.toContain('queue-full')
  })
})
