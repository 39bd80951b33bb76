import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  ROOT_CONTEXT,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  trace,
  type SpanContext,
} from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base'
import { suppressTracing } from '@opentelemetry/core'
import {
  ToolbarTraceContextPropagator,
  ToolbarTraceState,
  contextFromTraceHeaders,
  extractTraceContext,
  formatTraceparent,
  formatTracestate,
  injectTraceContext,
  isRandomTraceId,
  parseTraceparent,
  parseTracestate,
  withRandomTraceId,
} from '../../src/opentelemetry/propagation.js'

const TRACE = '12345678901234567890123456789012'
const SPAN = '1234567890123456'
const VALID = `00-${TRACE}-${SPAN}-01`

describe('parseTraceparent', () => {
  // Cases from the W3C trace-context test suite (test/test.py) plus the Level 2 flags.
  const valid: Array<[string, string, Partial<ReturnType<typeof parseTraceparent>>]> = [
    ['version 00, sampled', VALID, { version: 0, traceId: TRACE, spanId: SPAN, flags: 1, sampled: true, random: false }],
    ['not sampled', `00-${TRACE}-${SPAN}-00`, { flags: 0, sampled: false, random: false }],
    ['random flag (Level 2)', `00-${TRACE}-${SPAN}-02`, { flags: 2, sampled: false, random: true }],
    ['sampled and random', `00-${TRACE}-${SPAN}-03`, { flags: 3, sampled: true, random: true }],
    ['unknown flag bits kept', `00-${TRACE}-${SPAN}-09`, { flags: 9, sampled: true, random: false }],
    ['future version cc', `cc-${TRACE}-${SPAN}-01`, { version: 0xcc, traceId: TRACE, sampled: true }],
    ['future version with extra fields', `cc-${TRACE}-${SPAN}-01-what-the-future-will-be-like`, { version: 0xcc, traceId: TRACE }],
    ['leading space', ` ${VALID}`, { traceId: TRACE }],
    ['leading tab', `\t${VALID}`, { traceId: TRACE }],
    ['trailing space', `${VALID} `, { traceId: TRACE }],
    ['trailing tab', `${VALID}\t`, { traceId: TRACE }],
    ['OWS both sides', `\t ${VALID} \t`, { traceId: TRACE }],
  ]
  it.each(valid)('accepts %s', (_name, header, expected) => {
    expect(parseTraceparent(header)).toMatchObject(expected!)
  })

  const invalid: Array<[string, string | undefined | null]> = [
    ['version 00 with a trailing character', `${VALID}.`],
    ['version 00 with extra fields', `${VALID}-what-the-future-will-be-like`],
    ['future version followed by a non-dash', `cc-${TRACE}-${SPAN}-01.what-the-future-will-be-like`],
    ['future version too short', `cc-${TRACE}-${SPAN}-1`],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['illegal version character first', `.0-${TRACE}-${SPAN}-01`],
    ['illegal version character second', `0.-${TRACE}-${SPAN}-01`],
    ['uppercase version', `0A-${TRACE}-${SPAN}-01`],
    ['version too long (3)', `000-${TRACE}-${SPAN}-01`],
    ['version too long (4)', `0000-${TRACE}-${SPAN}-01`],
    ['version too short', `0-${TRACE}-${SPAN}-01`],
    ['all-zero trace id', `00-00000000000000000000000000000000-${SPAN}-01`],
    ['illegal trace id first character', `00-.2345678901234567890123456789012-${SPAN}-01`],
    ['illegal trace id last character', `00-1234567890123456789012345678901.-${SPAN}-01`],
    ['uppercase trace id', `00-4BF92F3577B34DA6A3CE929D0E0E4736-${SPAN}-01`],
    ['trace id too long', `00-123456789012345678901234567890123-${SPAN}-01`],
    ['trace id too short', `00-1234567890123456789012345678901-${SPAN}-01`],
    ['all-zero parent id', `00-${TRACE}-0000000000000000-01`],
    ['illegal parent id first character', `00-${TRACE}-.234567890123456-01`],
    ['illegal parent id last character', `00-${TRACE}-123456789012345.-01`],
    ['uppercase parent id', `00-${TRACE}-00F067AA0BA902B7-01`],
    ['parent id too long', `00-${TRACE}-12345678901234567-01`],
    ['parent id too short', `00-${TRACE}-123456789012345-01`],
    ['illegal flags first character', `00-${TRACE}-${SPAN}-.0`],
    ['illegal flags second character', `00-${TRACE}-${SPAN}-0.`],
    ['uppercase flags', `00-${TRACE}-${SPAN}-0A`],
    ['flags too long', `00-${TRACE}-${SPAN}-001`],
    ['flags too short', `00-${TRACE}-${SPAN}-1`],
    ['two headers joined', `${VALID}, 00-${TRACE.replace('1', '9')}-${SPAN}-01`],
    ['newline is not OWS', `\n${VALID}`],
    ['empty', ''],
    ['garbage', 'asdf'],
    ['undefined', undefined],
    ['null', null],
  ]
  it.each(invalid)('rejects %s', (_name, header) => {
    expect(parseTraceparent(header)).toBeUndefined()
  })

  it('takes exactly the ids the spec allows: lowercase hex of the right length, not all zeros', () => {
    const hexish = (length: number) =>
      fc.oneof(
        fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFg-'), minLength: length - 1, maxLength: length + 1 }),
        fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length }),
        fc.constant('0'.repeat(length)),
        fc.string({ minLength: length, maxLength: length }),
      )
    fc.assert(
      fc.property(hexish(32), hexish(16), (traceId, spanId) => {
        const allowed = (id: string, length: number) => new RegExp(`^[0-9a-f]{${length}}$`).test(id) && !/^0+$/.test(id)
        const parsed = parseTraceparent(`00-${traceId}-${spanId}-01`)
        expect(parsed !== undefined).toBe(allowed(traceId, 32) && allowed(spanId, 16))
      }),
      { numRuns: 5000 },
    )
  })
})

