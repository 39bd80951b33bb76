import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel, type OpenTelemetryStats } from '../../src/opentelemetry/index.js'
import { clientEnv } from './local.js'
import { withSpans } from './trace-spans.js'

/**
 * A Hono app with the toolbar and an OpenTelemetry panel that exports nothing; `run` makes
 * a request from loopback and answers what the toolbar's API shows for it, with the spans
 * of the trace (fetched as the panel's view does).
 */
export function otelApp(options: ConstructorParameters<typeof OpenTelemetryPanel>[0] = {}) {
  const app = new Hono()
  app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', ...options })] }))
  const run = async (path: string, init?: RequestInit) => {
    const res = await app.request(path, init, clientEnv())
    await res.text()
    const detail = await (await app.request(`/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`, undefined, clientEnv())).json()
    return { detail, stats: await withSpans(app, detail.panels.opentelemetry as OpenTelemetryStats) }
  }
  return { app, run }
}
