// The Logging panel shows a console line as the terminal printed it, with secret-named
// values hidden: whatever an app logs (strings and format directives, numbers, bigints,
// objects, arrays with holes, Maps, Sets, dates, class instances, null-prototype objects,
// getters, cycles) the panel's line is the terminal's with `'SECRET-x'` read as `'********'`
// (the same width, so inspect breaks the lines alike), and the secret never shows.
// fast-check writes what is logged.
import { describe, it } from 'vitest'
import fc from 'fast-check'
import { Hono } from 'hono'
import { debugToolbar, LoggingPanel, type LoggingStats } from '../../src/index.js'
import { request } from '../support/local.js'
import { consoleSink } from '../support/console-sink.js'

const terminal = consoleSink()

const SECRET = "'SECRET-x'"
const HIDDEN = "'********'"

class Item {
  constructor(readonly id: number, readonly tags: unknown) {}
}

// Words with no separator or secret name in them: free text the redaction leaves as it is.
const word = fc.stringMatching(/^[a-m0-9 ]{0,10}$/)
const key = fc.constantFrom('id', 'name', 'items', 'count', 'tags', 'meta', 'list', 'child')
const leaf = fc.oneof(
  word, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.constant(new Date(Date.UTC(2026, 11, 4))), fc.constant(Symbol('s')),
  // A secret under its name, as apps log a login body.
  fc.constant({ password: 'SECRET-x' }),
)
const value = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf, leaf,
    fc.dictionary(key, tie('value'), { maxKeys: 3 }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.array(tie('value'), { maxLength: 3 }).map((items) => {
      const holes = [...items]
      holes.length += 2
      return holes
    }),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 2 }).map((entries) => new Map(entries)),
    fc.array(tie('value'), { maxLength: 2 }).map((items) => new Set(items)),
    fc.tuple(fc.integer(), tie('value')).map(([id, tags]) => new Item(id, tags)),
    tie('value').map((v) => Object.assign(Object.create(null) as object, { child: v })),
    tie('value').map((v) => Object.defineProperty({ id: 1, child: v }, 'computed', { get: () => 'x', enumerable: true })),
    tie('value').map((v) => {
      const cyclic: Record<string, unknown> = { child: v }
      cyclic.self = cyclic
      return cyclic
    }),
  ),
})).value
const first = fc.oneof(word, fc.constantFrom('%s and %d', '%o', '%O', '%j', '%i %f', '%c styled', '100%', '%%', 'user %s'), value)

describe('a console line in the Logging panel', () => {
  it("is the terminal's line with the secrets hidden", async () => {
    const app = new Hono()
    app.use(debugToolbar({ panels: [new LoggingPanel()] }))
    let args: unknown[] = []
    let threw = false
    app.get('/log', (c) => {
      // Node's own console throws for some (`%d` of a null-prototype object): so it does here.
      try {
        console.log(...args)
        threw = false
      } catch {
        threw = true
      }
      return c.text('ok')
    })
    await fc.assert(
      fc.asyncProperty(first, fc.array(value, { maxLength: 3 }), async (head, rest) => {
        args = [head, ...rest]
        terminal.clear()
        const res = await request(app, '/log')
        const id = res.headers.get('x-debug-toolbar-request-id')
        const stats = (await request(app, `/_debug_toolbar/api/requests/${id}`)).json().panels.logging as LoggingStats
        const printed = terminal.printed()
        const shown = printed.endsWith('\n') ? printed.slice(0, -1) : printed
        const line = stats.logs[0]?.message
        if (threw) return printed === '' && line === undefined
        if (line === undefined || line.includes('SECRET-x')) return false
        // Read as inspect quotes it, and as %j (JSON) does.
        return line === shown.replaceAll(SECRET, HIDDEN).replaceAll('"SECRET-x"', '"********"')
      }),
      { numRuns: 1500 },
    )
  })
})
