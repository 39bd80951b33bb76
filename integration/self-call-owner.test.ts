import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getJson as json, startDemo, type DemoProcess } from './support/demo-process.js'

const PREFIX = '/_debug_toolbar'
const dir = mkdtempSync(join(tmpdir(), 'hdt-self-call-'))
const running: DemoProcess[] = []
afterAll(async () => {
  await Promise.all(running.map((demo) => demo.stop('SIGKILL')))
  rmSync(dir, { recursive: true, force: true })
})

// The demo's /report calls its own /api/stats with fetch(): two requests of one app, one trace.
describe.each([
  ['the in-memory history', () => ({})],
  ['a SQLite store', () => ({ DEBUG_TOOLBAR_STORE: join(dir, 'toolbar.db') })],
])('a trace of a page that calls its own app, with %s', (_name, env) => {
  it('is listed with the page as its request, the request whose span is the root, as the trace list names it', async () => {
    const demo = await startDemo(env())
    running.push(demo)
    const res = await fetch(`${demo.url}/report`)
    await res.arrayBuffer()
    const reportId = res.headers.get('x-debug-toolbar-request-id')!
    const { traceId } = (await json(`${demo.url}${PREFIX}/api/requests/${reportId}`)).panels.opentelemetry
    const stats = (await json(`${demo.url}${PREFIX}/api/requests?path=/api/stats`)).requests[0]
    expect(stats.traceId).toBe(traceId)
    // The durable store writes in batches: wait for the trace's line.
    let listed: any
    for (let i = 0; i < 50 && !listed?.requestId; i++) {
      listed = (await json(`${demo.url}${PREFIX}/api/traces?limit=200`)).traces.find((t: { traceId: string }) => t.traceId === traceId)
      if (!listed?.requestId) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(listed).toMatchObject({ rootName: 'GET /report', requestId: reportId })
  })
})
