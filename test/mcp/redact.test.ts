import { describe, expect, it } from 'vitest'
import { redactSqlParams, redactText, redactValue, shownAttributes, shownParams } from '../../src/mcp/redact.js'

const on = { redact: true, hideSqlParams: false, hideBodies: false }

describe('redaction of what the MCP server sends', () => {
  it('replaces secret name=value and name: value pairs in free text, keeping quotes', () => {
    expect(redactText('login password=hunter2 user=ada')).toBe('login password=REDACTED user=ada')
    expect(redactText('Authorization: Bearer abc.def')).toBe('Authorization: REDACTED')
    expect(redactText(`UPDATE users SET api_key = 'k-123' WHERE id = 1`)).toBe(`UPDATE users SET api_key = 'REDACTED' WHERE id = 1`)
    expect(redactText('{"token":"t0k","n":1}')).toBe('{"token":"REDACTED","n":1}')
    expect(redactText('GET /cb?code=1&session_id=abc')).toBe('GET /cb?code=1&session_id=REDACTED')
    expect(redactText('log.message="tried secret=42 twice"')).toBe('log.message="tried secret=REDACTED twice"')
    expect(redactText('no pairs here')).toBe('no pairs here')
    expect(redactText('http.request.header.authorization=["Basic abc"], n=[1, 2]')).toBe('http.request.header.authorization=[REDACTED], n=[1, 2]')
    expect(redactText('url=http://127.0.0.1:3000/form?token=abc&x=1')).toBe('url=http://127.0.0.1:3000/form?token=REDACTED&x=1')
  })

  it('redacts URL credentials and secret query values, also with an encoded name or a signature key', () => {
    expect(redactText('connecting to postgres://admin:S3CRET@db:5432/app')).toBe('connecting to postgres://REDACTED:REDACTED@db:5432/app')
    expect(redactText('https://ghp_abc@github.com/o/r.git')).toBe('https://REDACTED:REDACTED@github.com/o/r.git')
    expect(redactText('http://127.0.0.1:3311/users/3?pass%77ord=L1&token%5B%5D=L2&page=2')).toBe('http://127.0.0.1:3311/users/3?pass%77ord=REDACTED&token%5B%5D=REDACTED&page=2')
    expect(redactText('/upload?X-Amz-Signature=L6&sig=L7&X-Amz-Date=20261130')).toBe('/upload?X-Amz-Signature=REDACTED&sig=REDACTED&X-Amz-Date=20261130')
    expect(redactText('odd %E0%A4%A name: /x?%E0%A4%A=1')).toBe('odd %E0%A4%A name: /x?%E0%A4%A=1')
    // A URL given as a parameter's value, percent-encoded or not, as the Request panel does.
    expect(redactText('redirecting to /login?next=https%3A%2F%2Fx%2Fcb%3Ftoken%3Dabc&lang=en')).toBe('redirecting to /login?next=https%3A%2F%2Fx%2Fcb%3Ftoken%3DREDACTED&lang=en')
    expect(redactText('GET /go?to=https%3A%2F%2Fada%3Apw%40host%2Fx')).toBe('GET /go?to=https%3A%2F%2FREDACTED%40host%2Fx')
    expect(redactText('GET /go?to=https%3A%2F%2Fhost%2Fx%3Fpage%3D2')).toBe('GET /go?to=https%3A%2F%2Fhost%2Fx%3Fpage%3D2')
  })

  it('redacts every word of a secret after a colon, and one word after =', () => {
    expect(redactText('password: correct horse battery staple')).toBe('password: REDACTED')
    expect(redactText('password: correct horse, user: ada')).toBe('password: REDACTED, user: ada')
    expect(redactText('token: abc user: ada')).toBe('token: REDACTED user: ada')
    expect(redactText('password=hunter2 then more words')).toBe('password=REDACTED then more words')
    expect(redactText(`Map(1) { 'password' => 'hunter2' } {"token"=>"abc"}`)).toBe(`Map(1) { 'password' => 'REDACTED' } {"token"=>"REDACTED"}`)
    expect(redactText('authorization=Bearer abc then more')).toBe('authorization=REDACTED then more')
  })

  it('reads `Session: started` as prose: a bare session/token/secret/credentials label before a sentence, not a credential', () => {
    expect(redactText('Session: started')).toBe('Session: started')
    expect(redactText('Token: refreshed for user 7')).toBe('Token: refreshed for user 7')
    expect(redactText('Secret: rotated; credentials: loaded from env')).toBe('Secret: rotated; credentials: loaded from env')
    expect(redactText('Token: expired, password=hunter2')).toBe('Token: expired, password=REDACTED')
    // A credential-looking value, an identifier name, a quoted or `=` pair, a scheme: still secret.
    expect(redactText('Session: 9f8e7d6c5b4a')).toBe('Session: REDACTED')
    expect(redactText('token: abc123 for user 7')).toBe('token: REDACTED')
    expect(redactText('session_id: started')).toBe('session_id: REDACTED')
    expect(redactText('token=started')).toBe('token=REDACTED')
    expect(redactText('{"session": "started"}')).toBe('{"session": "REDACTED"}')
    expect(redactText('Token: Bearer abc')).toBe('Token: REDACTED')
    // `password` is secret in prose too.
    expect(redactText('password: reset for user 7')).toBe('password: REDACTED')
  })

  it('reads a text of thousands of chained pairs in one pass, without running out of stack', () => {
    const chain = 'a:b:'.repeat(5000)
    expect(redactText(`${chain} password=hunter2`)).toBe(`${chain} password=REDACTED`)
    expect(redactText('{"user":{"password":"x","name":"ann"},"note":"api_key=k1 ok"}')).toBe('{"user":{"password":"REDACTED","name":"ann"},"note":"api_key=REDACTED ok"}')
  })

  it('redacts SQL literals compared with a secret column by <>, !=, LIKE and IN', () => {
    expect(redactText(`SELECT 1 FROM users WHERE password <> 'p1' AND name != 'ada'`)).toBe(`SELECT 1 FROM users WHERE password <> 'REDACTED' AND name != 'ada'`)
    expect(redactText(`WHERE token != "t2" OR api_key LIKE 'k-%' OR secret NOT LIKE 's%'`)).toBe(`WHERE token != "REDACTED" OR api_key LIKE 'REDACTED' OR secret NOT LIKE 'REDACTED'`)
    expect(redactText(`WHERE password IN ('a', 'b''c', 42, ?) AND id IN (1, 2)`)).toBe(`WHERE password IN ('REDACTED', 'REDACTED', REDACTED, ?) AND id IN (1, 2)`)
  })

  it('redacts named SQL params bound to a secret column', () => {
    expect(redactSqlParams('UPDATE users SET password = @pw WHERE id = @id', [{ pw: 'p', id: 1 }])).toEqual([{ pw: 'REDACTED', id: 1 }])
    expect(redactSqlParams('SELECT * FROM t WHERE token = :t', [{ t: 'x' }])).toEqual([{ t: 'REDACTED' }])
    expect(redactSqlParams('INSERT INTO users (name, password) VALUES (@name, $pw)', [{ name: 'ada', pw: 'p' }])).toEqual([{ name: 'ada', pw: 'REDACTED' }])
    expect(redactSqlParams('SELECT x::text FROM t WHERE id = :id', [{ id: 1 }])).toEqual([{ id: 1 }])
  })

  it('leaves placeholders alone: the params are redacted by position', () => {
    expect(redactText('UPDATE users SET password = ? WHERE id = ?')).toBe('UPDATE users SET password = ? WHERE id = ?')
    expect(redactText('WHERE token = $2')).toBe('WHERE token = $2')
    expect(redactSqlParams('UPDATE users SET password = ? WHERE id = ?', ['x', 1])).toEqual(['REDACTED', 1])
    expect(redactSqlParams('SELECT * FROM t WHERE id = $1 AND token = $2', [1, 't'])).toEqual([1, 'REDACTED'])
    expect(redactSqlParams('INSERT INTO users (name, password_hash) VALUES (?, ?)', ['ada', 'h'])).toEqual(['ada', 'REDACTED'])
    expect(redactSqlParams('INSERT INTO users (name, secret) VALUES ($1, $2)', ['ada', 's'])).toEqual(['ada', 'REDACTED'])
    expect(redactSqlParams('SELECT * FROM users WHERE id = ?', [1])).toEqual([1])
    expect(redactSqlParams('SELECT * FROM t WHERE id = ?2 AND token = ?1', ['t', 1])).toEqual(['REDACTED', 1])
    expect(redactSqlParams('SELECT * FROM t WHERE token IN (?, ?) AND id IN (?, ?)', ['a', 'b', 1, 2])).toEqual(['REDACTED', 'REDACTED', 1, 2])
    expect(redactSqlParams("SELECT * FROM t WHERE note = 'why?' AND token = ?", ['t'])).toEqual(['REDACTED'])
    expect(redactSqlParams('INSERT INTO users (name, password) VALUES (?, ?), (?, ?)', ['a', 'p', 'b', 'q'])).toEqual(['a', 'REDACTED', 'b', 'REDACTED'])
  })

  it('redacts params bound to a secret column through a function call or a row value', () => {
    expect(redactSqlParams("UPDATE users SET password = crypt(?, gen_salt('bf')) WHERE id = ?", ['x', 7])).toEqual(['REDACTED', 7])
    expect(redactSqlParams("INSERT INTO users (name, password) VALUES (?, crypt(?, 'x'))", ['ada', 'x'])).toEqual(['ada', 'REDACTED'])
    expect(redactSqlParams('SELECT id FROM users WHERE (email, password) = (?, ?)', ['e', 'x'])).toEqual(['e', 'REDACTED'])
    expect(redactSqlParams('UPDATE users SET password_hash = lower(@pw) WHERE id = @id', [{ pw: 'x', id: 7 }])).toEqual([{ pw: 'REDACTED', id: 7 }])
    expect(redactSqlParams('UPDATE users SET password_changed_at = now() WHERE id = ?', [7])).toEqual([7])
  })

  it("redacts the literals of a call compared with a secret column, as PostgreSQL writes a plan's params", () => {
    expect(redactText("Filter: (password = crypt('hunter2'::text, gen_salt('bf'::text)))")).toBe("Filter: (password = crypt('REDACTED'::text, gen_salt('REDACTED'::text)))")
    expect(redactText("Filter: (password_hash = lower('hunter2'::text))")).toBe("Filter: (password_hash = lower('REDACTED'::text))")
    expect(redactText("Filter: (token = ANY ('{t1,t2}'::text[]))")).toBe("Filter: (token = ANY ('REDACTED'::text[]))")
    expect(redactText("UPDATE users SET password = crypt('hunter2', gen_salt('bf')) WHERE id = 7")).toBe("UPDATE users SET password = crypt('REDACTED', gen_salt('REDACTED')) WHERE id = 7")
    expect(redactText("WHERE password <> lower('hunter2') AND name = lower('ada')")).toBe("WHERE password <> lower('REDACTED') AND name = lower('ada')")
    expect(redactText("UPDATE users SET password = crypt($1, gen_salt('bf')) WHERE id = $2")).toBe("UPDATE users SET password = crypt($1, gen_salt('REDACTED')) WHERE id = $2")
    // Not SQL: a value that only looks like a call is a word, its parentheses with it.
    expect(redactText('token=abc(def) sent')).toBe('token=REDACTED sent')
    // Nor is a call never closed, or one with more of the word right after it.
    expect(redactText('password=Abc(? sent')).toBe('password=REDACTED sent')
    expect(redactText('password=_()hunter2 sent')).toBe('password=REDACTED sent')
    expect(redactText('POST /hooks?token=abc (hooks, 1 span)')).toBe('POST /hooks?token=REDACTED (hooks, 1 span)')
  })

  it('replaces secret-named keys and header pairs in structured data', () => {
    expect(redactValue({ attributes: { 'user.password': 'x', q: 'token=abc', n: 2 }, nested: { apiKey: 5 } })).toEqual({
      attributes: { 'user.password': 'REDACTED', q: 'token=REDACTED', n: 2 },
      nested: { apiKey: 'REDACTED' },
    })
    expect(redactValue({ 'http.request.header.authorization': ['Basic abc'], 'http.request.header.accept': ['*/*'] })).toEqual({
      'http.request.header.authorization': ['REDACTED'],
      'http.request.header.accept': ['*/*'],
    })
    expect(redactValue({ query: { token: ['a', 'b'], q: ['shoes'] } })).toEqual({ query: { token: ['REDACTED', 'REDACTED'], q: ['shoes'] } })
    expect(redactValue([['cookie', 'sid=1'], ['accept', 'text/html']])).toEqual([['cookie', 'REDACTED'], ['accept', 'text/html']])
  })

  it('hides SQL params and body attributes when asked', () => {
    expect(shownParams({ ...on, hideSqlParams: true }, 'SELECT ?', [1])).toBeUndefined()
    expect(shownParams({ ...on, redact: false }, 'SELECT 1 WHERE password = ?', ['p'])).toEqual(['p'])
    const attributes = { 'http.request.body.content': '{"a":1}', body: 'x', 'http.request.body.size': 7, 'http.route': '/' }
    expect(shownAttributes({ ...on, hideBodies: true }, attributes)).toEqual({ 'http.request.body.size': 7, 'http.route': '/' })
    expect(shownAttributes(on, attributes)).toBe(attributes)
  })
})

describe('bounds on what the MCP server sends', () => {
  it('cuts very long strings in structured content and says how much is missing', async () => {
    const { capStrings, capText, MAX_TEXT_CHARS, MAX_VALUE_CHARS } = await import('../../src/mcp/result.js')
    const capped = capStrings({ sql: 'x'.repeat(MAX_VALUE_CHARS + 10), n: 1, list: ['short'] }) as { sql: string; n: number; list: string[] }
    expect(capped.sql).toHaveLength(MAX_VALUE_CHARS + '… (10 more characters)'.length)
    expect(capped.sql.endsWith('… (10 more characters)')).toBe(true)
    expect(capped).toMatchObject({ n: 1, list: ['short'] })
    expect(capText('y'.repeat(MAX_TEXT_CHARS + 5))).toMatch(/text truncated: 5 more characters/)
  })
})