describe('formatTraceparent', () => {
  it('writes version 00 with two-digit flags', () => {
    expect(formatTraceparent({ traceId: TRACE, spanId: SPAN, flags: 3 })).toBe(`00-${TRACE}-${SPAN}-03`)
    expect(formatTraceparent({ traceId: TRACE, spanId: SPAN, flags: 0 })).toBe(`00-${TRACE}-${SPAN}-00`)
  })

  it.each([
    [{ traceId: TRACE.toUpperCase().replace(/\d/g, 'A'), spanId: SPAN, flags: 1 }, /invalid trace id/],
    [{ traceId: '0'.repeat(32), spanId: SPAN, flags: 1 }, /invalid trace id/],
    [{ traceId: TRACE.slice(1), spanId: SPAN, flags: 1 }, /invalid trace id/],
    [{ traceId: TRACE, spanId: '0'.repeat(16), flags: 1 }, /invalid span id/],
    [{ traceId: TRACE, spanId: 'xyz', flags: 1 }, /invalid span id/],
    [{ traceId: TRACE, spanId: SPAN, flags: 256 }, /invalid trace flags/],
    [{ traceId: TRACE, spanId: SPAN, flags: 1.5 }, /invalid trace flags/],
  ])('throws a clear error on %o', (parts, message) => {
    expect(() => formatTraceparent(parts)).toThrow(message)
  })

  it('round-trips through parseTraceparent', () => {
    const header = formatTraceparent({ traceId: TRACE, spanId: SPAN, flags: 2 })
    expect(parseTraceparent(header)).toMatchObject({ traceId: TRACE, spanId: SPAN, flags: 2, random: true })
  })
})

const keyWithoutVendor = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/'
const keyWithVendor = `${keyWithoutVendor}@a-z0-9_-*/`
const allValueChars = [
  [0x20, 0x2b],
  [0x2d, 0x3c],
  [0x3e, 0x7e],
]
  .flatMap(([from, to]) => Array.from({ length: to! - from! + 1 }, (_, i) => String.fromCharCode(from! + i)))
  .join('')
