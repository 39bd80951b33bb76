import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { debugToolbar, type RequestStats } from '../../src/index.js'
import { redactQueryParameter, redactQueryParameters } from '../../src/core/redact.js'
import { URL_REDACTED } from '../../src/opentelemetry/http-conventions.js'
import { redactText } from '../../src/core/redact-text.js'
import { startLoopbackService } from '../support/loopback-service.js'

// One-time codes, personal numbers, passwords, credentials, sessions and signatures under the
// short names forms and links give them (Firebase's `?auth=`, phpBB's `?sid=`, Shopify's `?hmac=`).
const QUERY =
  'otp=482913&TOTP=112233&pin=4321&passcode=9f8e7d&ssn=078-05-1120&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' +
  '&pwd=pw-a1&Pass=pw-a2&auth=pw-a3&bearer=pw-a4&sid=pw-a5&signature=pw-a6&hmac=pw-a7&jwt=pw-a8'
const SECRETS = ['482913', '112233', '4321', '9f8e7d', '078-05-1120', 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'pw-a']
// Names that contain those letters, and short codes that are no secret.
const KEPT = 'spin=2&pinned=1&shopping=cart&code=FR&zip=75001&passport=ok&sidebar=1&author=ada'

describe('query parameters named as one-time codes, personal numbers, passwords, sessions and signatures', () => {
  let service: { base: string; close: () => Promise<void> }
  let requestId: string

  beforeAll(async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/verify', (c) => c.text('ok'))
    service = await startLoopbackService(app)
    const res = await fetch(`${service.base}/verify?${QUERY}&${KEPT}`)
    expect(await res.text()).toBe('ok')
    requestId = res.headers.get('x-debug-toolbar-request-id')!
  })

  afterAll(async () => {
    await service.close()
  })

  it("are redacted in the Request panel's URL and query table, under any case; names that only contain them stay", async () => {
    const detail = await (await fetch(`${service.base}/_debug_toolbar/api/requests/${requestId}`)).json()
    const request = detail.panels.request as RequestStats
    expect(SECRETS.filter((secret) => JSON.stringify(detail).includes(secret))).toEqual([])
    expect(request.query).toMatchObject({ otp: ['********'], TOTP: ['********'], pin: ['********'], passcode: ['********'], ssn: ['********'], code_verifier: ['********'] })
    expect(request.query).toMatchObject({ pwd: ['********'], Pass: ['********'], auth: ['********'], bearer: ['********'], sid: ['********'], signature: ['********'], hmac: ['********'], jwt: ['********'] })
    expect(request.query).toMatchObject({ spin: ['2'], pinned: ['1'], shopping: ['cart'], code: ['FR'], zip: ['75001'], passport: ['ok'], sidebar: ['1'], author: ['ada'] })
  })

  it("are redacted in a written query, in an exported span's url.query and in a URL written in a log line", () => {
    expect(redactQueryParameters(`${QUERY}&${KEPT}`)).toBe(
      `otp=********&TOTP=********&pin=********&passcode=********&ssn=********&code_verifier=********&pwd=********&Pass=********&auth=********&bearer=********&sid=********&signature=********&hmac=********&jwt=********&${KEPT}`,
    )
    // What the OpenTelemetry panel writes into url.query and url.full, value by value.
    expect(['otp', 'Pin', 'SSN', 'code_verifier', 'pwd', 'auth', 'hmac', 'spin', 'code', 'author'].map((name) => redactQueryParameter(name, '4321', URL_REDACTED))).toEqual([
      'REDACTED', 'REDACTED', 'REDACTED', 'REDACTED', 'REDACTED', 'REDACTED', 'REDACTED', '4321', '4321', '4321',
    ])
    expect(redactText('GET /verify?otp=482913&spin=2')).toBe('GET /verify?otp=********&spin=2')
    expect(redactText('GET https://shop.example/app?shop=a&hmac=pw-a7&timestamp=1')).toBe('GET https://shop.example/app?shop=a&hmac=********&timestamp=1')
  })
})
