import { describe, expect, it } from 'vitest'
import { Hono } from 'hono'
import pino from 'pino'
import { debugToolbar, pinoToolbarStream, recordLog } from '../../src/index.js'
import { loopbackServers } from '../support/loopback-service.js'
import { call, connect } from './app.js'

/** test/fixtures/code-location/build/users.js, built by tsc from ../src/users.ts with a source map beside it. */
const BUILT_URL = new URL('../fixtures/code-location/build/users.js', import.meta.url).href

/** The error a failed checkout gives the handler, its stack taken here. */
function checkout(): Error {
  return new Error('card declined')
}

/** An app whose routes log an error's stack three ways, and a message of several lines. */
function loggingApp() {
  const app = new Hono()
  app.use(debugToolbar())
  app.get('/console', (c) => {
    console.error(checkout())
    return c.text('ok')
  })
  app.get('/attribute', (c) => {
    recordLog('error', 'payment failed', checkout())
    return c.text('ok')
  })
  const logger = pino({}, pinoToolbarStream())
  app.get('/pino', (c) => {
    logger.error(checkout())
    return c.text('ok')
  })
  // An error thrown in the app's built code: its frame names the compiled file, which has a source map.
  app.get('/built', (c) => {
    const error = new Error('no such user')
    error.stack = `Error: no such user\n    at findUser (${BUILT_URL}:2:5)\n    at new Promise (<anonymous>)\n    at ${BUILT_URL}:3:5`
    console.error(error)
    return c.text('ok')
  })
  app.get('/lines', (c) => {
    recordLog('info', 'retrying the upstream\nattempt 2 of 3')
    recordLog('info', Array.from({ length: 30 }, (_, i) => `row ${i + 1}`).join('\n'))
    recordLog('info', 'all done')
    return c.text('ok')
  })
  return app
}

/** The lines of `text` from the one that ends with `first` (or matches it), through the indented ones beneath it. */
function entry(text: string, first: string | RegExp): string[] {
  const lines = text.split('\n')
  const at = lines.findIndex((line) => (typeof first === 'string' ? line.endsWith(first) : first.test(line)))
  expect(at, `no line ends with ${first}:\n${text}`).toBeGreaterThanOrEqual(0)
  const beneath = lines.slice(at + 1)
  const end = beneath.findIndex((line) => !line.startsWith('    '))
  return [lines[at]!, ...(end === -1 ? beneath : beneath.slice(0, end))]
}

