import { describe, expect, it } from 'vitest'
import { call, useShop } from './app.js'

describe('span ids go back to get_span and get_links as get_trace writes them', () => {
  const session = useShop({ users: '/users' })
  const { ids } = session

  /** The span ids get_trace writes at the end of the line that `match` finds, as written ("#a1b2...,c3d4..."). */
  const writtenIds = async (match: RegExp) => {
    const tree = await call(session.client, 'get_trace', { request_id: ids.users })
    const line = tree.text.split('\n').find((l) => match.test(l))!
    return { traceId: tree.data.traceId as string, written: / (#[0-9a-f,]+)$/.exec(line)![1]! }
  }

  it('takes "#<id>" from a span line', async () => {
    const { traceId, written } = await writtenIds(/ GET \/users .* SERVER /)
    expect(written).toMatch(/^#[0-9a-f]{16}$/)
    const { isError, text, data } = await call(session.client, 'get_span', { trace_id: traceId, span_ids: [written] })
    expect(text).toMatch(new RegExp(`^Span ${written.slice(1)} "GET /users"`))
    expect(isError).toBe(false)
    expect(data.spans.map((s: { spanId: string }) => s.spanId)).toEqual([written.slice(1)])
  })

  it('takes the ids of a folded line as one string', async () => {
    const { traceId, written } = await writtenIds(/SELECT orders x4/)
    const { isError, data } = await call(session.client, 'get_span', { trace_id: traceId, span_ids: written })
    expect(isError).toBe(false)
    expect(data.spans.map((s: { name: string }) => s.name)).toEqual(['SELECT orders', 'SELECT orders', 'SELECT orders', 'SELECT orders'])
    const links = await call(session.client, 'get_links', { trace_id: traceId, span_ids: written })
    expect(links.isError).toBe(false)
    expect(links.data.links.spans).toHaveLength(4)
  })

  it('still refuses what is not a span id, saying what it takes', async () => {
    const { traceId } = await writtenIds(/ GET \/users .* SERVER /)
    for (const span_ids of [['#xyz'], 'not-a-span', `#${'a'.repeat(15)}`]) {
      const bad = await call(session.client, 'get_span', { trace_id: traceId, span_ids })
      expect(bad.isError, JSON.stringify(span_ids)).toBe(true)
      expect(bad.text, JSON.stringify(span_ids)).toMatch(/16 hexadecimal characters.*as get_trace shows them.*# allowed/)
    }
    for (const span_ids of [[], '', ' , ']) {
      const bad = await call(session.client, 'get_span', { trace_id: traceId, span_ids })
      expect(bad.isError, JSON.stringify(span_ids)).toBe(true)
      expect(bad.text, JSON.stringify(span_ids)).toMatch(/give at least one span id, as get_trace shows them/)
    }
    const many = await call(session.client, 'get_span', { trace_id: traceId, span_ids: Array.from({ length: 21 }, (_, i) => i.toString(16).padStart(16, '0')).join(',') })
    expect(many.isError).toBe(true)
    expect(many.text).toMatch(/20 span ids/)
  })
})
