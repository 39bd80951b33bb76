import { EventEmitter } from 'node:events'
import { context, createContextKey, ROOT_CONTEXT } from '@opentelemetry/api'
import { describe, expect, it } from 'vitest'
import { currentRecord, RequestRecord, runWithRecord, sharedContext } from '../../src/core/record.js'
import { ToolbarContextManager } from '../../src/opentelemetry/context-manager.js'
import { OpenTelemetryPanel } from '../../src/opentelemetry/panel.js'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'

const KEY = createContextKey('test value')
const newRecord = () => new RequestRecord({ method: 'GET', url: 'http://localhost/', path: '/' })
const tick = () => new Promise((resolve) => setTimeout(resolve, 1))

describe('ToolbarContextManager: OpenTelemetry context in the toolbar\'s storage', () => {
  const manager = new ToolbarContextManager().enable()

  it('keeps the context and the record across awaits, whichever was set first', async () => {
    const record = newRecord()
    const ctx = ROOT_CONTEXT.setValue(KEY, 'outer')
    await manager.with(ctx, () =>
      runWithRecord(record, async () => {
        await tick()
        expect(manager.active().getValue(KEY)).toBe('outer')
        expect(currentRecord()).toBe(record)
        await manager.with(manager.active().setValue(KEY, 'inner'), async () => {
          await tick()
          expect(manager.active().getValue(KEY)).toBe('inner')
          expect(currentRecord()).toBe(record)
        })
        expect(manager.active().getValue(KEY)).toBe('outer')
      }),
    )
    expect(manager.active()).toBe(ROOT_CONTEXT)
    expect(currentRecord()).toBeUndefined()
  })

  it('passes this and the arguments to the function it runs', () => {
    const target = { factor: 3 }
    const result = manager.with(ROOT_CONTEXT, function (this: typeof target, a: number, b: number) {
      return this.factor * (a + b)
    }, target, 1, 2)
    expect(result).toBe(9)
  })

  it('binds functions and event emitters to a context; the record stays that of the caller', async () => {
    const record = newRecord()
    const ctx = ROOT_CONTEXT.setValue(KEY, 'bound')
    const emitter = new EventEmitter()
    const seen: unknown[] = []
    const bound = runWithRecord(record, () => {
      manager.bind(ctx, emitter)
      emitter.on('ping', () => seen.push(manager.active().getValue(KEY), currentRecord()))
      return manager.bind(ctx, () => manager.active().getValue(KEY))
    })
    expect(bound()).toBe('bound')
    emitter.emit('ping')
    expect(seen).toEqual(['bound', undefined])
  })

  it('attaches a context until disposed', () => {
    const ctx = ROOT_CONTEXT.setValue(KEY, 'attached')
    const token = manager.attach(ctx)
    expect(manager.active().getValue(KEY)).toBe('attached')
    token.dispose()
    token.dispose()
    expect(manager.active()).toBe(ROOT_CONTEXT)
  })

  it('is what the panel registers, once its toolbar is on, when the app has none, so one storage carries both', async () => {
    context.disable()
    const panel = new OpenTelemetryPanel({ exporter: 'none', serviceName: 'test' })
    new Hono().use(debugToolbar({ enabled: true, extraPanels: [panel] }))
    try {
      const ctx = ROOT_CONTEXT.setValue(KEY, 'global')
      const record = newRecord()
      await context.with(ctx, () =>
        runWithRecord(record, async () => {
          await tick()
          expect(sharedContext()).toBe(ctx)
          expect(context.active().getValue(KEY)).toBe('global')
          expect(currentRecord()).toBe(record)
        }),
      )
    } finally {
      await panel.shutdown()
      context.disable()
    }
  })

  it('leaves the records of requests in flight alone when it is disabled', async () => {
    const record = newRecord()
    await runWithRecord(record, async () => {
      new ToolbarContextManager().enable().disable()
      await tick()
      expect(currentRecord()).toBe(record)
    })
  })
})
