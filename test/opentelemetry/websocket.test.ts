import { describe, expect, it } from 'vitest'
import type { WSEvents } from 'hono/ws'
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base'
import { RequestRecord } from '../../src/core/record.js'
import { markWebSocketUpgrade, messageName, messageSize, tracedWebSocket, TraceStore } from '../../src/opentelemetry/index.js'

describe('messageName', () => {
  it('reads the type, else the event field of a JSON object message, else says message', () => {
    expect(messageName('{"type":"chat","text":"hi"}')).toBe('chat')
    expect(messageName(' {"event":"typing"}')).toBe('typing')
    expect(messageName('{"type":"  join  ","event":"x"}')).toBe('join')
    expect(messageName('{"type":7,"event":"leave"}')).toBe('leave')
    expect(messageName(`{"type":"${'t'.repeat(100)}"}`)).toBe('t'.repeat(64))
    expect(messageName('{"text":"no name"}')).toBe('message')
    expect(messageName('{not json')).toBe('message')
    expect(messageName('{"type":""}')).toBe('message')
    expect(messageName('hello')).toBe('message')
    expect(messageName('["type"]')).toBe('message')
    expect(messageName(new ArrayBuffer(4))).toBe('message')
    expect(messageName(`{"type":"big","pad":"${'x'.repeat(70_000)}"}`)).toBe('message')
  })
})

describe('messageSize', () => {
  it('counts UTF-8 bytes of text and the bytes of binary data', () => {
    expect(messageSize('héllo')).toEqual({ bytes: 6, type: 'text' })
    expect(messageSize(new ArrayBuffer(5))).toEqual({ bytes: 5, type: 'binary' })
    expect(messageSize(new Uint8Array(3))).toEqual({ bytes: 3, type: 'binary' })
    expect(messageSize(new Blob(['abcd']))).toEqual({ bytes: 4, type: 'binary' })
    expect(messageSize([new Uint8Array(2), new Uint8Array(3)])).toEqual({ bytes: 5, type: 'binary' })
    expect(messageSize(undefined)).toEqual({ bytes: 0, type: 'binary' })
  })
})

describe('TraceStore.hold', () => {
  it('keeps a finished trace accepting spans until released, then the grace period runs', async () => {
    const store = new TraceStore(2)
    const tracer = new BasicTracerProvider().getTracer('t')
    const span = tracer.startSpan('first')
    const traceId = span.spanContext().traceId
    store.open(traceId, { gracePeriodMs: 1 })
    const release = store.hold(traceId)
    store.finish(traceId)
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(store.accepts(traceId)).toBe(true)
    // A held trace is evicted last.
    store.open('a'.repeat(32))
    store.open('b'.repeat(32))
    expect(store.has(traceId)).toBe(true)
    expect(store.has('a'.repeat(32))).toBe(false)
    release()
    release()
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(store.accepts(traceId)).toBe(false)
    expect(store.hold('c'.repeat(32))).toBeTypeOf('function')
  })
})

describe('tracedWebSocket', () => {
  it('returns the events untouched outside a recorded request, and refuses a bad bound', async () => {
    const events: WSEvents = { onMessage: () => {} }
    expect(await tracedWebSocket(events)({} as never)).toBe(events)
    expect(await tracedWebSocket(() => events)(undefined as never)).toBe(events)
    expect(() => tracedWebSocket(events, { maxMessageSpans: -1 })).toThrow('maxMessageSpans must be a non-negative integer, got -1')
  })

  it('marks only an upgraded, empty 200 answer as 101', () => {
    const record = new RequestRecord({ method: 'GET', url: 'http://localhost/ws', path: '/ws' })
    record.status = 200
    markWebSocketUpgrade(record, new Response())
    expect(record.status).toBe(200)
    record.slot('opentelemetry.websocket.upgrade', () => true)
    markWebSocketUpgrade(record, new Response('body'))
    expect(record.status).toBe(200)
    markWebSocketUpgrade(record, new Response())
    expect(record.status).toBe(101)
  })
})
