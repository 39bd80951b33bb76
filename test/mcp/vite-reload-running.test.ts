import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { loopbackServers } from '../support/loopback-service.js'
import { call, connect } from './app.js'

// Under @hono/vite-dev-server a save evaluates the entry module again: the new toolbar takes
// over the previous one's history, including the running requests the history let go of.

describe('a request still running past the history, after a save under Vite', () => {
  const start = loopbackServers()

  it('is still listed [running] by the new toolbar, and as ended once it ends', async () => {
    // What @hono/vite-dev-server puts in c.env: the dev server, whose HTTP server closing retires the last toolbar.
    const httpServer = new EventEmitter()
    const vite = { httpServer }
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const state = { hanging: 0 }
    // The entry module: an app with a history of 5 requests and a handler that hangs.
    const evaluate = () => {
      const app = new Hono()
      app.use(debugToolbar({ maxRequests: 5 }))
      app.get('/hang/:id', async (c) => {
        state.hanging++
        await gate
        return c.text('done')
      })
      app.get('/done', (c) => c.text('done'))
      return app
    }
    // As the plugin does: each request goes to the app of the latest evaluation, with the server in c.env.
    let current = evaluate()
    const served = new Hono()
    served.all('*', (c) => current.fetch(c.req.raw, { ...c.env, vite }))
    const base = await start(served)
    const hanging = fetch(`${base}/hang/7`).then((res) => res.text())
    try {
      while (state.hanging === 0) await new Promise((resolve) => setTimeout(resolve, 10))
      // More than maxRequests newer requests: the history's ring lets go of the running one.
      for (let i = 0; i < 8; i++) await (await fetch(`${base}/done`)).text()
      // Saved: the entry module is evaluated again, and its new toolbar answers from now on.
      current = evaluate()
      await (await fetch(`${base}/done`)).text()
      const client = await connect(base)
      try {
        const { text, data } = await call(client, 'list_requests')
        expect(text.split('\n')[0]).toMatch(/^\S+ {2}GET \/hang\/:id \(\/hang\/7\) {2}… {2}running for \S+ (µs|ms|s) .*\[running\]$/)
        expect(data.requests[0]).toMatchObject({ path: '/hang/7', running: true })
        const id: string = data.requests[0].id
        expect((await call(client, 'get_request', { request_id: id })).text.split('\n')[0]).toBe(`Request ${id}: GET /hang/:id (/hang/7) -> … in ? (still running: its handler has not returned)`)

        release()
        await hanging
        // Ended under the toolbar it started in: the new one no longer lists it as running.
        const after = await call(client, 'list_requests')
        expect(after.text).not.toContain('[running]')
      } finally {
        await client.close()
      }
    } finally {
      release()
      await hanging
      httpServer.emit('close')
    }
  })
})
