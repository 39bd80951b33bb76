/**
 * Paging through the trace list of a durable store while requests run, as a user does it
 * through the HTTP API: the requests still running (which the store gets when they finish)
 * are listed in start order among the stored traces on every page, not only on the first,
 * so no trace is listed twice or skipped, and every page's total counts them. A running
 * request that joined a stored trace (its caller sent the trace's traceparent) is one trace.
 */
import { expect } from 'vitest'
import { randomBytes } from 'node:crypto'
import { Hono } from 'hono'
import { debugToolbar } from '../src/index.js'
import { OpenTelemetryPanel } from '../src/opentelemetry/index.js'
import { request } from '../test/support/local.js'
import { durableStores, onEachDurableStore, type Durable } from './support/durable-stores.js'

const stores = await durableStores('trace list paging')

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

interface Listed {
  traces: Array<{ traceId: string; rootName: string }>
  total: number
}

async function pagesWhileRunning(open: () => Durable): Promise<void> {
  const store = open()
  const gates: Array<() => void> = []
  try {
    await pagesOf(store, gates)
  } finally {
    for (const release of gates) release()
    await store.close()
  }
}

async function pagesOf(store: Durable, gates: Array<() => void>): Promise<void> {
  // The panels of one process share their traces in memory: the service tells this run's.
  const service = `shop-${randomBytes(4).toString('hex')}`
  const app = new Hono()
  app.use(debugToolbar({ store, extraPanels: [new OpenTelemetryPanel({ exporter: 'none', serviceName: service })] }))
  app.get('/done/:n', (c) => c.text('done'))
  app.get('/slow/:n', async (c) => {
    await new Promise<void>((resolve) => gates.push(resolve))
    return c.text('slow')
  })
  const list = async (query: string): Promise<Listed> => (await request(app, `/_debug_toolbar/api/traces?service=${service}&${query}`)).json()
  const finish = async (n: number) => {
    // Start times a millisecond apart at least: the list orders by start.
    await pause(2)
    const { headers } = await request(app, `/done/${n}`)
    return headers.get('server-timing')!.match(/00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}/)!
  }
  const run = async (path: string, init?: RequestInit) => {
    await pause(2)
    const waiting = gates.length
    const answer = request(app, path, init)
    await expect.poll(() => gates.length).toBe(waiting + 1)
    // In an object: an async function returning the promise would wait for the answer.
    return { answer }
  }

  const [, firstTrace, firstSpan] = await finish(1)
  await finish(2)
  await finish(3)
  const slowA = await run('/slow/a')
  await finish(4)
  await finish(5)
  const slowB = await run('/slow/b')
  // A caller continuing the first request's trace: the store holds it, and it runs again here.
  const joined = await run('/slow/c', { headers: { traceparent: `00-${firstTrace}-${firstSpan}-01` } })

  const all = await list('limit=50')
  expect(all.traces.map((t) => t.rootName)).toEqual(['GET /slow/:n', 'GET /done/:n', 'GET /done/:n', 'GET /slow/:n', 'GET /done/:n', 'GET /done/:n', 'GET /done/:n'])
  expect(all.total).toBe(7)
  for (const limit of [1, 2, 3]) {
    const paged: string[] = []
    for (let offset = 0; offset < 9; offset += limit) {
      const page = await list(`limit=${limit}&offset=${offset}`)
      expect(page.total, `limit ${limit}, offset ${offset}`).toBe(7)
      paged.push(...page.traces.map((t) => t.traceId))
    }
    expect(paged, `limit ${limit}`).toEqual(all.traces.map((t) => t.traceId))
  }

  for (const release of gates) release()
  await Promise.all([slowA.answer, slowB.answer, joined.answer])
  const after = await list('limit=50')
  expect(after.traces.map((t) => t.traceId)).toEqual(all.traces.map((t) => t.traceId))
  expect(after.total).toBe(7)
}

onEachDurableStore('pages through the trace list while requests run, each trace once', stores, 'paging', {}, pagesWhileRunning)