describe('search_logs shows a logged error with its stack beneath it', () => {
  const start = loopbackServers()

  /** search_logs's answer after one request to `path` of the app. */
  async function logsAfter(path: string, args: Record<string, unknown> = {}) {
    const base = await start(loggingApp())
    await (await fetch(`${base}${path}`)).text()
    const client = await connect(base)
    try {
      return await call(client, 'search_logs', args)
    } finally {
      await client.close()
    }
  }

  it("writes the error's first line, then its frames indented, the app's shown and the rest counted", async () => {
    const { text, data } = await logsAfter('/console', { level: 'error' })
    const [first, ...beneath] = entry(text, ' ERROR Error: card declined')
    expect(first).not.toContain(' at ')
    // The frame it was thrown in and the handler that called it, both the app's, in order.
    expect(beneath[0]).toMatch(/^ {4}at checkout \(.*log-stack\.test\.ts:\d+:\d+\)$/)
    expect(beneath[1]).toMatch(/^ {4}at .*log-stack\.test\.ts:\d+:\d+\)?$/)
    // Hono's and the toolbar's frames between the handler and the server, folded into a count.
    expect(beneath[2]).toMatch(/^ {4}\.\.\. \d+ frames of hono, the toolbar, node$/)
    expect(beneath).toHaveLength(3)
    // The data keeps the message as it was logged.
    expect(data.logs[0].message).toMatch(/^Error: card declined\n {4}at checkout /)
  })

  it("shows the stack of an error given as recordLog's attributes beneath the line", async () => {
    const { text } = await logsAfter('/attribute', { text: 'payment' })
    const [, ...beneath] = entry(text, / ERROR payment failed {2}\{"value":/)
    expect(beneath[0]).toBe('    value: Error: card declined')
    expect(beneath[1]).toMatch(/^ {4}at checkout \(.*log-stack\.test\.ts:\d+:\d+\)$/)
  })

  it("shows the stack of an error pino logged beneath the line", async () => {
    const { text } = await logsAfter('/pino', { level: 'error' })
    const [, ...beneath] = entry(text, / ERROR card declined {2}\{"err":/)
    expect(beneath[0]).toBe('    err: Error: card declined')
    expect(beneath[1]).toMatch(/^ {4}at checkout \(.*log-stack\.test\.ts:\d+:\d+\)$/)
  })

  it("names the app's frames in the TypeScript the built file maps to, relative to the working directory", async () => {
    const { text } = await logsAfter('/built', { level: 'error' })
    const [, ...beneath] = entry(text, ' ERROR Error: no such user')
    expect(beneath).toEqual([
      '    at findUser (test/fixtures/code-location/src/users.ts:10:3)',
      '    ... 1 frame of node',
      '    at test/fixtures/code-location/src/users.ts:11:3',
    ])
  })

  it('writes a message of several lines line by line, at most 12, saying how many more', async () => {
    const { text } = await logsAfter('/lines')
    expect(entry(text, ' INFO retrying the upstream').slice(1)).toEqual(['    attempt 2 of 3'])
    const rows = entry(text, ' INFO row 1')
    expect(rows.slice(1)).toEqual([...Array.from({ length: 10 }, (_, i) => `    row ${i + 2}`), '    ... 19 more lines'])
    // A line of one line reads as before, nothing beneath it.
    expect(entry(text, ' INFO all done')).toHaveLength(1)
  })
})

describe('get_request shows a logged error by its first line and says where its stack is', () => {
  const start = loopbackServers()

  /** get_request's answer for one request to `path` of the app. */
  async function briefOf(path: string) {
    const base = await start(loggingApp())
    const res = await fetch(`${base}${path}`)
    await res.text()
    const client = await connect(base)
    try {
      return await call(client, 'get_request', { request_id: res.headers.get('x-debug-toolbar-request-id') })
    } finally {
      await client.close()
    }
  }

  it('writes the error line without its frames run together', async () => {
    const { text } = await briefOf('/console')
    const line = text.split('\n').find((l) => l.includes(' ERROR '))
    expect(line).toMatch(/^ {2}\+[\d.]+ (ms|µs) ERROR Error: card declined \(stack: search_logs with request_id\)$/)
  })

  it('counts the further lines of a message of several lines', async () => {
    const { text } = await briefOf('/lines')
    expect(text).toMatch(/ INFO retrying the upstream \(1 more line: search_logs with request_id\)$/m)
    expect(text).toMatch(/ INFO row 1 \(29 more lines: search_logs with request_id\)$/m)
    expect(text).toMatch(/ INFO all done$/m)
  })
})

describe('get_request says where to read the stacks of its errors', () => {
  const start = loopbackServers()

  it('points to get_trace_errors on the Errors line', async () => {
    const app = new Hono()
    app.use(debugToolbar())
    app.get('/boom', () => {
      throw checkout()
    })
    const base = await start(app)
    const res = await fetch(`${base}/boom`)
    await res.text()
    const client = await connect(base)
    try {
      const { text } = await call(client, 'get_request', { request_id: res.headers.get('x-debug-toolbar-request-id') })
      expect(text).toMatch(/^Errors: 1 \(get_trace_errors: stacks and the log lines around each\)$/m)
      expect(text).toMatch(/^ {2}thrown: Error: card declined$/m)
    } finally {
      await client.close()
    }
  })
})
