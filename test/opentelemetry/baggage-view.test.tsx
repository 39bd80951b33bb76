/** @jsxImportSource preact */
import { describe, expect, it, vi } from 'vitest'
import { Hono } from 'hono'
import { renderToString } from 'preact-render-to-string'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel, type OpenTelemetryStats } from '../../src/opentelemetry/index.js'
import { OpenTelemetryView } from '../../templates/client/panels/opentelemetry.js'
import { request } from '../support/local.js'

describe('the baggage in the OpenTelemetry panel', () => {
  it('shows the request baggage in the Context section, escaped, secrets redacted, drops counted, and the propagators', async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', propagators: ['baggage', 'b3'] })] }))
    app.get('/', (c) => c.html('<body>ok</body>'))
    const baggage = ['tenant=%3Cscript%3Ealert(1)%3C%2Fscript%3E;ttl=30', 'password=hunter2', 'broken'].join(',')
    const res = await request(app, '/', { headers: { baggage } })
    const id = res.headers.get('x-debug-toolbar-request-id')
    const stats: OpenTelemetryStats = (await request(app, `/_debug_toolbar/api/requests/${id}`)).json().panels.opentelemetry
    // The view names the receiver URLs after the page's origin.
    vi.stubGlobal('location', { origin: 'http://127.0.0.1:3000' })
    const html = renderToString(<OpenTelemetryView stats={stats} request={{} as never} prefix="/_debug_toolbar" openRequest={() => {}} />)
    expect(html).toContain('<strong>Baggage</strong> received: 2 members')
    expect(html).toContain('2 baggage members (1 dropped)')
    expect(html).toContain('&lt;script>alert(1)&lt;/script> ;ttl=30')
    expect(html).not.toContain('<script>alert(1)')
    expect(html).not.toContain('hunter2')
    expect(html).toContain('********')
    expect(html).toContain('1 dropped')
    expect(html).toContain('propagators: baggage, b3')
    vi.unstubAllGlobals()
  })

  it('lists the other headers each fetch() sent, baggage secrets redacted', async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', propagators: ['baggage', 'b3'] })] }))
    // A fetch() to a server that is not there still carries (and notes) the context.
    app.get('/', async (c) => {
      await fetch('http://127.0.0.1:9/api').catch(() => undefined)
      return c.html('<body>ok</body>')
    })
    const res = await request(app, '/', { headers: { baggage: 'tenant=acme,password=hunter2' } })
    const id = res.headers.get('x-debug-toolbar-request-id')
    const stats: OpenTelemetryStats = (await request(app, `/_debug_toolbar/api/requests/${id}`)).json().panels.opentelemetry
    vi.stubGlobal('location', { origin: 'http://127.0.0.1:3000' })
    const html = renderToString(<OpenTelemetryView stats={stats} request={{} as never} prefix="/_debug_toolbar" openRequest={() => {}} />)
    vi.unstubAllGlobals()
    expect(html).toContain('other headers sent')
    expect(html).toContain('baggage: tenant=acme,password=********')
    expect(html).toMatch(/b3: [0-9a-f]{32}-[0-9a-f]{16}-1/)
    expect(html).not.toContain('hunter2')
  })
})
