import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { SqliteStore } from '../../src/store/sqlite.js'
import { request } from '../support/local.js'

describe('the Headers panel and the secrets a baggage header carries', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hdt-headers-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('redacts the values of secret-looking baggage members, in the panel and in the history file', async () => {
    const store = new SqliteStore({ path: join(dir, 'history.db') })
    const app = new Hono()
    app.use(debugToolbar({ store, enabled: true }))
    app.get('/', (c) => c.text('ok'))
    const baggage = 'user.id=42,user.password=hunter2;ttl=60, session_id=s3cr3t-sess ,api%5Fkey=k3y'
    const { headers } = await request(app, '/', { headers: { baggage } })
    const id = headers.get('x-debug-toolbar-request-id')
    const detail = (await request(app, `/_debug_toolbar/api/requests/${id}`)).json()
    const shown = Object.fromEntries(detail.panels.headers.request as Array<[string, string]>)
    expect(shown.baggage).toBe('user.id=42,user.password=********;ttl=60, session_id=********,api%5Fkey=********')
    await store.close()
    // Nothing of the secrets reached the disk (the file, and its write-ahead log if any is left).
    const written = readdirSync(dir).map((file) => readFileSync(join(dir, file), 'latin1')).join('')
    expect(written).toContain('user.password')
    for (const secret of ['hunter2', 's3cr3t-sess', 'k3y']) expect(written).not.toContain(secret)
  })

  it('redacts secret query parameters in the URLs that headers carry: a reset link in Referer, a token in a redirect', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/', (c) => c.redirect('/signed-in?access_token=at-s3cret&state=7#id_token=it-s3cret&scope=all'))
    const { headers } = await request(app, '/', { headers: { referer: 'http://localhost:3000/reset?token=rt-s3cret&step=2' } })
    const detail = (await request(app, `/_debug_toolbar/api/requests/${headers.get('x-debug-toolbar-request-id')}`)).json()
    const sent = Object.fromEntries(detail.panels.headers.request as Array<[string, string]>)
    const answered = Object.fromEntries(detail.panels.headers.response as Array<[string, string]>)
    expect(sent.referer).toBe('http://localhost:3000/reset?token=********&step=2')
    expect(answered.location).toBe('/signed-in?access_token=********&state=7#id_token=********&scope=all')
    expect(JSON.stringify(detail)).not.toContain('s3cret')
  })

  it('redacts the credential headers of common services, and shows ordinary headers as they are', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.post('/', (c) => {
      c.header('X-Amz-Security-Token', 'sent-s3cret-1')
      c.header('X-Request-Id', 'r-42')
      return c.text('ok')
    })
    const credentials = {
      'X-Auth-Key': 'cf-s3cret-2',
      'X-Api-Key': 'api-s3cret-3',
      'X-Auth-Token': 'auth-s3cret-4',
      'Proxy-Authorization': 'Basic cHJveHk6czNjcmV0',
      'X-Goog-Api-Key': 'goog-s3cret-5',
      'Ocp-Apim-Subscription-Key': 'azure-s3cret-6',
      'X-Functions-Key': 'fn-s3cret-7',
      'X-Access-Key': 'access-s3cret-8',
      'X-Forwarded-Authorization': 'Bearer fwd-s3cret-9',
      'X-Goog-Iap-Jwt-Assertion': 'jwt-s3cret-10',
      'Stripe-Signature': 't=1,v1=stripe-s3cret-11',
      'X-Hub-Signature-256': 'sha256=hub-s3cret-12',
      'X-Shopify-Hmac-Sha256': 'shop-s3cret-13',
    }
    const ordinary = {
      'X-Request-Id': 'req-7',
      'Keep-Alive': 'timeout=5',
      'Accept-Encoding': 'gzip',
      'Content-Length': '5',
      'Idempotency-Key': 'idem-8',
      'X-Debug-Toolbar-Request-Id': 'caller-9',
    }
    const { headers } = await request(app, '/', { method: 'POST', body: 'hello', headers: { ...credentials, ...ordinary } })
    const detail = (await request(app, `/_debug_toolbar/api/requests/${headers.get('x-debug-toolbar-request-id')}`)).json()
    const sent = Object.fromEntries(detail.panels.headers.request as Array<[string, string]>)
    const answered = Object.fromEntries(detail.panels.headers.response as Array<[string, string]>)
    for (const name of Object.keys(credentials)) expect(sent[name.toLowerCase()]).toBe('********')
    for (const [name, value] of Object.entries(ordinary)) expect(sent[name.toLowerCase()]).toBe(value)
    expect(answered['x-amz-security-token']).toBe('********')
    expect(answered['x-request-id']).toBe('r-42')
    expect(answered['x-debug-toolbar-request-id']).toBe(headers.get('x-debug-toolbar-request-id'))
    expect(JSON.stringify(detail)).not.toContain('s3cret')
  })
})
