import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { request } from '../support/local.js'

describe('the Request panel and a URL given as a query value', () => {
  it('redacts the secrets of the inner URL, encoded or not, in the query table, the URL and a Referer', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/login', (c) => c.text('ok'))
    const query = [
      'next=https%3A%2F%2Fapi.example%2Fcb%3Ftoken%3Dinner-s3cret-1%26step%3D2',
      'callback=https://user:inner-s3cret-2@host/x',
      'back=%2Fcart%3Fcoupon%3DSPRING%23access_token%3Dinner-s3cret-3',
      'home=https://example.com/a?b=1',
      'email=ann@example.com',
    ].join('&')
    const referer = `http://localhost:3000/login?${query}`
    const res = await request(app, `/login?${query}`, { headers: { referer } })
    const detail = (await request(app, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    expect(detail.panels.request.query).toEqual({
      next: ['https://api.example/cb?token=********&step=2'],
      callback: ['https://********@host/x'],
      back: ['/cart?coupon=SPRING#access_token=********'],
      home: ['https://example.com/a?b=1'],
      email: ['ann@example.com'],
    })
    // A value with a secret is encoded again; the others keep their spelling.
    const shownQuery = [
      'next=https%3A%2F%2Fapi.example%2Fcb%3Ftoken%3D********%26step%3D2',
      'callback=https://********@host/x',
      'back=%2Fcart%3Fcoupon%3DSPRING%23access_token%3D********',
      'home=https://example.com/a?b=1',
      'email=ann@example.com',
    ].join('&')
    expect(detail.panels.request.url).toBe(`http://localhost/login?${shownQuery}`)
    const sent = Object.fromEntries(detail.panels.headers.request as Array<[string, string]>)
    expect(sent.referer).toBe(`http://localhost:3000/login?${shownQuery}`)
    expect(JSON.stringify(detail)).not.toContain('s3cret')
  })

  it('looks into a URL inside the inner URL too, eight URLs deep and no deeper', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/', (c) => c.text('ok'))
    // https://u1.example/?token=t1&then=<https://u2.example/?token=t2&then=...>, nine URLs, each encoded in the one before.
    const chain = (from: number, shown: (n: number) => string): string =>
      `https://u${from}.example/?token=${shown(from)}${from < 9 ? `&then=${encodeURIComponent(chain(from + 1, shown))}` : ''}`
    const res = await request(app, `/?next=${encodeURIComponent(chain(1, (n) => `t${n}`))}`)
    const detail = (await request(app, `/_debug_toolbar/api/requests/${res.headers.get('x-debug-toolbar-request-id')}`)).json()
    // The ninth is not looked into: a bound, so that a crafted value costs a few passes at most.
    expect(detail.panels.request.query.next).toEqual([chain(1, (n) => (n <= 8 ? '********' : `t${n}`))])
  })
})
