import Database from 'better-sqlite3'
import { Hono } from 'hono'
import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { trace } from '@opentelemetry/api'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { debugToolbar, instrumentBetterSqlite3, recordLog, recordQuery, type LoggingStats, type SqlStats } from '../../src/index.js'
import { OpenTelemetryPanel, type ToolbarSpan } from '../../src/opentelemetry/index.js'
import { call, connect } from '../mcp/app.js'

const PREFIX = '/_debug_toolbar'

// Secrets an app writes with no name around them, in the shapes their issuers give them
// (built here so that no file holds a token a scanner would flag).
const alnum = (n: number) => 'A1b2C3d4E5f6G7h8I9j0'.repeat(5).slice(0, n)
const TOKENS = {
  jwt: `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${alnum(43)}`,
  github: `ghp_${alnum(36)}`,
  githubFineGrained: `github_pat_11${alnum(20)}_${alnum(59)}`,
  gitlab: `glpat-${alnum(20)}`,
  stripe: `sk_live_${alnum(24)}`,
  stripeRestricted: `rk_live_${alnum(24)}`,
  slackBot: `xoxb-123456789012-1234567890123-${alnum(24)}`,
  slackUser: `xoxp-123456789012-1234567890123-${alnum(24)}`,
  aws: `AKIA${'IOSFODNN7EXAMPLE'.slice(0, 16)}`,
  google: `AIza${alnum(35)}`,
}
const BEARER = `tk_${alnum(30)}`
const BASIC = 'dXNlcjpwYXNzd29yZDEyMw=='
// What must stay readable: ids look like tokens to a careless pattern.
const READABLE = [
  'request 3f2a9c1e-4b7d-4e8a-9f00-1c2d3e4f5a6b done',
  'trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7',
  'req_01HZX3K8Q9V2M7N4P6R8T0W2Y4 ok',
  'Bearer tokens are accepted; Basic Auth is off; send a Bearer JWT',
  'ghp_short and AKIA-like words and sk_live_ alone',
]

