import { describe, expect, it, vi } from 'vitest'
import { describeError, WriteQueue } from '../../src/store/write-queue.js'

class Down extends Error {
  code = 'ECONNREFUSED'
}

/** A destination that can be down, refuses items marked bad, and records every batch it took and every attempt. */
function destination() {
  const state = { down: false, batches: [] as number[][], attempts: 0 }
  const write = (batch: number[]) => {
    state.attempts++
    if (state.down) throw new Down('connect ECONNREFUSED 127.0.0.1:5432')
    if (batch.some((n) => n < 0)) throw new Error(`refused ${batch.find((n) => n < 0)}`)
    state.batches.push([...batch])
  }
  return { state, write, isTransient: (error: unknown) => error instanceof Down }
}

describe('WriteQueue', () => {
  it('writes in batches off the caller, in order, at most batchSize at a time', async () => {
    const { state, write, isTransient } = destination()
    const queue = new WriteQueue<number>({ write, isTransient, batchSize: 4 })
    for (let i = 1; i <= 10; i++) expect(queue.push(i)).toBe(true)
    expect(state.batches).toEqual([])
    await queue.flush()
    expect(state.batches).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]])
    expect(queue.written).toBe(10)
  })

  it('drops and counts what does not fit while the destination is down, retries with backoff, and resumes in order', async () => {
    const { state, write, isTransient } = destination()
    const onError = vi.fn()
    const queue = new WriteQueue<number>({ write, isTransient, maxQueued: 5, minRetryMs: 10, maxRetryMs: 40, delayMs: 1, onError })
    state.down = true
    for (let i = 1; i <= 7; i++) queue.push(i)
    expect(queue.dropped).toBe(2)
    // The first write and two retries (after 10 and 20 ms), however slow the machine.
    await vi.waitFor(() => expect(state.attempts).toBeGreaterThanOrEqual(3), { timeout: 2000 })
    expect(queue.available).toBe(false)
    expect(queue.lastError).toBe('connect ECONNREFUSED 127.0.0.1:5432')
    // Told once per outage, not once per retry.
    expect(onError).toHaveBeenCalledTimes(1)
    // A reader's flush does not wait on a dead destination: it answers without trying it
    // (a real database would keep it waiting for a connect timeout).
    const attempts = state.attempts
    await queue.flush()
    expect(state.attempts).toBe(attempts)
    expect(queue.size).toBe(5)
    state.down = false
    await vi.waitFor(() => expect(queue.size).toBe(0), { timeout: 2000 })
    expect(state.batches.flat()).toEqual([1, 2, 3, 4, 5])
    expect(queue.available).toBe(true)
    // The outage's error went with it.
    expect(queue.lastError).toBeUndefined()
  })

  it('loses only the writes the destination refuses, one by one', async () => {
    const { state, write, isTransient } = destination()
    const onError = vi.fn()
    const queue = new WriteQueue<number>({ write, isTransient, onError })
    for (const n of [1, -2, 3, -4, 5]) queue.push(n)
    await queue.flush()
    expect(state.batches.flat()).toEqual([1, 3, 5])
    expect(queue.refused).toBe(2)
    expect(queue.lastError).toBe('refused -4')
    expect(onError).toHaveBeenCalledTimes(2)
    expect(queue.available).toBe(true)
  })

  it('puts the rest back when the destination goes down in the middle of a one-by-one retry', async () => {
    const { state, isTransient } = destination()
    let calls = 0
    const write = (batch: number[]) => {
      calls++
      if (calls === 1) throw new Error('refused batch')
      if (calls === 3) throw new Down('gone')
      state.batches.push([...batch])
    }
    const queue = new WriteQueue<number>({ write, isTransient, minRetryMs: 5 })
    for (const n of [1, 2, 3]) queue.push(n)
    await queue.flush()
    expect(queue.available).toBe(false)
    await vi.waitFor(() => expect(queue.size).toBe(0), { timeout: 2000 })
    expect(state.batches.flat()).toEqual([1, 2, 3])
  })

  it('close() writes what is left within its bound', async () => {
    const { state, write, isTransient } = destination()
    const queue = new WriteQueue<number>({ write, isTransient, delayMs: 10_000 })
    queue.push(1)
    await queue.close()
    expect(state.batches).toEqual([[1]])
    state.down = true
    queue.push(2)
    const started = performance.now()
    await queue.close(50)
    expect(performance.now() - started).toBeLessThan(1000)
    expect(queue.size).toBe(1)
  })

  it('checks its options and describes errors with their code', () => {
    const { write, isTransient } = destination()
    expect(() => new WriteQueue({ write, isTransient, batchSize: 0 })).toThrow('batchSize must be a whole number of at least 1, got 0')
    expect(describeError(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }))).toBe('database is locked (SQLITE_BUSY)')
    expect(describeError(new AggregateError([new Error('a'), new Error('b')]))).toBe('a; b')
    expect(describeError('plain')).toBe('plain')
  })
})
