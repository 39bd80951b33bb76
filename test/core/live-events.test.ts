/**
 * Live events over server-sent events, on a real server on loopback, read with
 * eventsource-parser over fetch: the request and trace events, a late span's
 * `trace.updated`, `Last-Event-ID` replay, the heartbeat, and slow clients.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { Hono } from 'hono'
import { serve, type ServerType } from '@hono/node-server'
import { connect, type AddressInfo } from 'node:net'
import { debugToolbar, ToolbarEvents, type DebugToolbarOptions, type Toolbar } from '../../src/index.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/index.js'
import { openEventStream, type EventStreamClient } from '../support/event-stream.js'
import { clientEnv } from '../support/local.js'
import { postLateSpan } from '../support/late-otlp-span.js'

/** What `debugToolbar()` returns: the middleware, with its toolbar attached. */
type WithToolbar = ReturnType<typeof debugToolbar> & { toolbar: Toolbar }

interface Served {
  url: string
  events: string
  toolbar: Toolbar
  panel: OpenTelemetryPanel
  close(): Promise<void>
}

async function serveApp(options: DebugToolbarOptions = {}): Promise<Served> {
  const app = new Hono()
  const panel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'shop', gracePeriodMs: 60_000 })
  const middleware = debugToolbar({ extraPanels: [panel], ...options }) as WithToolbar
  app.use(middleware)
  app.get('/users/:id', (c) => c.html(`<html><body>user ${c.req.param('id')}</body></html>`))
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    events: `${url}/_debug_toolbar/api/events`,
    toolbar: middleware.toolbar,
    panel,
    close: () =>
      new Promise((done) => {
        ;(server as { closeAllConnections?: () => void }).closeAllConnections?.()
        server.close(() => done())
      }),
  }
}

const clients: EventStreamClient[] = []
async function follow(url: string, lastEventId?: string) {
  const client = await openEventStream(url, lastEventId)
  clients.push(client)
  return client
}
afterEach(() => {
  for (const client of clients.splice(0)) client.close()
})

describe('GET {prefix}/api/events', () => {
  let served: Served
  beforeAll(async () => {
    served = await serveApp({ liveEvents: { heartbeatMs: 50 } })
  })
  afterAll(() => served.close())

  it('streams the request and trace events of a request, each with an increasing id', async () => {
    const client = await follow(served.events)
    expect(client.status).toBe(200)
    const res = await fetch(`${served.url}/users/7`)
    await res.text()
    const requestId = res.headers.get('x-debug-toolbar-request-id')!
    const finished = await client.next((e) => e.event === 'request.finished' && e.json.data.requestId === requestId)
    const ofRequest = client.events.filter((e) => e.json.data.requestId === requestId)
    expect(ofRequest.map((e) => e.event)).toEqual(['request.created', 'trace.created', 'trace.completed', 'request.finished'])
    expect(ofRequest[0]!.json.data).toEqual({ requestId, name: 'GET /users/:id' })
    const ids = ofRequest.map((e) => Number(e.id))
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    expect(new Set(ids).size).toBe(4)
    expect(finished.json).toEqual({
      id: Number(finished.id),
      type: 'request.finished',
      data: { requestId, traceId: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'GET /users/:id', status: 200 },
    })
    const completed = ofRequest[2]!.json
    expect(completed.data).toMatchObject({ traceId: finished.json.data.traceId, spanCount: 1, services: ['shop'], source: 'local' })
  })

  it('sends trace.updated within a second of a late span reaching the OTLP receiver', async () => {
    const client = await follow(served.events)
    const res = await fetch(`${served.url}/users/8`)
    await res.text()
    const finished = await client.next((e) => e.event === 'request.finished' && e.json.data.requestId === res.headers.get('x-debug-toolbar-request-id'))
    const traceId = finished.json.data.traceId as string
    const completed = client.events.find((e) => e.event === 'trace.completed' && e.json.data.traceId === traceId)!
    expect((await postLateSpan(served.url, traceId)).status).toBe(200)
    const updated = await client.next((e) => e.event === 'trace.updated' && e.json.data.traceId === traceId, 1_000)
    expect(updated.json.data).toMatchObject({ requestId: finished.json.data.requestId, spanCount: 2, source: 'otlp_http' })
    expect(updated.json.data.services).toEqual(expect.arrayContaining(['shop', 'billing']))
    expect(Number(updated.id)).toBeGreaterThan(Number(completed.id))
  })

  it('replays what a reconnecting client missed after its Last-Event-ID', async () => {
    const first = await follow(served.events)
    const before = await fetch(`${served.url}/users/1`)
    await before.text()
    const seen = await first.next((e) => e.event === 'request.finished' && e.json.data.requestId === before.headers.get('x-debug-toolbar-request-id'))
    first.close()
    const missed: string[] = []
    for (const id of [2, 3, 4]) {
      const res = await fetch(`${served.url}/users/${id}`)
      await res.text()
      missed.push(res.headers.get('x-debug-toolbar-request-id')!)
    }
    await served.toolbar.settled()
    const again = await follow(served.events, seen.id)
    const last = await again.next((e) => e.event === 'request.finished' && e.json.data.requestId === missed[2])
    const replayed = again.events.slice(0, again.events.indexOf(last) + 1)
    expect(replayed.filter((e) => e.event === 'request.finished').map((e) => e.json.data.requestId)).toEqual(missed)
    // Nothing twice, nothing skipped: the ids follow on from the one the client had.
    expect(replayed.map((e) => Number(e.id))).toEqual(replayed.map((_, i) => Number(seen.id) + 1 + i))
  })

  it('accepts the last id in the query too, and refuses a malformed one with a 400', async () => {
    const bad = await fetch(served.events, { headers: { 'last-event-id': 'yesterday' } })
    expect(bad.status).toBe(400)
    expect((await bad.json()).error).toMatch(/Last-Event-ID must be an event id/)
    const res = await fetch(`${served.url}/users/5`)
    await res.text()
    await served.toolbar.settled()
    const client = await follow(`${served.events}?lastEventId=1`)
    await client.next((e) => e.event === 'request.finished' && e.json.data.requestId === res.headers.get('x-debug-toolbar-request-id'))
  })

  it('answers HEAD (curl -I) with the headers alone, and follows no client for it', async () => {
    const before = served.toolbar.events.size
    for (let i = 0; i < 3; i++) {
      const res = await fetch(served.events, { method: 'HEAD' })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
      expect(await res.text()).toBe('')
    }
    // No stream was opened: nothing holds a queue of events for a client that will never read it.
    expect(served.toolbar.events.size).toBeLessThanOrEqual(before)
  })

  it('sends a comment heartbeat on an idle connection', async () => {
    const client = await follow(served.events)
    // Two heartbeats come 50 ms apart; a busy machine may take longer to deliver them.
    await vi.waitFor(() => expect(client.comments.filter((c) => c === 'heartbeat').length).toBeGreaterThanOrEqual(2), { timeout: 5_000, interval: 10 })
    expect(client.comments).toContain('connected')
  })
})