const members = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `bar${String(from + i).padStart(2, '0')}=${from + i}`).join(',')

describe('parseTracestate', () => {
  const valid: Array<[string, string | string[], Array<[string, string]>]> = [
    ['one member', 'foo=1', [['foo', '1']]],
    ['order kept', 'foo=1,bar=2', [['foo', '1'], ['bar', '2']]],
    ['several headers joined in order', ['foo=1,bar=2', 'rojo=1,congo=2', 'baz=3'], [['foo', '1'], ['bar', '2'], ['rojo', '1'], ['congo', '2'], ['baz', '3']]],
    ['empty header', '', []],
    ['empty header then a member', ['', 'foo=1'], [['foo', '1']]],
    ['member then an empty header', ['foo=1', ''], [['foo', '1']]],
    ['OWS around commas', 'foo=1 \t , \t bar=2, \t baz=3', [['foo', '1'], ['bar', '2'], ['baz', '3']]],
    ['tabs and spaces around commas', 'foo=1\t \t,\t \tbar=2,\t \tbaz=3', [['foo', '1'], ['bar', '2'], ['baz', '3']]],
    ['leading space', ' foo=1', [['foo', '1']]],
    ['leading tab', '\tfoo=1', [['foo', '1']]],
    ['trailing space', 'foo=1 ', [['foo', '1']]],
    ['trailing tab', 'foo=1\t', [['foo', '1']]],
    ['OWS both sides', '\t foo=1 \t', [['foo', '1']]],
    ['empty members', 'foo=1,, ,\t,bar=2', [['foo', '1'], ['bar', '2']]],
    ['leading spaces of a value are kept', 'foo=  x', [['foo', '  x']]],
    ['all key and value characters', `${keyWithoutVendor}=${allValueChars}`, [[keyWithoutVendor, allValueChars]]],
    ['multi-tenant key with all characters', `${keyWithVendor}=${allValueChars}`, [[keyWithVendor, allValueChars]]],
    ['multi-tenant key starting with a digit', '1tenant@vendor=x', [['1tenant@vendor', 'x']]],
    ['simple key of 256 characters', `${'z'.repeat(256)}=1`, [['z'.repeat(256), '1']]],
    ['tenant of 241 and system of 14 characters', `${'t'.repeat(241)}@${'v'.repeat(14)}=1`, [[`${'t'.repeat(241)}@${'v'.repeat(14)}`, '1']]],
    ['value of 256 characters', `foo=${'v'.repeat(256)}`, [['foo', 'v'.repeat(256)]]],
    // Level 2: "A key MUST begin with a lowercase letter or a digit and contain up to 256
    // characters including lowercase letters (a-z), digits (0-9), underscores (_), dashes (-),
    // asterisks (*), forward slashes (/), and at signs (@)." (w3c/trace-context test.py,
    // test_tracestate_key_illegal_vendor_format and test_tracestate_key_length_limit at STRICT_LEVEL=2)
    ['a key starting with a digit', '1vendor=x,bar=2', [['1vendor', 'x'], ['bar', '2']]],
    ['a key ending with @', 'foo@=1,bar=2', [['foo@', '1'], ['bar', '2']]],
    ['a key with @@', 'foo@@bar=1,bar=2', [['foo@@bar', '1'], ['bar', '2']]],
    ['a key with two @', 'foo@bar@baz=1,bar=2', [['foo@bar@baz', '1'], ['bar', '2']]],
    ['15 characters after @', `t@${'v'.repeat(15)}=1,bar=2`, [[`t@${'v'.repeat(15)}`, '1'], ['bar', '2']]],
    ['242 characters before @', `${'t'.repeat(242)}@v=1,bar=2`, [[`${'t'.repeat(242)}@v`, '1'], ['bar', '2']]],
    ['a digit after @', 'foo@1bar=1', [['foo@1bar', '1']]],
    // "Vendors MAY also discard duplicate keys that were not generated by them": the list is
    // kept, the first member of a key wins, the rest is forwarded (test_tracestate_duplicated_keys).
    ['duplicate key, same value', 'foo=1,foo=1', [['foo', '1']]],
    ['duplicate key, other value', 'foo=1,foo=2,bar=3', [['foo', '1'], ['bar', '3']]],
    ['duplicate key across headers', ['foo=1', 'foo=2'], [['foo', '1']]],
  ]
  it.each(valid)('accepts %s', (_name, header, expected) => {
    expect(parseTracestate(header)).toEqual(expected.map(([key, value]) => ({ key, value })))
  })

  it('accepts 32 members split over headers', () => {
    const entries = parseTracestate([members(1, 10), members(11, 20), members(21, 30), members(31, 32)])
    expect(entries).toHaveLength(32)
    expect(entries![0]).toEqual({ key: 'bar01', value: '1' })
  })

  const invalid: Array<[string, string | string[] | undefined | null]> = [
    ['33 members', [members(1, 10), members(11, 20), members(21, 30), members(31, 33)]],
    ['33 members with a duplicate', [members(1, 10), members(11, 20), members(21, 30), members(31, 32), 'bar01=1']],
    ['space inside key', 'foo =1'],
    ['uppercase key', 'FOO=1'],
    ['dot in key', 'foo.bar=1'],
    ['key starting with @', '@foo=1,bar=2'],
    ['key starting with _', '_foo=1'],
    ['simple key of 257 characters', ['foo=1', `${'z'.repeat(257)}=1`]],
    ['key with @ of 257 characters', ['foo=1', `${'t'.repeat(242)}@${'v'.repeat(14)}=1`]],
    ['= in value', 'foo=bar=baz'],
    ['empty value', 'foo=,bar=3'],
    ['value of 257 characters', `foo=${'v'.repeat(257)}`],
    ['tab inside value', 'foo=a\tb'],
    ['non-ASCII value', 'foo=caf\u00e9'],
    ['member without =', 'foo'],
    ['empty key', '=1'],
    ['no header', undefined],
    ['null', null],
    ['no header values', []],
  ]
  it.each(invalid)('discards the whole list for %s', (_name, header) => {
    expect(parseTracestate(header)).toBeUndefined()
  })
})

