import { describe, expect, it } from 'vitest'
import type { ToolbarSpan } from '../../src/core/span-model.js'
import { traceLines } from '../../src/mcp/trace-tree.js'

let next = 0
function span(name: string, parent: string | undefined, startMs: number, endMs: number | undefined, extra: Partial<ToolbarSpan> = {}): ToolbarSpan {
  const spanId = (++next).toString(16).padStart(16, '0')
  const t = (ms: number) => String(BigInt(1_700_000_000_000) * 1_000_000n + BigInt(Math.round(ms * 1e6)))
  return {
    traceId: 'a'.repeat(32),
    spanId,
    parentSpanId: parent,
    name,
    kind: 'INTERNAL',
    startTimeUnixNano: t(startMs),
    endTimeUnixNano: endMs === undefined ? undefined : t(endMs),
    attributes: {},
    events: [],
    links: [],
    status: { code: 'UNSET' },
    resource: { 'service.name': 'shop' },
    scope: { name: 'test' },
    source: 'local',
    ...extra,
  }
}

describe('the span tree get_trace shows', () => {
  it('computes self time as the duration minus what the children cover (overlaps counted once), and marks the critical path', () => {
    const root = span('GET /', undefined, 0, 10)
    const a = span('a', root.spanId, 1, 4)
    const b = span('b', root.spanId, 3, 6)
    const [rootLine, aLine, bLine] = traceLines([root, a, b])
    expect(rootLine!.selfMs).toBeCloseTo(5)
    expect(aLine!.selfMs).toBeCloseTo(3)
    expect(rootLine!.critical).toBe(true)
    expect(bLine!.critical).toBe(true)
  })

  it('folds three or more siblings of the same name and service into one line', () => {
    const root = span('GET /users', undefined, 0, 20)
    const queries = [1, 3, 5, 7].map((at) => span('SELECT orders', root.spanId, at, at + 1))
    const child = span('connect', queries[0]!.spanId, 1, 1.5)
    const render = span('render', root.spanId, 10, 15, { status: { code: 'ERROR', message: 'x' } })
    const lines = traceLines([render, child, ...queries, root])
    expect(lines.map((l) => [l.depth, l.name, l.count])).toEqual([
      [0, 'GET /users', 1],
      [1, 'SELECT orders', 4],
      [1, 'render', 1],
    ])
    expect(lines[1]).toMatchObject({ durationMs: 4, maxMs: 1, hiddenDescendants: 1, spanIds: queries.map((q) => q.spanId) })
    expect(lines[2]!.status).toBe('ERROR')
  })

  it('gives offsets where the waterfall draws the spans, a span moved for clock skew saying by how much', () => {
    // The back service's clock is 20 ms behind: its span claims -15..15 in the CLIENT span 10-60
    // (it is moved to 20-50); the axis starts with the request at 0, as the waterfall's does.
    const root = span('GET /', undefined, 0, 100)
    const client = span('GET', root.spanId, 10, 60)
    const back = span('GET /back', client.spanId, -15, 15, { resource: { 'service.name': 'back' } })
    const lines = traceLines([root, client, back])
    expect(lines.map((l) => [l.name, l.offsetMs, l.durationMs, l.clockSkewMs])).toEqual([
      ['GET /', 0, 100, undefined],
      ['GET', 10, 50, undefined],
      ['GET /back', 20, 30, 35],
    ])
  })

  it('lists running spans, spans of unknown parents, and spans whose parents loop', () => {
    const running = span('running', undefined, 0, undefined)
    const orphan = span('orphan', 'f'.repeat(16), 1, 2)
    const x = span('x', undefined, 3, 4)
    const y = span('y', x.spanId, 3, 4)
    x.parentSpanId = y.spanId
    const lines = traceLines([running, orphan, x, y])
    expect(lines.map((l) => l.name).sort()).toEqual(['orphan', 'running', 'x', 'y'])
    expect(lines.find((l) => l.name === 'running')!.durationMs).toBeUndefined()
    expect(traceLines([])).toEqual([])
  })

  it("names where a function span's code is: mapped to the TypeScript line for this process's spans, as sent for another service's", () => {
    const built = new URL('../fixtures/code-location/build/users.js', import.meta.url).pathname
    const code = { 'code.function.name': 'findUser', 'code.file.path': built, 'code.line.number': 2, 'code.column.number': 5 }
    const root = span('GET /', undefined, 0, 10)
    const local = span('findUser', root.spanId, 1, 2, { attributes: code })
    const received = span('findUser', root.spanId, 3, 4, { attributes: code, source: 'otlp_http' })
    const lines = traceLines([root, local, received])
    expect(lines.map((l) => l.at)).toEqual([undefined, 'test/fixtures/code-location/src/users.ts:10:3', `${built}:2:5`])
  })
})