describe('a client that reconnects after the replay buffer moved on', () => {
  it('is told how many events it missed, then gets the whole buffer', async () => {
    const served = await serveApp({ liveEvents: { replaySize: 4 } })
    try {
      const watcher = await follow(served.events)
      for (const id of [1, 2, 3]) await (await fetch(`${served.url}/users/${id}`)).text()
      await served.toolbar.settled()
      await watcher.next((e) => e.event === 'request.finished' && e.json.data.name === 'GET /users/:id' && watcher.events.filter((x) => x.event === 'request.finished').length === 3)
      const lastId = Number(watcher.events.at(-1)!.id)
      const firstId = Number(watcher.events.find((e) => e.id)!.id)
      const client = await follow(served.events, String(firstId))
      const notice = await client.next((e) => e.event === 'events.dropped')
      // The events after the first, up to lastId-4, left the four-event buffer.
      expect(notice.json).toEqual({ type: 'events.dropped', data: { count: lastId - 4 - firstId } })
      expect(notice.id).toBeUndefined()
      await client.next((e) => Number(e.id) === lastId)
      expect(client.events.filter((e) => e.id).map((e) => Number(e.id))).toEqual([lastId - 3, lastId - 2, lastId - 1, lastId])
    } finally {
      await served.close()
    }
  })
})