describe('formatTracestate', () => {
  const entry = (key: string, length: number) => ({ key, value: 'v'.repeat(length - key.length - 1) })
  const keys = (header: string) => header.split(',').map((m) => m.split('=')[0])

  it('joins members without spaces', () => {
    expect(formatTracestate([{ key: 'congo', value: 't61rcWkgMzE' }, { key: 'rojo', value: '00f067aa0ba902b7' }])).toBe(
      'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
    )
  })

  it('keeps a list of exactly 512 characters', () => {
    // 3 * 128 + 125 + 3 commas = 512: nothing is dropped, not even the 128-character entries.
    const list = [entry('a', 128), entry('b', 128), entry('c', 128), entry('d', 125)]
    const header = formatTracestate(list)
    expect(header).toHaveLength(512)
    expect(keys(header)).toEqual(['a', 'b', 'c', 'd'])
  })

  it('drops entries longer than 128 characters first, starting from the end', () => {
    const list = [entry('a', 200), entry('b', 100), entry('c', 200), entry('d', 100), entry('e', 129)]
    // 729 characters in all; without e (129) it is 603, without c (200) as well it is 402.
    expect(keys(formatTracestate(list))).toEqual(['a', 'b', 'd'])
  })

  it('then drops entries from the end until the list fits', () => {
    const list = Array.from({ length: 6 }, (_, i) => entry(`k${i}`, 100))
    // 6 * 100 + 5 commas = 605; no entry is long, so the last one goes.
    const header = formatTracestate(list)
    expect(keys(header)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4'])
    expect(header.length).toBeLessThanOrEqual(512)
  })

  it('drops every long entry when short ones alone still do not fit', () => {
    const list = [entry('long1', 250), ...Array.from({ length: 6 }, (_, i) => entry(`k${i}`, 100)), entry('long2', 200)]
    // 1057 characters; without both long entries 605, so k5 goes as well.
    expect(keys(formatTracestate(list))).toEqual(['k0', 'k1', 'k2', 'k3', 'k4'])
  })

  it('keeps at most 32 members', () => {
    const list = Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: '1' }))
    const header = formatTracestate(list)
    expect(keys(header)).toHaveLength(32)
    expect(keys(header).at(-1)).toBe('k31')
  })

  it('throws on a key or value the grammar forbids', () => {
    expect(() => formatTracestate([{ key: 'FOO', value: '1' }])).toThrow(/invalid tracestate key "FOO"/)
    expect(() => formatTracestate([{ key: '@foo', value: '1' }])).toThrow(/invalid tracestate key "@foo"/)
  })

  it('formats Level 2 keys', () => {
    expect(formatTracestate([{ key: 'foo@', value: '1' }, { key: '1vendor', value: '2' }])).toBe('foo@=1,1vendor=2')
    expect(() => formatTracestate([{ key: 'foo', value: 'a,b' }])).toThrow(/invalid tracestate value/)
  })
})