// Params bound to a secret column through a call on its side or a ROW(...), and one beside them that stays.
const COMPARED: Array<[string, unknown[], unknown[]]> = [
  ['SELECT id FROM users WHERE lower(password) = ? AND id = ?', ['pw-1', 7], ['********', 7]],
  ['SELECT id FROM users WHERE upper(token) = $1 AND name = $2', ['pw-2', 'ada'], ['********', 'ada']],
  ['SELECT id FROM users WHERE trim(api_key) = ? OR lower(trim(secret)) = lower(?)', ['pw-3', 'pw-4'], ['********', '********']],
  ['SELECT id FROM users WHERE (email, password) = ROW(?, ?)', ['ada@example.com', 'pw-5'], ['ada@example.com', '********']],
  ['SELECT id FROM users WHERE lower(token) IN (?, ?) AND lower(name) = ?', ['pw-6', 'pw-7', 'ada'], ['********', '********', 'ada']],
]
// The same written with literals, as log lines and PostgreSQL's plans have them.
const COMPARED_LITERALS = [
  "SELECT id FROM users WHERE lower(password) = 'pw-8' AND lower(name) = 'ada'",
  "SELECT id FROM users WHERE trim(api_key) = 'pw-9' OR upper(token) <> 'pw-10'",
  "SELECT id FROM users WHERE (email, password) = ROW('ada@example.com', 'pw-11') OR (name, secret) = ('bob', 'pw-12')",
]
const SHOWN_LITERALS = [
  "SELECT id FROM users WHERE lower(password) = 'REDACTED' AND lower(name) = 'ada'",
  "SELECT id FROM users WHERE trim(api_key) = 'REDACTED' OR upper(token) <> 'REDACTED'",
  "SELECT id FROM users WHERE (email, password) = ROW('ada@example.com', 'REDACTED') OR (name, secret) = ('bob', 'REDACTED')",
]
// Log text: a URL nested eight levels deep, a secret of several words after `token:`, and SQL
// that keeps its calls; then what each line shows in the Logging panel.
const nested = (depth: number): string => (depth === 0 ? '/cb?token=pw-13' : `/hop${depth}?next=${encodeURIComponent(nested(depth - 1))}`)
const nestedShown = (depth: number): string => (depth === 0 ? '/cb?token=********' : `/hop${depth}?next=${encodeURIComponent(nestedShown(depth - 1))}`)
const TEXT_LINES = {
  nested: [[`redirecting to ${nested(7)}`, `redirecting to ${nestedShown(7)}`]],
  words: [
    ['token: pw one two', 'token: ********'],
    ['login token: pw three four, user: ada', 'login token: ********, user: ada'],
    ['secret: correct horse battery staple; retry', 'secret: ********; retry'],
    // Prose stays readable.
    ['Token: refreshed for user 7', 'Token: refreshed for user 7'],
    ['Session: user 7 logged in from the app', 'Session: user 7 logged in from the app'],
    ['Token: expires in 5 minutes', 'Token: expires in 5 minutes'],
  ],
  // A column that only contains a secret word keeps the call it is assigned.
  calls: [['UPDATE users SET password_changed_at = now(), token_expires_at = now() WHERE id = 7', 'UPDATE users SET password_changed_at = now(), token_expires_at = now() WHERE id = 7']],
  // A quote inside a quoted value, escaped as JSON, SQL and JavaScript write it.
  quoted: [
    [String.raw`sent {"user":"ada","password":"pw\"-16-rest","remember":true}`, 'sent {"user":"ada","password":"********","remember":true}'],
    ["UPDATE users SET password = 'it''s-pw-17' WHERE id = 7", "UPDATE users SET password = '********' WHERE id = 7"],
    [String.raw`config {password: 'it\'s-pw-18', user: 'ada'}`, "config {password: '********', user: 'ada'}"],
  ],
  // A bracketed value to its `]`, or, with no `]` after it, as the words after a colon.
  brackets: [
    ['login roles=[admin] password=[pw-19 pw-20] user=ada', 'login roles=[admin] password=[********] user=ada'],
    ['token: [pw-21, pw-22], retry', 'token: [********], retry'],
    ['password = [pw-23 pw-24', 'password = [********]'],
    ['config secret=[pw-25] then token=[pw-26 and more] [done]', 'config secret=[********] then token=[********] [done]'],
    ['password: [pw-27] ]', 'password: [********] ]'],
    ['list=[1, 2] password = [pw-28', 'list=[1, 2] password = [********]'],
  ],
  // A value's own parentheses are part of it; a `)` it did not open ends it, unless more of
  // the value follows at once. A call that never closes, or that a word goes on after, is no SQL.
  parentheses: [
    ['login ok password=Pass(pw-29)! user=ada', 'login ok password=******** user=ada'],
    ['login(user=ada, password=pw-30) failed', 'login(user=ada, password=********) failed'],
    ['token=pw)31 sent', 'token=******** sent'],
    ['password=pw-32(? sent', 'password=******** sent'],
    ['password=_()pw-33 sent', 'password=******** sent'],
  ],
} satisfies Record<string, Array<[string, string]>>

