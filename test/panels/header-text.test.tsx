/** @jsxImportSource preact */
import type { AddressInfo } from 'node:net'
import { Hono } from 'hono'
import { serve, type ServerType } from '@hono/node-server'
import { renderToString } from 'preact-render-to-string'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { debugToolbar, type HeadersStats, type RequestStats } from '../../src/index.js'
import { HeadersView } from '../../templates/client/panels/headers.js'
import { rawRequest } from '../support/raw-request.js'

const PREFIX = '/_debug_toolbar'

describe('header values sent as UTF-8 bytes', () => {
  let server: ServerType
  let port: number

  beforeAll(async () => {
    const app = new Hono()
    app.use(debugToolbar({ enabled: true }))
    app.get('/', (c) => {
      // What an app writes to send UTF-8 through Node, which writes each character of a header as one byte.
      c.header('X-Greeting', Buffer.from('Olá, São Paulo', 'utf8').toString('latin1'))
      // A Latin-1 value, written as Node sends it: not UTF-8, shown as the app set it.
      c.header('X-Latin1', 'Café')
      return c.text('ok')
    })
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
    await new Promise<void>((resolve) => server.once('listening', () => resolve()))
    port = (server.address() as AddressInfo).port
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  async function detail(head: string) {
    const answer = await rawRequest(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${head}`)
    const id = /x-debug-toolbar-request-id: (\S+)/i.exec(answer)?.[1]
    expect(id).toBeDefined()
    const res = await fetch(`http://127.0.0.1:${port}${PREFIX}/api/requests/${id}`)
    return (await res.json()) as { panels: { headers: HeadersStats; request: RequestStats } }
  }

  it('shows them as written in the Headers panel, its JSON and its rendered view, with secrets still redacted', async () => {
    const { panels } = await detail(
      'X-User: José Müller 日本\r\nX-Auth-Token: sécret-ü-42\r\nReferer: http://localhost/réinitialiser?token=clé-9&étape=2\r\n',
    )
    const sent = Object.fromEntries(panels.headers.request)
    const answered = Object.fromEntries(panels.headers.response)
    expect(sent['x-user']).toBe('José Müller 日本')
    expect(sent['x-auth-token']).toBe('********')
    expect(sent.referer).toBe('http://localhost/réinitialiser?token=********&étape=2')
    expect(answered['x-greeting']).toBe('Olá, São Paulo')
    expect(answered['x-latin1']).toBe('Café')
    const html = renderToString(<HeadersView stats={panels.headers} />)
    expect(html).toContain('José Müller 日本')
    expect(html).toContain('Olá, São Paulo')
    expect(JSON.stringify(panels)).not.toContain('sécret')
    expect(JSON.stringify(panels)).not.toContain('clé')
  })

  it('keeps a value that is not UTF-8 as it arrived, each byte one character', async () => {
    // Latin-1 bytes on the wire (0xE9 for é): no UTF-8 reading of them exists.
    const answer = await rawRequest(port, Buffer.concat([Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-User: Jos`), Buffer.from([0xe9]), Buffer.from('\r\n')]))
    const id = /x-debug-toolbar-request-id: (\S+)/i.exec(answer)?.[1]
    const { panels } = (await (await fetch(`http://127.0.0.1:${port}${PREFIX}/api/requests/${id}`)).json()) as { panels: { headers: HeadersStats } }
    expect(Object.fromEntries(panels.headers.request)['x-user']).toBe('José')
  })

  it('names cookies as written in the Request panel', async () => {
    const { panels } = await detail('Cookie: préférence=sombre; ok=1\r\n')
    expect(panels.request.cookies).toEqual({ préférence: '********', ok: '********' })
  })
})