describe('ToolbarTraceState', () => {
  it('moves a set key to the front and leaves the original unchanged', () => {
    const original = ToolbarTraceState.parse('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')
    const updated = original.set('congo', 'ucfJifl5GOE')
    expect(updated.serialize()).toBe('congo=ucfJifl5GOE,rojo=00f067aa0ba902b7')
    expect(original.serialize()).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')
    expect(updated.get('congo')).toBe('ucfJifl5GOE')
    expect(updated.unset('rojo').serialize()).toBe('congo=ucfJifl5GOE')
  })

  it('ignores invalid keys and values', () => {
    const state = ToolbarTraceState.parse('foo=1')
    expect(state.set('Bad', 'x').serialize()).toBe('foo=1')
    expect(state.set('ok', 'a=b').serialize()).toBe('foo=1')
  })

  it('drops the right-most member when a 33rd is added', () => {
    const state = ToolbarTraceState.parse(members(1, 32)).set('new', 'x')
    const entries = state.entries()
    expect(entries).toHaveLength(32)
    expect(entries[0]).toEqual({ key: 'new', value: 'x' })
    expect(state.get('bar32')).toBeUndefined()
  })

  it('is empty for an invalid header', () => {
    expect(ToolbarTraceState.parse('foo=1,FOO=2').serialize()).toBe('')
  })

  it('accepts Level 2 keys in set() and keeps the first of duplicated keys', () => {
    // "A key MUST begin with a lowercase letter or a digit" (Level 2 key grammar).
    expect(ToolbarTraceState.parse('foo=1,foo=2').set('1vendor', 'x').serialize()).toBe('1vendor=x,foo=1')
    expect(ToolbarTraceState.parse('a=1').set('foo@', 'y').get('foo@')).toBe('y')
    expect(new ToolbarTraceState([{ key: 'a', value: '1' }, { key: 'a', value: '2' }]).serialize()).toBe('a=1')
  })
})