describe('secrets with no name around them', () => {
  let server: ServerType
  let base: string
  let client: Client
  const exporter = new InMemorySpanExporter()
  const panel = new OpenTelemetryPanel({ exporter, serviceName: 'shop' })
  const ids: Record<string, string> = {}
  const db = instrumentBetterSqlite3(new Database(':memory:'))

  beforeAll(async () => {
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)')
    const app = new Hono()
    app.use(debugToolbar({ extraPanels: [panel] }))
    app.get('/log', (c) => {
      for (const [name, token] of Object.entries(TOKENS)) recordLog('info', `${name} is ${token} here`)
      console.log(`calling upstream with Bearer ${BEARER} and Basic ${BASIC}`)
      recordLog('info', 'stored', { note: `key ${TOKENS.github}` })
      for (const line of READABLE) recordLog('info', line)
      return c.text('ok')
    })
    app.get('/sql', (c) => {
      db.prepare('INSERT INTO notes (body) VALUES (?)').run(`deploy key ${TOKENS.gitlab}`)
      db.prepare(`INSERT INTO notes (body) VALUES ('${TOKENS.stripe}')`).run()
      db.prepare('SELECT id FROM notes WHERE body = ?').all(READABLE[0])
      return c.text('ok')
    })
    app.get('/span', (c) => {
      const span = trace.getTracer('shop').startSpan('charge', { attributes: { 'app.note': `charged with ${TOKENS.stripeRestricted}`, 'app.auth': `Bearer ${BEARER}`, 'app.request_id': '3f2a9c1e-4b7d-4e8a-9f00-1c2d3e4f5a6b' } })
      span.end()
      return c.text('ok')
    })
    server = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    app.get('/compare', (c) => {
      // As PostgreSQL runs them: a call on the secret column's side, a row compared with ROW(...).
      for (const [sql, params] of COMPARED) recordQuery({ sql, params, durationMs: 1, dbSystem: 'postgresql' })
      for (const sql of COMPARED_LITERALS) recordQuery({ sql, durationMs: 1, dbSystem: 'postgresql' })
      for (const sql of COMPARED_LITERALS) recordLog('info', `ran ${sql}`)
      return c.text('ok')
    })
    app.get('/text', (c) => {
      for (const [line] of Object.values(TEXT_LINES).flat()) recordLog('info', line)
      return c.text('ok')
    })
    for (const path of ['/log', '/sql', '/span', '/compare', '/text']) {
      const res = await fetch(`${base}${path}`)
      await res.text()
      ids[path] = res.headers.get('x-debug-toolbar-request-id')!
    }
    client = await connect(base)
  })

  afterAll(async () => {
    await client?.close()
    await panel.shutdown()
    await new Promise((resolve) => server.close(resolve))
    db.close()
  })

  const detail = async (path: string) => (await fetch(`${base}${PREFIX}/api/requests/${ids[path]}`)).json()
  const leaked = (text: string) => [...Object.values(TOKENS), BEARER, BASIC].filter((token) => text.includes(token))

  it('are redacted in the Logging panel, in the log events exported, and in what the MCP server sends; ids stay readable', async () => {
    const logging = (await detail('/log')).panels.logging as LoggingStats
    const messages = logging.logs.map((l) => l.message)
    expect(leaked(JSON.stringify(logging))).toEqual([])
    expect(messages).toContain('jwt is ******** here')
    expect(messages).toContain('aws is ******** here')
    expect(messages).toContain('calling upstream with Bearer ******** and Basic ********')
    expect(logging.logs.find((l) => l.message === 'stored')!.attributes.note).toBe('key ********')
    for (const line of READABLE) expect(messages).toContain(line)

    await panel.forceFlush()
    const events = exporter.getFinishedSpans().flatMap((span) => span.events).filter((event) => event.name === 'log')
    expect(events.map((event) => event.attributes?.['log.message'])).toContain('github is ******** here')
    expect(leaked(JSON.stringify(events))).toEqual([])

    const logs = await call(client, 'search_logs', { request_id: ids['/log'] })
    expect(leaked(JSON.stringify(logs.raw))).toEqual([])
    expect(logs.text).toContain(READABLE[1])
  })

  it('are redacted in the SQL panel (params and SQL text, list and full view) and in the MCP SQL tools', async () => {
    const sql = (await detail('/sql')).panels.sql as SqlStats
    expect(leaked(JSON.stringify(sql))).toEqual([])
    expect(sql.queries.map((q) => [q.sql, q.params])).toEqual([
      ['INSERT INTO notes (body) VALUES (?)', ['deploy key ********']],
      ["INSERT INTO notes (body) VALUES ('********')", []],
      ['SELECT id FROM notes WHERE body = ?', [READABLE[0]]],
    ])
    for (const query of sql.queries) {
      const full = await (await fetch(`${base}${PREFIX}/api/sql/${ids['/sql']}/${query.id}`)).json()
      expect(leaked(JSON.stringify(full))).toEqual([])
    }
    const slow = await call(client, 'find_slow_queries', { request_id: ids['/sql'], threshold_ms: 0 })
    expect(leaked(JSON.stringify(slow.raw))).toEqual([])
    expect(slow.text).toContain("VALUES ('********')")
  })

  it('are redacted in span attribute values the trace API and the MCP server show', async () => {
    const { traceId } = await detail('/span')
    const { spans } = (await (await fetch(`${base}${PREFIX}/api/traces/${traceId}`)).json()) as { spans: ToolbarSpan[] }
    const charge = spans.find((s) => s.name === 'charge')!
    expect(charge.attributes).toMatchObject({ 'app.note': 'charged with REDACTED', 'app.auth': 'Bearer REDACTED', 'app.request_id': '3f2a9c1e-4b7d-4e8a-9f00-1c2d3e4f5a6b' })
    const got = await call(client, 'get_span', { trace_id: traceId, span_ids: [charge.spanId] })
    expect(leaked(JSON.stringify(got.raw))).toEqual([])
    expect(got.text).toContain('3f2a9c1e-4b7d-4e8a-9f00-1c2d3e4f5a6b')
  })

  it('are redacted when bound through a call on the secret column or a ROW(...) (SQL panel, full view, MCP); the others stay', async () => {
    const sql = (await detail('/compare')).panels.sql as SqlStats
    expect(sql.queries.slice(0, COMPARED.length).map((q) => q.params)).toEqual(COMPARED.map(([, , shown]) => shown))
    const full = await (await fetch(`${base}${PREFIX}/api/sql/${ids['/compare']}/${sql.queries[3]!.id}`)).json()
    expect(full.params).toEqual(['ada@example.com', '********'])
    const slow = await call(client, 'find_slow_queries', { request_id: ids['/compare'], threshold_ms: 0 })
    const logs = await call(client, 'search_logs', { request_id: ids['/compare'] })
    const everything = JSON.stringify([slow.raw, logs.raw])
    expect(everything).not.toMatch(/pw-\d/)
    for (const shown of SHOWN_LITERALS) expect(logs.text).toContain(shown)
    const logging = (await detail('/compare')).panels.logging as LoggingStats
    expect(logging.logs.map((l) => l.message)).toEqual(SHOWN_LITERALS.map((line) => `ran ${line.replaceAll('REDACTED', '********')}`))
  })

  // The lines of one group as the Logging panel shows them (they were logged in the order of TEXT_LINES).
  const textShown = async (group: keyof typeof TEXT_LINES) => {
    const messages = ((await detail('/text')).panels.logging as LoggingStats).logs.map((l) => l.message)
    const groups = Object.keys(TEXT_LINES) as Array<keyof typeof TEXT_LINES>
    const from = groups.slice(0, groups.indexOf(group)).reduce((sum, name) => sum + TEXT_LINES[name].length, 0)
    return { shown: messages.slice(from, from + TEXT_LINES[group].length), expected: TEXT_LINES[group].map(([, shown]) => shown) }
  }

  it('in a URL nested eight levels deep in log text', async () => {
    const { shown, expected } = await textShown('nested')
    expect(shown).toEqual(expected)
    const logs = await call(client, 'search_logs', { request_id: ids['/text'] })
    expect(JSON.stringify(logs.raw)).not.toMatch(/pw-13/)
  })

  it('of several words after `name:`, to the end of the line, a `,` or a `;`; prose stays readable', async () => {
    const { shown, expected } = await textShown('words')
    expect(shown).toEqual(expected)
    const logs = await call(client, 'search_logs', { request_id: ids['/text'] })
    expect(JSON.stringify(logs.raw)).not.toMatch(/pw (?:one|three)|correct horse/)
  })

  it('whole when a quote inside them is escaped (JSON, SQL, JavaScript)', async () => {
    const { shown, expected } = await textShown('quoted')
    expect(shown).toEqual(expected)
    const logs = await call(client, 'search_logs', { request_id: ids['/text'] })
    expect(JSON.stringify(logs.raw)).not.toMatch(/-1[678]/)
  })

  it('in brackets, to the `]` or, with none after them, to the next pair or delimiter', async () => {
    const { shown, expected } = await textShown('brackets')
    expect(shown).toEqual(expected)
    const logs = await call(client, 'search_logs', { request_id: ids['/text'] })
    expect(JSON.stringify(logs.raw)).not.toMatch(/pw-(?:19|2\d)/)
  })

  it('with the parentheses of their own, and the call-like ones SQL does not write', async () => {
    const { shown, expected } = await textShown('parentheses')
    expect(shown).toEqual(expected)
    const logs = await call(client, 'search_logs', { request_id: ids['/text'] })
    expect(JSON.stringify(logs.raw)).not.toMatch(/pw-?(?:29|30|31|32|33)|\)!/)
  })

  it('leave the call assigned to a column that only contains a secret word', async () => {
    const { shown, expected } = await textShown('calls')
    expect(shown).toEqual(expected)
  })
})
