/** @jsxImportSource preact */
import { request as httpRequest } from 'node:http'
import { Hono } from 'hono'
import { renderToString } from 'preact-render-to-string'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { debugToolbar, type RequestStats } from '../../src/index.js'
import { RequestView } from '../../templates/client/panels/request.js'
import { startLoopbackService } from '../support/loopback-service.js'

/** Sends `method path` over a real socket, with the body written in chunks when given; answers the request id. */
function send(base: string, method: string, path: string, chunks?: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method, headers: chunks ? { 'content-type': 'text/plain' } : {} }, (res) => {
      res.resume()
      res.on('end', () => resolve(String(res.headers['x-debug-toolbar-request-id'])))
    })
    req.on('error', reject)
    // Writes before end() make Node send the body chunked, without Content-Length.
    for (const chunk of chunks ?? []) req.write(chunk)
    req.end()
  })
}

describe('the Request panel on a request body without Content-Length', () => {
  let service: { base: string; close: () => Promise<void> }
  const statsOf = async (id: string) => ((await (await fetch(`${service.base}/_debug_toolbar/api/requests/${id}`)).json()).panels.request as RequestStats)
  const shown = (stats: RequestStats) => renderToString(<RequestView stats={stats} />).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')

  beforeAll(async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.all('/echo', async (c) => c.text(String((await c.req.text()).length)))
    service = await startLoopbackService(app)
  })

  afterAll(async () => {
    await service.close()
  })

  it('says a GET without a body has none, not "none or chunked"', async () => {
    const stats = await statsOf(await send(service.base, 'GET', '/echo'))
    expect(stats.requestBodyBytes).toBeUndefined()
    expect(shown(stats)).toContain('Request body none Response body')
  })

  it('says a body sent in chunks came without a length', async () => {
    const stats = await statsOf(await send(service.base, 'POST', '/echo', ['first part, ', 'second part']))
    expect(stats.requestBodyBytes).toBeUndefined()
    expect(shown(stats)).toContain('Request body sent chunked, length not known · text/plain')
  })

  it('gives the length of a body sent with Content-Length', async () => {
    const id = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${service.base}/echo`, { method: 'POST', headers: { 'content-length': '5' } }, (res) => {
        res.resume()
        res.on('end', () => resolve(String(res.headers['x-debug-toolbar-request-id'])))
      })
      req.on('error', reject)
      req.end('hello')
    })
    expect((await statsOf(id)).requestBodyBytes).toBe(5)
  })
})