describe('extractTraceContext', () => {
  it('reads a remote span context with the full flags byte and tracestate', () => {
    const spanContext = extractTraceContext(
      new Headers({ traceparent: `00-${TRACE}-${SPAN}-03`, tracestate: 'foo=1,bar=2' }),
    )
    expect(spanContext).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: 3, isRemote: true })
    expect(spanContext!.traceState!.get('foo')).toBe('1')
    expect(spanContext!.traceState!.serialize()).toBe('foo=1,bar=2')
  })

  it('matches header names in any case on plain objects', () => {
    const spanContext = extractTraceContext({ TrAcEpArEnT: VALID, TRACESTATE: 'foo=1' })
    expect(spanContext?.traceId).toBe(TRACE)
    expect(spanContext?.traceState?.get('foo')).toBe('1')
  })

  it('joins several tracestate values in order', () => {
    const spanContext = extractTraceContext({ traceparent: VALID, tracestate: ['foo=1', 'bar=2'] })
    expect(spanContext?.traceState?.serialize()).toBe('foo=1,bar=2')
  })

  it('ignores two traceparent headers', () => {
    expect(extractTraceContext({ traceparent: [VALID, `00-${TRACE}-${SPAN}-00`] })).toBeUndefined()
    const headers = new Headers()
    headers.append('traceparent', VALID)
    headers.append('traceparent', VALID)
    expect(extractTraceContext(headers)).toBeUndefined()
  })

  it('forwards a tracestate with duplicated keys: "Vendors receiving a tracestate request header MUST send it to outgoing requests"', () => {
    const spanContext = extractTraceContext({ traceparent: VALID, tracestate: 'foo=1,foo=2,bar=3' })
    expect(spanContext?.traceState?.serialize()).toBe('foo=1,bar=3')
  })

  it('drops the tracestate with an invalid traceparent, and an unparseable tracestate alone', () => {
    expect(extractTraceContext({ traceparent: `00-${'0'.repeat(32)}-${SPAN}-01`, tracestate: 'foo=1' })).toBeUndefined()
    const spanContext = extractTraceContext({ traceparent: VALID, tracestate: 'foo=1,@foo=2' })
    expect(spanContext?.traceId).toBe(TRACE)
    expect(spanContext?.traceState).toBeUndefined()
  })

  it('ignores wrongly named headers', () => {
    expect(extractTraceContext({ 'trace-parent': VALID })).toBeUndefined()
    expect(extractTraceContext({ 'trace.parent': VALID })).toBeUndefined()
  })
})

describe('injectTraceContext', () => {
  const remote = (flags: number, tracestate?: string): SpanContext => ({
    traceId: TRACE,
    spanId: SPAN,
    traceFlags: flags,
    isRemote: true,
    ...(tracestate ? { traceState: ToolbarTraceState.parse(tracestate) } : {}),
  })

  it('writes traceparent and tracestate from a given span context', () => {
    const headers = new Headers()
    injectTraceContext(headers, remote(1, 'foo=1'))
    expect(headers.get('traceparent')).toBe(VALID)
    expect(headers.get('tracestate')).toBe('foo=1')
  })

  it('sends reserved flag bits as zero and keeps the random bit', () => {
    const headers: Record<string, string> = {}
    injectTraceContext(headers, remote(0xff))
    expect(headers).toEqual({ traceparent: `00-${TRACE}-${SPAN}-03` })
  })

  it('replaces a differently cased header on plain objects', () => {
    const headers: Record<string, string> = { TraceParent: 'old', accept: 'text/html' }
    injectTraceContext(headers, remote(0))
    expect(headers).toEqual({ accept: 'text/html', traceparent: `00-${TRACE}-${SPAN}-00` })
  })

  it('does nothing without a valid span context', () => {
    const headers: Record<string, string> = {}
    injectTraceContext(headers)
    injectTraceContext(headers, { ...remote(1), traceId: '0'.repeat(32) })
    expect(headers).toEqual({})
  })
})

