import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import type { ExportResult } from '@opentelemetry/core'
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base'
import { debugToolbar } from '../../src/index.js'
import { PROCESS_INSTANCE } from '../../src/core/store.js'
import { OpenTelemetryPanel, type OpenTelemetryStats } from '../../src/opentelemetry/index.js'
import { request } from '../support/local.js'

/** A collector stand-in that accepts every batch. */
class Accepting implements SpanExporter {
  export(_spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    done({ code: 0 })
  }
  async shutdown(): Promise<void> {}
}

describe('GET /api/export-status: what an open panel polls while a batch is unsent', () => {
  it('answers the export status a request read now carries, and this process as the instance', async () => {
    const panel = new OpenTelemetryPanel({ serviceName: 'shop', exporter: new Accepting() })
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [panel] }))
    app.get('/', (c) => c.html('<body>ok</body>'))
    const id = (await request(app, '/')).headers.get('x-debug-toolbar-request-id')
    await panel.forceFlush()

    const answer = (await request(app, '/_debug_toolbar/api/export-status')).json()
    const detail = (await request(app, `/_debug_toolbar/api/requests/${id}`)).json()
    const stats = detail.panels.opentelemetry as OpenTelemetryStats
    expect(answer).toEqual({ instance: PROCESS_INSTANCE, export: stats.export })
    expect(answer.export.exporters).toHaveLength(1)
    expect(answer.export.exporters[0]).toMatchObject({ attempts: 1, successes: 1, failures: 0 })
    await panel.shutdown()
  })
})
