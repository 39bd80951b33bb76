/**
 * Live events at `{prefix}/ws` when the app passes `upgradeWebSocket` from @hono/node-server,
 * with a `ws` WebSocketServer in noServer mode, read by the `ws` client.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { Hono } from 'hono'
import { serve, upgradeWebSocket, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import WebSocket, { WebSocketServer } from 'ws'
import { debugToolbar, type Toolbar } from '../../src/index.js'

/** What `debugToolbar()` returns: the middleware, with its toolbar attached. */
type WithToolbar = ReturnType<typeof debugToolbar> & { toolbar: Toolbar }

interface Message {
  id?: number
  type: string
  data: Record<string, any>
}

/** A `ws` client that keeps every JSON message and can wait for one. */
async function openSocket(url: string) {
  const socket = new WebSocket(url)
  const messages: Message[] = []
  socket.on('message', (data) => messages.push(JSON.parse(String(data))))
  await new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
  const next = async (test: (m: Message) => boolean, timeoutMs = 5_000) => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = messages.find(test)
      if (found) return found
      if (Date.now() > deadline) throw new Error(`no matching message; got ${messages.map((m) => m.type).join(', ')}`)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
  return { socket, messages, next }
}

describe('{prefix}/ws', () => {
  let server: ServerType
  let base: string
  let wsBase: string
  let toolbar: Toolbar

  beforeAll(async () => {
    const app = new Hono()
    const middleware = debugToolbar({ upgradeWebSocket, liveEvents: { heartbeatMs: 50 } }) as WithToolbar
    toolbar = middleware.toolbar
    app.use(middleware)
    app.get('/hello', (c) => c.text('hello'))
    const wss = new WebSocketServer({ noServer: true })
    server = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', websocket: { server: wss } }, () => resolve(s))
    })
    const { port } = server.address() as AddressInfo
    base = `http://127.0.0.1:${port}`
    wsBase = `ws://127.0.0.1:${port}/_debug_toolbar/ws`
  })
  afterAll(
    () =>
      new Promise<void>((done) => {
        ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
        server.close(() => done())
      }),
  )

  it('sends the same events as the SSE route, as JSON messages', async () => {
    const client = await openSocket(wsBase)
    try {
      const res = await fetch(`${base}/hello`)
      await res.text()
      const requestId = res.headers.get('x-debug-toolbar-request-id')
      const finished = await client.next((m) => m.type === 'request.finished' && m.data.requestId === requestId)
      expect(finished).toEqual({ id: expect.any(Number), type: 'request.finished', data: { requestId, name: 'GET /hello', status: 200 } })
      const created = client.messages.find((m) => m.type === 'request.created' && m.data.requestId === requestId)!
      expect(created.data).toEqual({ requestId, name: 'GET /hello' })
      expect(created.id).toBeLessThan(finished.id!)
    } finally {
      client.socket.close()
    }
  })

  it('replays from ?lastEventId= and pings an idle client', async () => {
    const first = await openSocket(wsBase)
    await (await fetch(`${base}/hello`)).text()
    const seen = await first.next((m) => m.type === 'request.finished')
    first.socket.close()
    const res = await fetch(`${base}/hello`)
    await res.text()
    await toolbar.settled()
    const again = await openSocket(`${wsBase}?lastEventId=${seen.id}`)
    let pings = 0
    again.socket.on('ping', () => pings++)
    try {
      await again.next((m) => m.type === 'request.finished' && m.data.requestId === res.headers.get('x-debug-toolbar-request-id'))
      expect(again.messages[0]!.id).toBe(seen.id! + 1)
      // Two pings come 50 ms apart; a busy machine may take longer to deliver them.
      await vi.waitFor(() => expect(pings).toBeGreaterThanOrEqual(2), { timeout: 5_000, interval: 10 })
    } finally {
      again.socket.close()
    }
  })

  it('closes with 1008 and the reason when the last id is malformed', async () => {
    const socket = new WebSocket(`${wsBase}?lastEventId=soon`)
    const [code, reason] = await new Promise<[number, string]>((resolve) => socket.once('close', (c, r) => resolve([c, String(r)])))
    expect(code).toBe(1008)
    expect(reason).toMatch(/Last-Event-ID must be an event id/)
  })

  it('refuses a page of another site, which a browser lets open a WebSocket to any address', async () => {
    const refused = await new Promise<number>((resolve) => {
      const socket = new WebSocket(wsBase, { headers: { Origin: 'http://evil.example' } })
      socket.on('error', () => undefined)
      socket.once('open', () => {
        resolve(101)
        socket.close()
      })
      socket.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0)
        socket.terminate()
      })
    })
    // The app's 404, as to anyone refused: the page cannot tell the toolbar is here.
    expect(refused).toBe(404)
    // The toolbar's own page (the address the app is reached at) and other loopback pages still connect.
    for (const origin of [base, 'http://localhost:5173']) {
      const client = await new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(wsBase, { headers: { Origin: origin } })
        socket.once('open', () => resolve(socket))
        socket.once('error', reject)
      })
      client.close()
    }
  })

  it('stops following a client that left', async () => {
    const client = await openSocket(wsBase)
    expect(toolbar.events.size).toBeGreaterThanOrEqual(1)
    client.socket.close()
    await new Promise((resolve) => client.socket.once('close', resolve))
    for (let i = 0; i < 100 && toolbar.events.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(toolbar.events.size).toBe(0)
  })
})

describe('live events and the access rule', () => {
  it('answer 404 to a client the toolbar does not allow, over SSE and WebSocket', async () => {
    const app = new Hono()
    app.use(debugToolbar({ upgradeWebSocket, allowedHosts: ['10.1.2.3'] }))
    const wss = new WebSocketServer({ noServer: true })
    const server: ServerType = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', websocket: { server: wss } }, () => resolve(s))
    })
    const { port } = server.address() as AddressInfo
    try {
      expect((await fetch(`http://127.0.0.1:${port}/_debug_toolbar/api/events`)).status).toBe(404)
      const socket = new WebSocket(`ws://127.0.0.1:${port}/_debug_toolbar/ws`)
      socket.on('error', () => undefined)
      const status = await new Promise<number>((resolve) => socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)))
      expect(status).toBe(404)
      socket.terminate()
    } finally {
      await new Promise((done) => server.close(done))
    }
  })
})