describe('ToolbarEvents', () => {
  it('does nothing while nobody listens, and keeps replaying for a while after the last client left', async () => {
    const events = new ToolbarEvents({ replaySize: 10, replayWindowMs: 50 })
    expect(events.active).toBe(false)
    const before = events.lastId
    events.emit({ type: 'trace.updated', data: { name: 'unseen' } })
    expect(events.since(before)).toEqual({ events: [], missed: 0 })
    const stop = events.subscribe(() => undefined)
    expect(events.size).toBe(1)
    stop()
    expect(events.active).toBe(true)
    events.emit({ type: 'trace.updated', data: { name: 'kept for replay' } })
    expect(events.since(before).events.map((e) => e.event.data.name)).toEqual(['kept for replay'])
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(events.active).toBe(false)
    // A client that comes and goes again opens a new window.
    events.subscribe(() => undefined)()
    expect(events.active).toBe(true)
    events.emit({ type: 'trace.updated', data: { name: 'after the second client' } })
    expect(events.since(before).events.map((e) => e.event.data.name)).toEqual(['kept for replay', 'after the second client'])
  })

  it('replays the whole buffer to an id it never gave, and numbers above a process started before it', async () => {
    const old = new ToolbarEvents()
    old.subscribe(() => undefined)
    for (let i = 0; i < 500; i++) old.emit({ type: 'request.created', data: { name: 'GET /' } })
    const seen = old.lastId
    await new Promise((resolve) => setTimeout(resolve, 2))
    // The hub of a process started later: its ids are above every id the old one gave.
    const restarted = new ToolbarEvents()
    restarted.subscribe(() => undefined)
    restarted.emit({ type: 'request.created', data: { name: 'GET /after-restart' } })
    const first = restarted.lastId
    expect(first).toBeGreaterThan(seen)
    // The browser reconnects with the old process's id and gets the new process's events.
    expect(restarted.since(seen).events.map((e) => [e.id, e.event.data.name])).toEqual([[first, 'GET /after-restart']])
    expect(restarted.since(first).events).toEqual([])
    // Missed counts only what the new hub emitted and no longer holds, never the gap between the two.
    const small = new ToolbarEvents({ replaySize: 2 })
    small.subscribe(() => undefined)
    for (let i = 0; i < 5; i++) small.emit({ type: 'request.created', data: { name: `GET /${i}` } })
    expect(small.since(seen)).toMatchObject({ missed: 3, events: [{ event: { data: { name: 'GET /3' } } }, { event: { data: { name: 'GET /4' } } }] })
    expect(small.since(1).missed).toBe(3)
    expect(small.since(small.lastId + 10).missed).toBe(3)
  })

  it('keeps a failing listener from reaching the producer or the other listeners', () => {
    const events = new ToolbarEvents()
    const got: number[] = []
    events.subscribe(() => {
      throw new Error('closed connection')
    })
    events.subscribe((_event, id) => got.push(id))
    events.emit({ type: 'request.created', data: { name: 'GET /' } })
    expect(got).toEqual([events.lastId])
  })

  it('refuses bounds that are not positive whole numbers, naming the option', () => {
    expect(() => new ToolbarEvents({ replaySize: 0 })).toThrow(/liveEvents.replaySize/)
    expect(() => debugToolbar({ liveEvents: { heartbeatMs: 1.5 } })).toThrow(/liveEvents.heartbeatMs/)
    expect(() => debugToolbar({ liveEvents: { clientQueueSize: -1 } })).toThrow(/liveEvents.clientQueueSize/)
  })
})

describe('a client that stops reading', () => {
  it('has its events dropped and counted while requests complete, and is told how many on resuming', async () => {
    const app = new Hono()
    const middleware = debugToolbar({ liveEvents: { clientQueueSize: 10 } }) as WithToolbar
    app.use(middleware)
    app.get('/', (c) => c.text('ok'))
    // In-process: the response body is the client's queue itself, and nobody reads it.
    const stream = await app.request('/_debug_toolbar/api/events', undefined, clientEnv())
    const start = middleware.toolbar.events.lastId
    const requests = 40
    for (let i = 0; i < requests; i++) expect(await (await app.request('/', undefined, clientEnv())).text()).toBe('ok')
    await middleware.toolbar.settled()
    const emitted = 2 * requests
    const reader = stream.body!.getReader()
    const decoder = new TextDecoder()
    let text = ''
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += decoder.decode((await reader.read()).value)
    }
    await readUntil(/events\.dropped/)
    // Reading again: the next request's events arrive as usual.
    expect(await (await app.request('/', undefined, clientEnv())).text()).toBe('ok')
    await middleware.toolbar.settled()
    await readUntil(new RegExp(`^id: ${start + emitted + 2}$`, 'm'))
    await reader.cancel()
    // The opening block says where the client stands (the id before the first, no data); then come the events.
    expect(text.startsWith(`retry: 2000\nid: ${start}\n: connected\n\n`)).toBe(true)
    const received = [...text.matchAll(/^event: (request\.\w+)$/gm)].length
    const dropped = [...text.matchAll(/"type":"events.dropped","data":\{"count":(\d+)\}/g)].map((m) => Number(m[1]))
    // The queue held the opening comment and nine events; the rest were dropped and counted.
    expect(received).toBe(9 + 2)
    expect(dropped).toEqual([emitted - 9])
    expect(middleware.toolbar.events.size).toBe(0)
  })
})

describe('a client on loopback whose socket stops reading', () => {
  it('never holds up the app: requests complete while its events are dropped and counted', async () => {
    const served = await serveApp({ liveEvents: { clientQueueSize: 50 } })
    const { port } = new URL(served.url)
    const socket = connect(Number(port), '127.0.0.1')
    try {
      await new Promise((resolve) => socket.once('connect', resolve))
      socket.write(`GET /_debug_toolbar/api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)
      let received = ''
      socket.on('data', (chunk) => (received += chunk.toString('latin1')))
      await until(() => received.includes(': connected'))
      socket.pause()
      // A burst far larger than the socket's buffers, as a receiver flooded with spans would emit.
      const name = 'x'.repeat(8_192)
      for (let i = 0; i < 3_000; i++) served.toolbar.events.emit({ type: 'trace.updated', data: { name } })
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => fetch(`${served.url}/users/${i}`).then((res) => res.status)))
      expect(answers).toEqual(Array(50).fill(200))
      socket.resume()
      await until(() => /"type":"events.dropped","data":\{"count":\d+\}/.test(received))
      const count = Number(/"type":"events.dropped","data":\{"count":(\d+)\}/.exec(received)![1])
      expect(count).toBeGreaterThan(1_000)
    } finally {
      socket.destroy()
      await served.close()
    }
  })
})

async function until(test: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!test()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
