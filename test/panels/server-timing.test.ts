import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { endTime, setMetric, startTime, timing } from 'hono/timing'
import { debugToolbar, recordQuery } from '../../src/index.js'
import { request } from '../support/local.js'

const names = (header: string | null) => (header ?? '').split(/,\s*/).map((entry) => entry.split(';')[0])

describe('Server-Timing', () => {
  it('names the toolbar\'s metrics hdt-*, so they never collide with hono/timing\'s total', async () => {
    const app = new Hono()
    app.use(timing())
    app.use(debugToolbar())
    app.get('/', (c) => {
      recordQuery({ sql: 'SELECT 1', durationMs: 1, dbSystem: 'sqlite' })
      return c.text('ok')
    })
    const { headers } = await request(app, '/')
    const sent = names(headers.get('server-timing'))
    // One `total`, hono/timing's; the toolbar's own figures carry its prefix.
    expect(sent.filter((name) => name === 'total')).toHaveLength(1)
    expect(sent).toEqual(expect.arrayContaining(['hdt-total', 'hdt-sql']))
    expect(sent.filter((name) => name === 'sql')).toHaveLength(0)
  })

  it("sends the app's hono/timing header as the app wrote it, however long, and its own entries whole after it", async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.use(timing({ total: false }))
    const long = 'x'.repeat(100_000)
    app.get('/', (c) => {
      startTime(c, 'say "hi', long)
      endTime(c, 'say "hi')
      setMetric(c, 'region', `eu, "west" ${long}`)
      return c.text('ok')
    })
    const { headers } = await request(app, '/')
    const value = headers.get('server-timing')!
    const own = value.indexOf(', hdt-total;')
    expect(value.slice(0, own).replace(/dur=[\d.]+/, 'dur=N')).toBe(`say "hi;dur=N;desc="${long}",region;desc="eu, \\"west\\" ${long}"`)
    expect(value.slice(own + 2)).toMatch(/^hdt-total;dur=[\d.]+;desc="hono-debug-toolbar"$/)
  })
})
