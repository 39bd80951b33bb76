/**
 * A pino logger given `pinoToolbarStream(destination)` writes to its destination what the
 * same logger writes without the toolbar, and the Logging panel shows each line it wrote in
 * a request, as the line reads: its level, its message (under any `messageKey`, with a
 * `msgPrefix`, formatted from `%s`/`%d`/`%o`, or a number, `true` or `null` said where a
 * message goes) and its fields (bindings of child loggers, the call's own fields, a
 * `nestedKey`, no `base` or another one), every line and nothing more. fast-check writes the
 * loggers' options and the calls.
 */
import { describe, it } from 'vitest'
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { Hono } from 'hono'
import pino from 'pino'
import { debugToolbar, LoggingPanel, pinoToolbarStream, type LoggingStats } from '../../src/index.js'
import { request } from '../support/local.js'

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const
const WORDS = ['order', 'loaded', 'café', '📦', 'a "quote"', '<b>', '%', '100%', '', ' ']
const word = fc.constantFrom(...WORDS)
const text = fc.array(word, { maxLength: 3 }).map((words) => words.join(' '))
const FIELD_NAMES = ['orderId', 'items', 'user', 'msg', 'message', 'text', 'payload', 'service', 'level2', 'tags']
const value = fc.oneof(text, fc.integer({ min: -1000, max: 1000 }), fc.boolean(), fc.constant(null), fc.array(fc.oneof(text, fc.integer()), { maxLength: 3 }), fc.record({ id: fc.integer(), name: text }))
const fields = fc.dictionary(fc.constantFrom(...FIELD_NAMES), value, { maxKeys: 3, noNullPrototype: true })

/** What a call passes pino: `log.info(fields?, message?, ...args)`, or an error. */
const call = fc.record({
  level: fc.constantFrom(...LEVELS),
  fields: fc.option(fields, { nil: undefined }),
  message: fc.oneof(
    text,
    fc.tuple(text, text).map(([a, b]) => ({ format: `${a} %s ${b}`, args: [b] })),
    fc.integer().map((n) => ({ format: 'count %d', args: [n] })),
    fc.constant({ format: 'object %o', args: [{ a: 1 }] }),
    fc.integer({ min: -5, max: 500 }),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
  ),
  error: fc.option(text, { freq: 5, nil: undefined }),
  child: fc.option(fields, { freq: 4, nil: undefined }),
})
type Call = typeof call extends fc.Arbitrary<infer T> ? T : never

const options = fc.record(
  {
    messageKey: fc.constantFrom('msg', 'message', 'text'),
    nestedKey: fc.constant('payload'),
    base: fc.constantFrom(null, { service: 'shop' }),
    msgPrefix: fc.constant('[svc] '),
  },
  { requiredKeys: [] },
)

function play(logger: pino.Logger, calls: Call[]): void {
  for (const c of calls) {
    const log = c.child ? logger.child(c.child) : logger
    if (c.error !== undefined) {
      log[c.level](new Error(c.error))
      continue
    }
    const m = c.message
    const [said, args] = m !== null && typeof m === 'object' ? [m.format, m.args] : [m, []]
    if (c.fields) (log[c.level] as (...a: unknown[]) => void)(c.fields, said, ...args)
    else if (said !== undefined) (log[c.level] as (...a: unknown[]) => void)(said, ...args)
    else log[c.level]({})
  }
}

function sink() {
  const lines: string[] = []
  return { lines, write: (line: string) => void lines.push(line) }
}

// One time on every line, so that the two loggers' lines compare.
const settings = (o: object) => ({ level: 'trace', timestamp: () => ',"time":1', ...o })

/** The message as the panel shows it: the line's value under the message key, as text. */
function messageOf(line: Record<string, unknown>, key: string): string {
  const said = line[key]
  if (said === undefined || said === null) return ''
  return typeof said === 'string' ? said : JSON.stringify(said)
}

describe('pinoToolbarStream', () => {
  it('writes what pino writes without it, and the Logging panel shows every line as written', async () => {
    await fc.assert(
      fc.asyncProperty(options, fc.array(call, { minLength: 1, maxLength: 6 }), async (o, calls) => {
        const plain = sink()
        play(pino(settings(o), plain), calls)
        const through = sink()
        const logger = pino(settings(o), pinoToolbarStream(through))
        const app = new Hono()
        app.use(debugToolbar({ panels: [new LoggingPanel()] }))
        app.get('/', (c) => (play(logger, calls), c.text('ok')))
        const res = await request(app, '/')
        const id = res.headers.get('x-debug-toolbar-request-id')
        const stats = (await request(app, `/_debug_toolbar/api/requests/${id}`)).json().panels.logging as LoggingStats

        // The destination gets the lines pino writes anyway (errors' stacks name other lines).
        const withoutStacks = (lines: string[]) => lines.map((line) => line.replace(/"stack":"(?:[^"\\]|\\.)*"/g, '"stack":""'))
        if (!isDeepStrictEqual(withoutStacks(through.lines), withoutStacks(plain.lines))) throw new Error(`the destination got other lines:\n${through.lines.join('')}\nwithout the toolbar:\n${plain.lines.join('')}`)
        if (stats.logs.length !== through.lines.length) throw new Error(`${through.lines.length} lines written, ${stats.logs.length} in the panel:\n${through.lines.join('')}`)
        const key = o.messageKey ?? 'msg'
        through.lines.forEach((raw, i) => {
          const line = JSON.parse(raw) as Record<string, unknown>
          const shown = stats.logs[i]!
          const expected = { level: pino.levels.labels[line.level as number], message: messageOf(line, key) }
          if (!isDeepStrictEqual({ level: shown.level, message: shown.message }, expected)) {
            throw new Error(`line ${raw.trim()}\n  panel ${JSON.stringify([shown.level, shown.message])}, expected ${JSON.stringify(expected)}`)
          }
          const fieldKeys = Object.keys(line).filter((k) => !['level', 'time', 'pid', 'hostname', key].includes(k))
          if (!isDeepStrictEqual(Object.keys(shown.attributes).sort(), fieldKeys.sort())) {
            throw new Error(`line ${raw.trim()}\n  panel fields ${JSON.stringify(shown.attributes)}`)
          }
          for (const k of fieldKeys) {
            const written = line[k]
            const inPanel = shown.attributes[k]
            // A field that is not a string, number or boolean shows as its text (attributes hold no null or object).
            const same = written === null ? inPanel === 'null' : typeof written === 'object' ? k === 'err' || isDeepStrictEqual(JSON.parse(String(inPanel)), written) : inPanel === written
            if (!same) throw new Error(`line ${raw.trim()}\n  field ${k}: panel ${JSON.stringify(inPanel)}`)
          }
        })
        return true
      }),
      { numRuns: 300 },
    )
  })
})
