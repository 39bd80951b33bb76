import { describe, expect, it } from 'vitest'
import { formatDuration, formatMs } from '../../src/shapes/format.js'

describe('one rule for every duration the toolbar shows', () => {
  it('writes a time under 1 ms in µs and keeps three significant digits, as the waterfall does', () => {
    expect(formatMs(0.568)).toBe('568 µs')
    expect(formatMs(0.0424)).toBe('42.4 µs')
    expect(formatMs(12.34)).toBe('12.3 ms')
    expect(formatMs(245.3)).toBe('245 ms')
    expect(formatMs(1240)).toBe('1.24 s')
    expect(formatMs(undefined)).toBe('—')
    // Nothing measured (a query-less request, a function with no self samples) is not "0 ns".
    expect(formatMs(0)).toBe('0 ms')
    expect(formatMs(0.568)).toBe(formatDuration(568_000))
  })

  it('moves to the next unit when rounding reaches 1000, and never writes 100.0 or 10.00', () => {
    expect(formatDuration(999.7)).toBe('1.00 µs')
    expect(formatDuration(999_700)).toBe('1.00 ms')
    expect(formatDuration(999_700_000)).toBe('1.00 s')
    expect(formatDuration(99_970)).toBe('100 µs')
    expect(formatDuration(9_997_000)).toBe('10.0 ms')
  })
})
