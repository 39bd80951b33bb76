import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
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

  it('keeps any name that is a token and any description of printable ASCII as they are, and makes the others so', () => {
    const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
    const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/
    const text = fc.oneof(fc.string({ unit: fc.constantFrom(...'aZ09!#$%&\'*+-.^_`|~"\\ ,;=()/:<>?@[]{}\u00e9\u007f\t') }), fc.string({ unit: 'grapheme' }), fc.string())
    fc.assert(
      fc.property(text, text, (name, desc) => {
        const header = formatServerTiming([{ name, desc }])
        const [written, quoted] = header.split(';desc=')
        expect(written).toMatch(TOKEN)
        if (TOKEN.test(name)) expect(written).toBe(name)
        if (desc && PLAIN.test(desc)) expect(quoted).toBe(`"${desc}"`)
        if (quoted !== undefined) expect(quoted).toMatch(/^"([\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*"$/)
      }),
      { numRuns: 5000 },
    )
  })

  it('writes any duration as the double rounded to hundredths would print', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ min: -1e12, max: 1e12, noNaN: true }), fc.integer({ min: 0, max: 1e7 }).map((n) => n / 100), fc.double({ min: 0, max: 100, noNaN: true })), (dur) => {
        expect(formatServerTiming([{ name: 'm', dur }])).toBe(`m;dur=${Math.round(dur * 100) / 100}`)
      }),
      { numRuns: 20_000 },
    )
    expect(formatServerTiming([{ name: 'm', dur: 0.005 }, { name: 'n', dur: 21474836.47 }, { name: 'o', dur: 1e15 }])).toBe('m;dur=0.01, n;dur=21474836.47, o;dur=1000000000000000')
  })
})
