import { describe, expect, it } from 'vitest'
import { MemoryStore, type StoredRequest } from '../../src/index.js'

function stored(id: string, path = `/${id}`): StoredRequest {
  return { id, method: 'GET', path, route: undefined, status: 200, startedAt: new Date(0).toISOString(), durationMs: 1, traceId: undefined, panels: {}, nav: [] }
}

const ids = (store: MemoryStore) => store.list({ limit: 100, offset: 0 }).requests.map((r) => r.id)

describe('MemoryStore', () => {
  it('keeps the newest maxRequests requests, newest first, and counts what it dropped', () => {
    const store = new MemoryStore(3)
    for (const id of ['a', 'b', 'c', 'd', 'e']) store.save(stored(id))
    expect(ids(store)).toEqual(['e', 'd', 'c'])
    expect(store.size).toBe(3)
    expect(store.dropped).toBe(2)
    expect(store.get('a')).toBeUndefined()
    expect(store.get('d')).toMatchObject({ id: 'd', path: '/d' })
  })

  it('moves a request saved again to the newest place without dropping anything', () => {
    const store = new MemoryStore(3)
    for (const id of ['a', 'b', 'c']) store.save(stored(id))
    store.save(stored('a', '/again'))
    expect(ids(store)).toEqual(['a', 'c', 'b'])
    expect(store.get('a')).toMatchObject({ path: '/again' })
    expect(store.size).toBe(3)
    expect(store.dropped).toBe(0)
    // The oldest goes first once the history is full again.
    store.save(stored('d'))
    expect(ids(store)).toEqual(['d', 'a', 'c'])
    expect(store.dropped).toBe(1)
  })

  it('keeps every other request when a full history saves one it holds that is not the oldest', () => {
    const store = new MemoryStore(3)
    for (const id of ['a', 'b', 'c']) store.save(stored(id))
    store.save(stored('b', '/again'))
    expect(ids(store)).toEqual(['b', 'c', 'a'])
    expect(store.size).toBe(3)
    expect(store.dropped).toBe(0)
    store.save(stored('c', '/again'))
    store.save(stored('d'))
    expect(ids(store)).toEqual(['d', 'c', 'b'])
    expect(store.get('a')).toBeUndefined()
    expect(store.dropped).toBe(1)
  })

  it('pages and filters the list, and starts again empty after clear()', () => {
    const store = new MemoryStore(10)
    for (let i = 0; i < 6; i++) store.save(stored(`r${i}`, i % 2 ? '/odd' : '/even'))
    expect(store.list({ limit: 2, offset: 1 })).toMatchObject({ total: 6, requests: [{ id: 'r4' }, { id: 'r3' }] })
    expect(store.list({ limit: 10, offset: 0, path: '/odd' }).requests.map((r) => r.id)).toEqual(['r5', 'r3', 'r1'])
    store.clear()
    expect(store.size).toBe(0)
    expect(ids(store)).toEqual([])
    store.save(stored('n'))
    expect(ids(store)).toEqual(['n'])
  })
})
