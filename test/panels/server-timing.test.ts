import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import { timing } from 'hono/timing'
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
})
