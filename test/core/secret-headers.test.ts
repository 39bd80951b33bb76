// Whatever credentials a request carries in its headers (Authorization, cookies, API keys,
// tokens, signatures, under any case, several at once, beside ordinary headers), and whatever
// the app answers with (Set-Cookie, its own token headers), no panel of the recorded request,
// no span of its trace and no MCP answer shows them, and the ordinary headers show as sent.
// fast-check writes the headers.
import { describe, it } from 'vitest'
import fc from 'fast-check'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { request } from '../support/local.js'

const SECRET_NAMES = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'api-key', 'x-auth-token', 'x-csrf-token', 'x-amz-signature', 'x-hub-signature-256', 'x-session-id', 'x-access-token', 'x-client-secret', 'x-refresh-token', 'x-jwt']
const ORDINARY = ['accept', 'x-request-source', 'x-tenant', 'user-agent', 'x-forwarded-proto', 'x-page']

const casing = (name: string) => fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((upper) => [...name].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join(''))
// Credentials as they are written: a bearer token, a basic pair, cookie pairs, a bare key.
const secretValue = fc.nat(1_000_000).chain((n) =>
  fc.constantFrom(`Bearer SECRET-${n}`, `Basic U0VDUkVULSR7bn0=SECRET-${n}`, `sid=SECRET-${n}; theme=dark`, `SECRET-${n}`, `sha256=SECRET-${n}`),
)

describe("a request's credentials", () => {
  it('show nowhere the toolbar shows or exports a request, and its ordinary headers show as sent', async () => {
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop' })] }))
    let answer: Array<[string, string]> = []
    app.get('/account', (c) => {
      for (const [name, value] of answer) c.header(name, value, { append: true })
      return c.text('ok')
    })
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.constantFrom(...SECRET_NAMES).chain((name) => fc.tuple(casing(name), secretValue)), { minLength: 1, maxLength: 4, selector: ([name]) => name.toLowerCase() }),
        fc.uniqueArray(fc.tuple(fc.constantFrom(...ORDINARY), fc.stringMatching(/^[a-z0-9 ./-]{1,12}$/).map((v) => v.trim() || 'x')), { maxLength: 3, selector: ([name]) => name }),
        fc.array(fc.tuple(fc.constantFrom('set-cookie', 'x-auth-token', 'authorization'), secretValue), { maxLength: 2 }),
        async (secrets, ordinary, answered) => {
          answer = answered
          const res = await request(app, '/account', { headers: [...secrets, ...ordinary] })
          const id = res.headers.get('x-debug-toolbar-request-id')
          const detail = await request(app, `/_debug_toolbar/api/requests/${id}`)
          const trace = await request(app, `/_debug_toolbar/api/traces/${detail.json().panels.opentelemetry.traceId}`)
          const otlp = await request(app, `/_debug_toolbar/api/traces/${detail.json().panels.opentelemetry.traceId}/otlp`)
          for (const shown of [detail.text, trace.text, otlp.text]) if (shown.includes('SECRET-')) throw new Error(`a credential shows: ${shown.slice(shown.indexOf('SECRET-') - 120, shown.indexOf('SECRET-') + 20)}`)
          const sent = Object.fromEntries(detail.json().panels.headers.request as Array<[string, string]>)
          return ordinary.every(([name, value]) => sent[name] === value)
        },
      ),
      { numRuns: 300 },
    )
  })
})