describe('ToolbarTraceContextPropagator with the OpenTelemetry api', () => {
  const propagator = new ToolbarTraceContextPropagator()
  const provider = new BasicTracerProvider()
  const tracer = provider.getTracer('propagation-test')

  it('names its fields', () => {
    expect(propagator.fields()).toEqual(['traceparent', 'tracestate'])
  })

  it('round-trips a remote context unchanged', () => {
    const incoming = { traceparent: `00-${TRACE}-${SPAN}-03`, tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7' }
    const ctx = propagator.extract(ROOT_CONTEXT, incoming, defaultTextMapGetter)
    const outgoing: Record<string, string> = {}
    propagator.inject(ctx, outgoing, defaultTextMapSetter)
    expect(outgoing).toEqual(incoming)
  })

  it('carries the random flag and tracestate onto a child span created by the SDK', () => {
    const ctx = propagator.extract(ROOT_CONTEXT, { traceparent: `00-${TRACE}-${SPAN}-03`, tracestate: 'foo=1' }, defaultTextMapGetter)
    const child = tracer.startSpan('GET /users/:id', {}, ctx)
    // The SDK keeps only the sampled bit on the child's own flags.
    expect(child.spanContext().traceFlags).toBe(1)
    const outgoing: Record<string, string> = {}
    propagator.inject(trace.setSpan(ctx, child), outgoing, defaultTextMapSetter)
    const sent = parseTraceparent(outgoing.traceparent)
    expect(sent).toMatchObject({ traceId: TRACE, sampled: true, random: true })
    expect(sent!.spanId).toBe(child.spanContext().spanId)
    expect(sent!.spanId).not.toBe(SPAN)
    expect(outgoing.tracestate).toBe('foo=1')
    child.end()
  })

  it('does not claim randomness the caller did not declare', () => {
    const ctx = propagator.extract(ROOT_CONTEXT, { traceparent: `00-${TRACE}-${SPAN}-01` }, defaultTextMapGetter)
    const child = tracer.startSpan('child', {}, ctx)
    const outgoing: Record<string, string> = {}
    propagator.inject(trace.setSpan(ctx, child), outgoing, defaultTextMapSetter)
    expect(parseTraceparent(outgoing.traceparent)).toMatchObject({ sampled: true, random: false })
    child.end()
  })

  it('sets the random flag for a local trace marked with withRandomTraceId', () => {
    const root = tracer.startSpan('root', {}, ROOT_CONTEXT)
    const traceId = root.spanContext().traceId
    const ctx = withRandomTraceId(trace.setSpan(ROOT_CONTEXT, root), traceId)
    expect(isRandomTraceId(ctx, traceId)).toBe(true)
    expect(isRandomTraceId(ctx, TRACE)).toBe(false)
    const outgoing: Record<string, string> = {}
    propagator.inject(ctx, outgoing, defaultTextMapSetter)
    expect(parseTraceparent(outgoing.traceparent)).toMatchObject({ traceId, random: true })
    root.end()
  })

  it('leaves the context alone for an invalid traceparent', () => {
    const ctx = propagator.extract(ROOT_CONTEXT, { traceparent: `ff-${TRACE}-${SPAN}-01`, tracestate: 'foo=1' }, defaultTextMapGetter)
    expect(ctx).toBe(ROOT_CONTEXT)
    const outgoing: Record<string, string> = {}
    propagator.inject(ctx, outgoing, defaultTextMapSetter)
    expect(outgoing).toEqual({})
  })

  it('injects nothing when tracing is suppressed', () => {
    const ctx = propagator.extract(ROOT_CONTEXT, { traceparent: VALID }, defaultTextMapGetter)
    const outgoing: Record<string, string> = {}
    propagator.inject(suppressTracing(ctx), outgoing, defaultTextMapSetter)
    expect(outgoing).toEqual({})
  })

  it('works as the global propagator, and injectTraceContext reads the active context', () => {
    const manager = new AsyncLocalStorageContextManager().enable()
    context.setGlobalContextManager(manager)
    propagation.setGlobalPropagator(propagator)
    try {
      const ctx = propagation.extract(ROOT_CONTEXT, { traceparent: `00-${TRACE}-${SPAN}-02` })
      const child = tracer.startSpan('fetch', {}, ctx)
      context.with(trace.setSpan(ctx, child), () => {
        const headers = new Headers()
        injectTraceContext(headers)
        expect(parseTraceparent(headers.get('traceparent'))).toMatchObject({
          traceId: TRACE,
          spanId: child.spanContext().spanId,
          random: true,
        })
      })
      child.end()
    } finally {
      propagation.disable()
      context.disable()
    }
  })

  it('contextFromTraceHeaders parents a server span on the incoming request', () => {
    const ctx = contextFromTraceHeaders(new Headers({ traceparent: `00-${TRACE}-${SPAN}-03` }), ROOT_CONTEXT)
    const server = tracer.startSpan('GET /', {}, ctx)
    expect(server.spanContext().traceId).toBe(TRACE)
    expect(isRandomTraceId(ctx, TRACE)).toBe(true)
    server.end()
    expect(contextFromTraceHeaders(new Headers(), ROOT_CONTEXT)).toBe(ROOT_CONTEXT)
  })
})
