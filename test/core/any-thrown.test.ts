// Whatever a handler throws (errors with causes, messages of markup, a string, a number, null,
// a plain object, an object without a prototype, an error whose getters throw, a cause that
// is the error itself), a page load answers 500 with the debug error page or Hono's own
// answer, never a broken response, the thrown text only escaped, the request recorded, and
// the server keeps serving. fast-check writes what is thrown.
import { describe, it, vi } from 'vitest'
import fc from 'fast-check'
import { Hono } from 'hono'
import { debugToolbar } from '../../src/index.js'
import { loopbackServers } from '../support/loopback-service.js'
import { get } from '../support/page-load.js'

const start = loopbackServers()

const MARKUP = '<img src=x onerror=alert(1)>'
const text = fc.oneof(fc.string({ maxLength: 20 }), fc.constant(MARKUP), fc.constant(`</script>${MARKUP}`))

const thrown: fc.Arbitrary<() => unknown> = fc.oneof(
  text.map((message) => () => new Error(message)),
  fc.tuple(text, text).map(([outer, inner]) => () => new Error(outer, { cause: new TypeError(inner) })),
  text.map((message) => () => {
    const error = new Error(message) as Error & { cause?: unknown }
    error.cause = error
    return error
  }),
  text.map((message) => () => new AggregateError([new Error(message), 'not an error'], message)),
  text.map((message) => () => {
    const error = new RangeError(message)
    Object.defineProperty(error, 'stack', { get: () => { throw new Error('no stack') } })
    return error
  }),
  text.map((message) => () => {
    const error = new Error(message)
    Object.defineProperty(error, 'message', { get: () => { throw new Error('no message') } })
    return error
  }),
  text.map((message) => () => message),
  fc.constantFrom(() => 42, () => null, () => undefined, () => Symbol('thrown'), () => 10n),
  text.map((message) => () => ({ message, stack: `Error: ${message}\n    at somewhere (file.js:1:1)` })),
  text.map((message) => () => Object.assign(Object.create(null) as object, { message })),
)

describe('whatever a handler throws', () => {
  it('a page load gets a 500 with the thrown text escaped, and the request is recorded', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const app = new Hono()
    app.use(debugToolbar())
    let make: () => unknown = () => undefined
    app.get('/fail', () => {
      throw make()
    })
    app.get('/ok', (c) => c.text('ok'))
    const base = await start(app)
    await fc.assert(
      fc.asyncProperty(thrown, async (what) => {
        make = what
        const res = await get(base, '/fail')
        if (res.status !== 500) return false
        // The markup a message carried is shown as text, never as markup.
        if (res.text.includes(MARKUP)) return false
        const id = res.headers.get('x-debug-toolbar-request-id')
        if (!id) return false
        const detail = await (await fetch(`${base}/_debug_toolbar/api/requests/${id}`)).json()
        return detail.status === 500 && (await get(base, '/ok', {})).text === 'ok'
      }),
      { numRuns: 300 },
    )
    warn.mockRestore()
  })
})
