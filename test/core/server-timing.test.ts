import { describe, expect, it } from 'vitest'
import { formatServerTiming } from '../../src/core/server-timing.js'

describe('Server-Timing formatting', () => {
  it('writes name, duration rounded to hundredths and quoted description, comma-separated', () => {
    expect(formatServerTiming([{ name: 'hdt-total', dur: 3.3649, desc: 'hono-debug-toolbar' }, { name: 'hdt-sql', dur: 4 }])).toBe(
      'hdt-total;dur=3.36;desc="hono-debug-toolbar", hdt-sql;dur=4',
    )
  })

  it('escapes what would break the header: a name becomes a token, a description stays inside its quotes', () => {
    expect(formatServerTiming([{ name: 'my metric,x', desc: 'say "hi"\\\n' }])).toBe('my_metric_x;desc="say \\"hi\\"\\\\?"')
    expect(formatServerTiming([{ name: '', dur: 1 }])).toBe('metric;dur=1')
    expect(formatServerTiming([{ name: 'late', dur: Number.NaN, desc: '' }])).toBe('late')
  })
})
