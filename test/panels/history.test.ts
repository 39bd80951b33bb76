import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { debugToolbar } from '../../src/index.js'
import { request } from '../support/local.js'

async function historySubtitle(app: Hono, path: string): Promise<string> {
  const { headers } = await request(app, path)
  const detail = (await request(app, `/_debug_toolbar/api/requests/${headers.get('x-debug-toolbar-request-id')}`)).json()
  return detail.nav.find((n: { id: string }) => n.id === 'history').subtitle
}

describe('HistoryPanel', () => {
  it('counts the requests the history holds, this one included, in words that agree with the number', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/', (c) => c.text('ok'))
    expect(await historySubtitle(app, '/')).toBe('1 request')
    expect(await historySubtitle(app, '/')).toBe('2 requests')
    expect(await historySubtitle(app, '/')).toBe('3 requests')
  })
})
