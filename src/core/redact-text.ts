/**
 * Secrets written in free text, where no name of a header or attribute says what they are:
 * `password=hunter2` or `token: abc` in a log line, a URL's credentials or query, a SQL
 * literal compared with or inserted into a secret column, a token known by its shape with no
 * name around it (a JWT, `Bearer ...`, `ghp_...`). The Logging panel redacts the
 * lines it records with this, and the MCP server everything it sends; both find the same
 * secrets, so what an agent reads and what the panel shows agree.
 */
import { decodeQueryName, isSecretHeaderName, isSecretName, isSecretQueryName, isSecretQueryParameter, mayNameSecret, REDACTED, redactBareSecrets, redactWrittenValue } from './redact.js'

export { redactBareSecrets } from './redact.js'

// `name=value`, `name: value`, `"name": "value"`, `name = 'value'`, `'name' => 'value'` (a
// Map as Node prints it, a Ruby or PHP hash); an auth scheme word
// (`Bearer abc`) is taken with its token, and after a colon the words up to the next pair
// or delimiter (`password: correct horse battery staple`). Only secret names are touched.
// A `)` ends a value (`login(password=x)`) unless the value opened a `(` of its own
// (`Pass(word)!`) or more of the value follows it at once (`a)b`): each `(` may be closed
// once and every piece starts with its parenthesis, so a character is read one way only.
const WORD_CHAR = `[^\\s"',;&()}\\]]`
const WORD_CHARS = `${WORD_CHAR}*`
// What may follow a `)` in a value: anything a value may start with.
const VALUE_START = `[^\\s"',;&)}\\]]`
const WORD = `(?=\\)*${VALUE_START})${WORD_CHARS}(?:\\(${WORD_CHARS}(?:\\)${WORD_CHARS})?|\\)+(?=${VALUE_START})${WORD_CHARS})*`
// A name starts a word (`--password` counts, the `word` of `a-word` does not): a long run
// of letters with no separator after it is then tried once, not from each of its letters.
const PAIR_NAME = /(["']?)(?<![\w.]-*)([A-Za-z_][\w.-]*)\1(\s*(?:==|=>|[:=])\s*)/g
// The value, read only after a secret name, where the name ends. A quoted value runs past
// the quotes escaped inside it (`"a\"b"` in JSON, `'it''s'` in SQL, `'it\'s'`), or, when
// it does not end so, to the next quote.
const QUOTED_VALUE = `"(?:[^"\\\\]|\\\\.)*"|"[^"]*"|'(?:[^'\\\\]|\\\\.|'')*'|'[^']*'`
// A bracket runs to the next `]`. Where no `]` follows, it is not looked for: from each of
// many `password = [` it read to the text's end, which cost the text's length squared.
const BRACKETED = `\\[[^\\]]*\\]`
const pairValue = (bracket: string) => new RegExp(`(?:(?:Bearer|Basic|Token|Digest)\\s+)?(?:${QUOTED_VALUE}${bracket}|${WORD}(?:[ \\t]+(?![A-Za-z_][\\w.-]*["']?\\s*[:=])${WORD})*)`, 'y')
const PAIR_VALUE = [pairValue(`|${BRACKETED}`), pairValue('')] as const
// After `=` (not a colon) an unquoted value is one word: the words after it are not read.
const pairWord = (bracket: string) => new RegExp(`(?:(?:Bearer|Basic|Token|Digest)\\s+)?(?:${QUOTED_VALUE}${bracket}|${WORD})`, 'y')
const PAIR_WORD = [pairWord(`|${BRACKETED}`), pairWord('')] as const
const AUTH_SCHEME = /^(?:Bearer|Basic|Token|Digest)\s+/
// A URL's user info (`postgres://admin:pw@db`, `https://token@host`), redacted whole as
// OpenTelemetry's `url.full` is.
const USERINFO = /(?<![\w+.-])([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi
// What the toolbar (`********`) and OpenTelemetry's conventions (`REDACTED`) put in place of a
// secret: text redacted where it was collected (a log line in a span event, `url.full`) is
// read again when a span is shown, and keeps its placeholder (`keepRedacted`).
const NOTHING = /(?!)/
const ALREADY_REDACTED = /^(["']?)(?:\*{8}|REDACTED)\1$/
const ALREADY_REDACTED_USERINFO = /:\/\/(?:\*{8}|REDACTED)(?::(?:\*{8}|REDACTED))?@$/
// A query string's `name=value`, whose name may be percent-encoded (`pass%77ord=x`). A `?`
// that an earlier `?` reaches with name characters only (the lookbehind, read back to that
// `?`) is not tried again: its name would end where the earlier one's did, and a long run
// of `?` (text decoded in the wrong charset) was read from each of them to its end.
const QUERY_PAIR = /(&|(?<!\?[^=&\s#"'<>]*?)\?)([^=&\s#"'<>]+)=([^&\s#"'<>]*)/g
/**
 * The operators that compare a column with a value other than `=` (which PAIR handles):
 * `<>`, `!=`, `<`, `>=`, `IS`, `IS NOT`, `LIKE`, `NOT ILIKE`, `GLOB`, `MATCH`, `REGEXP`.
 */
export const SQL_OPERATOR = `(?:<>|!=|<=?|>=?|\\bIS(?:\\s+NOT)?\\b|(?:\\bNOT\\s+)?\\b(?:I?LIKE|GLOB|MATCH|REGEXP)\\b)`
// A secret column compared with a SQL literal: `password <> 'x'`, `token LIKE 'a%'`,
// `api_key IN ('a', 'b')`.
const SQL_COMPARISON = new RegExp(`\\b([A-Za-z_]\\w*)(["'\`\\]]?\\s*${SQL_OPERATOR}\\s*)('(?:[^']|'')*'|"[^"]*"|-?\\d[\\w.]*)`, 'gi')
const SQL_IN_LIST = /\b([A-Za-z_]\w*)(["'`\]]?\s+(?:NOT\s+)?IN\s*\()([^()]*)\)/gi
// A secret column compared with or assigned a call: `password = crypt('x', gen_salt('bf'))`,
// `token = ANY ('{a,b}'::text[])` (as PostgreSQL writes a plan's params). Every literal of
// the call is part of the secret's value.
// A call's name touches its parenthesis (`crypt(`), but for the keywords PostgreSQL writes
// with a space (`ANY (`): `token=abc (note 1)` in a sentence is no call.
const CALL_NAME = `(?:\\b(?:ANY|ALL|SOME)\\s*|[A-Za-z_][\\w.]*)\\(`
const SQL_CALL = new RegExp(`\\b([A-Za-z_]\\w*)["'\`\\]]?\\s*(?:==?|${SQL_OPERATOR})\\s*${CALL_NAME}`, 'gi')
// The literals of a call, its placeholders (`$1`, `?2`) left as they are.
const CALL_LITERAL = /\$\d+|\?\d*|'(?:[^']|'')*'|"[^"]*"|-?\b\d[\w.]*/g
// After `name =`: the value is a SQL call (its literals are SQL_CALL's), not a word to
// redact: it has no arguments (`password_changed_at = now()`), or they start with a literal,
// a placeholder or another call. (`hunter(2)` is a word: a call of SQL is not written so.)
const CALL_VALUE = new RegExp(`${CALL_NAME}\\s*(?:['"?$:@)]|${CALL_NAME})`, 'iy')
const SQL_LITERAL = /'(?:[^']|'')*'|"[^"]*"|-?\b\d[\w.]*/g
// A call on the compared side with a secret column inside it, one call deep at most:
// `lower(password) = 'x'`, `trim(api_key) <> 'x'`, `lower(trim(secret)) = lower('x')`,
// `upper(token) IN ('a', 'b')`. What it is compared with is read after it (`COMPARED_VALUE`).
const CALLED_COLUMN = new RegExp(`(?<![\\w.])([A-Za-z_][\\w.]*)\\(((?:[^()]|\\([^()]*\\))*)\\)["'\`\\]]?\\s*(?:==?|${SQL_OPERATOR}|(?:\\bNOT\\s+)?\\bIN\\b)\\s*`, 'gi')
// A literal, or a parenthesis or call whose literals all go (`IN (...)`, `lower('x')`).
const COMPARED_VALUE = new RegExp(`'(?:[^']|'')*'|"[^"]*"|-?\\b\\d[\\w.]*|\\(|${CALL_NAME}`, 'iy')
// A column inside a call: a name that is no call's (`lower(`) nor a table's (`u.`); literals skipped.
const CALL_COLUMN = /'(?:[^']|'')*'|["`[]?([A-Za-z_]\w*)["`\]]?(?![\w.]|\s*\()/g
// A row compared with a row (`(email, password) = ('a', 'x')`, `= ROW('a', 'x')`): each
// literal at a secret column's place goes.
const ROW_COMPARISON = new RegExp(`(?:\\bROW\\s*)?\\(([^()]*)\\)(\\s*(?:==?|${SQL_OPERATOR})\\s*(?:ROW\\s*)?\\()([^()]*)\\)`, 'gi')
// `INSERT INTO t (a, b) VALUES (...), (...)`: the columns, and the rows of values. The table
// starts at the first character that is no space (the blank after INTO is not split between
// two runs, every split tried), and neither it nor the columns run past the next INSERT: each
// statement is read once, however many follow it unfinished.
const SQL_INSERT = /(INSERT\s+INTO\s+[^(\s](?:(?!INSERT\s)[^(])*\(((?:(?!INSERT\s)[^)])*)\)\s*VALUES\s*)((?:\([^()]*\)\s*,?\s*)+)/gi

/**
 * `text` with the value of every secret-named `name=value` / `name: value` pair replaced by
 * `placeholder`, quotes kept; the same for a URL's user info and secret query parameters
 * (also with an encoded name, and the HTTP conventions' signature keys), and for SQL
 * literals compared with a secret column (also through a call on it, or at its place in a
 * row), and tokens known by their shape (`redactBareSecrets`). With `keepRedacted`, a value
 * that is already `********` or `REDACTED` is left as it is.
 *
 * @example
 * ```ts
 * redactText('login password=hunter2 user=ada')                 // 'login password=******** user=ada'
 * redactText("UPDATE users SET api_key = 'k-123'", 'REDACTED') // "UPDATE users SET api_key = 'REDACTED'"
 * redactText('postgres://admin:pw@db/app', 'REDACTED')         // 'postgres://REDACTED:REDACTED@db/app'
 * ```
 */
export function redactText(text: string, placeholder: string = REDACTED, keepRedacted = false): string {
  const already = keepRedacted ? ALREADY_REDACTED : NOTHING
  const hasPair = text.includes('=') || text.includes(':')
  let out = text
  const hide = (literal: string) => hideLiteral(literal, placeholder)
  if (text.includes('://')) out = out.replace(USERINFO, (whole, scheme: string) => (keepRedacted && ALREADY_REDACTED_USERINFO.test(whole) ? whole : `${scheme}${placeholder}:${placeholder}@`))
  if (text.includes('?') && text.includes('=')) {
    // A URL given as a parameter's value (`?next=https%3A%2F%2Fx%2Fcb%3Ftoken%3Dabc`) is looked into, and the URLs in its own values, as the Request panel does.
    out = out.replace(QUERY_PAIR, (whole, lead: string, name: string, value: string) =>
      already.test(value) ? whole : isSecretQueryParameter(decodeQueryName(name), value) ? `${lead}${name}=${placeholder}` : `${lead}${name}=${redactWrittenValue(value, placeholder)}`)
  }
  if (text.includes('(')) {
    out = redactCalls(out, hide)
    if (mayNameSecret(text)) out = redactRows(redactCalledColumns(out, hide), hide)
  }
  if (/[<>]|!=|like|glob|match|regexp|\bis\b|\bin\s*\(/i.test(text)) {
    out = out
      .replace(SQL_COMPARISON, (whole, column: string, op: string, literal: string) => (isSecretName(column) ? `${column}${op}${hide(literal)}` : whole))
      .replace(SQL_IN_LIST, (whole, column: string, op: string, list: string) => (isSecretName(column) ? `${column}${op}${list.replace(SQL_LITERAL, hide)})` : whole))
  }
  if (/\binsert\b/i.test(text)) out = out.replace(SQL_INSERT, (whole, head: string, columns: string, rows: string) => redactInsert(whole, head, columns, rows, hide))
  if (hasPair) out = redactPairs(out, placeholder, already)
  return redactBareSecrets(out, placeholder)
}

/**
 * An attribute's text as `redactText` redacts it; `url.query`, which the HTTP conventions
 * write without its `?` (`code=e72e16c7e42f292c6912&state=xyz`), read as the query of a URL,
 * so that its first parameter is one too (`code` is OAuth's authorization code only there).
 *
 * @example
 * ```ts
 * redactAttributeText('url.query', 'code=e72e16c7e42f292c6912&state=xyz', 'REDACTED') // 'code=REDACTED&state=xyz'
 * redactAttributeText('error.code', 'E_STOCK', 'REDACTED')              // 'E_STOCK'
 * ```
 */
export function redactAttributeText(key: string, text: string, placeholder: string = REDACTED, keepRedacted = false): string {
  if (key !== 'url.query' || text.startsWith('?')) return redactText(text, placeholder, keepRedacted)
  return redactText(`?${text}`, placeholder, keepRedacted).slice(1)
}

/** The literals of every call compared with or assigned to a secret column, to the call's closing parenthesis. */
function redactCalls(text: string, hide: (literal: string) => string): string {
  let out = ''
  let copied = 0
  SQL_CALL.lastIndex = 0
  for (let match = SQL_CALL.exec(text); match; match = SQL_CALL.exec(text)) {
    if (!isSecretName(match[1]!)) {
      SQL_CALL.lastIndex = match.index + match[1]!.length
      continue
    }
    const from = SQL_CALL.lastIndex
    const to = callEnd(text, from)
    out += text.slice(copied, from) + text.slice(from, to).replace(CALL_LITERAL, (token) => (token[0] === '$' || token[0] === '?' ? token : hide(token)))
    copied = SQL_CALL.lastIndex = to
  }
  return out + text.slice(copied)
}

/** The literals compared with a call on a secret column (`lower(password) = 'x'`), or all those of the call or list it is compared with. */
function redactCalledColumns(text: string, hide: (literal: string) => string): string {
  let out = ''
  let copied = 0
  CALLED_COLUMN.lastIndex = 0
  for (let match = CALLED_COLUMN.exec(text); match; match = CALLED_COLUMN.exec(text)) {
    const from = CALLED_COLUMN.lastIndex
    // `lower(name) = 'ada'`; a row (`ROW(...)`) is ROW_COMPARISON's; a call inside a call is in its arguments (`coalesce(lower(password), '')`).
    if (/^row$/i.test(match[1]!) || secretColumnIn(match[2]!) === undefined) continue
    COMPARED_VALUE.lastIndex = from
    const value = COMPARED_VALUE.exec(text)?.[0]
    if (!value) continue
    const literal = value[0] === "'" || value[0] === '"' || /^-?\d/.test(value)
    const to = literal ? from + value.length : callEnd(text, from + value.length)
    out += text.slice(copied, from) + (literal ? hide(value) : text.slice(from, to).replace(CALL_LITERAL, (token) => (token[0] === '$' || token[0] === '?' ? token : hide(token))))
    copied = CALLED_COLUMN.lastIndex = to
  }
  return out + text.slice(copied)
}

/**
 * The first secret-named column written in a call's arguments or a parenthesis, quoted or
 * not, at any depth: not a call's name (`lower(`), a table's (`u.`) or a quoted literal.
 * Shared with the SQL params' rule (`lower(password) = ?`).
 *
 * @example
 * ```ts
 * secretColumnIn('trim(u.password)')    // 'password'
 * secretColumnIn("name, 'password'")    // undefined
 * ```
 */
export function secretColumnIn(args: string): string | undefined {
  CALL_COLUMN.lastIndex = 0
  for (let match = CALL_COLUMN.exec(args); match; match = CALL_COLUMN.exec(args)) if (match[1] && isSecretName(match[1])) return match[1]
  return undefined
}

/** The literals at a secret column's place in a row compared with a row of columns. */
function redactRows(text: string, hide: (literal: string) => string): string {
  return text.replace(ROW_COMPARISON, (whole, columnList: string, op: string, values: string) => {
    const secret = columnList.split(',').map((name) => isSecretName(name.trim().replace(/^(?:[\w"`[\]]+\.)?["'`[]?|["'`\]]$/g, '')))
    if (!secret.includes(true)) return whole
    const head = whole.slice(0, whole.length - op.length - values.length - 1)
    const parts = values.match(/(?:'(?:[^']|'')*'|"[^"]*"|[^,'"])+/g) ?? []
    return `${head}${op}${parts.map((part, at) => (secret[at] ? part.replace(SQL_LITERAL, hide) : part)).join(',')})`
  })
}

/** Where the call whose arguments start at `from` ends: after its closing parenthesis, quoted text skipped; the text's end if it is cut. */
function callEnd(text: string, from: number): number {
  return callClose(text, from) ?? text.length
}

/** Whether the call whose arguments start at `from` closes, and no word goes on right after it (`now()`, not `now()x`). */
function isWholeCall(text: string, from: number): boolean {
  const end = callClose(text, from)
  return end !== undefined && !/[\w$(]/.test(text[end] ?? '')
}

/** After the closing parenthesis of the call whose arguments start at `from`, quoted text skipped; undefined when none closes it. */
function callClose(text: string, from: number): number | undefined {
  const tokens = /'(?:[^']|'')*'|"[^"]*"|[()]/g
  tokens.lastIndex = from
  let depth = 1
  for (let token = tokens.exec(text); token; token = tokens.exec(text)) {
    if (token[0] === '(') depth++
    else if (token[0] === ')' && --depth === 0) return tokens.lastIndex
  }
  return undefined
}

/** The literals of an INSERT's secret-named columns, in every row of its VALUES. */
function redactInsert(whole: string, head: string, columnList: string, rows: string, hide: (literal: string) => string): string {
  const secret = columnList.split(',').map((name) => isSecretName(name.trim().replace(/^["'`[]|["'`\]]$/g, '')))
  if (!secret.includes(true)) return whole
  return head + rows.replace(/\(([^()]*)\)/g, (_row, values: string) => {
    // Split at the commas outside quotes: a literal may hold a comma.
    const parts = values.match(/(?:'(?:[^']|'')*'|"[^"]*"|[^,'"])+/g) ?? []
    return `(${parts.map((part, at) => (secret[at] ? part.replace(SQL_LITERAL, hide) : part)).join(',')})`
  })
}

/**
 * The values of `text`'s secret-named pairs replaced, in one pass. After a pair whose name
 * is not secret the search goes on inside its value (`log.message="... password=x"`,
 * `url=http://host/?token=x`), and after `password=x` past the value's first word (`user=ada
 * login ok`: the rest is text of its own); no text is searched twice, so a line of
 * thousands of `a:b:` costs one pass and no recursion.
 */
function redactPairs(text: string, placeholder: string, already: RegExp): string {
  let out = ''
  let copied = 0
  const lastClose = text.lastIndexOf(']')
  PAIR_NAME.lastIndex = 0
  for (let match = PAIR_NAME.exec(text); match; match = PAIR_NAME.exec(text)) {
    const [, , name, sep] = match as unknown as [string, string, string, string]
    const valueAt = PAIR_NAME.lastIndex
    if (!isSecretKey(name)) continue
    // Past a colon the value may be several words (`password: correct horse`); past `=`, one,
    // unless it opens a bracket it does not close (`token=[a b`), which runs on as after a colon.
    const closes = valueAt < lastClose ? 0 : 1
    let value: string | undefined
    if (!sep.includes(':')) {
      PAIR_WORD[closes].lastIndex = valueAt
      value = PAIR_WORD[closes].exec(text)?.[0]
    }
    if (value === undefined || (value.startsWith('[') && !value.endsWith(']'))) {
      PAIR_VALUE[closes].lastIndex = valueAt
      value = PAIR_VALUE[closes].exec(text)?.[0]
    }
    if (!value) continue
    const quoted = /^(["'])(.*)\1$/s.exec(value)
    if (!quoted && !value.startsWith('[') && !sep.includes(':')) {
      const scheme = AUTH_SCHEME.exec(value)?.[0].length ?? 0
      const space = value.slice(scheme).search(/\s/)
      if (space !== -1) value = value.slice(0, scheme + space)
    }
    if (isProse(match[1]!, name, sep, value)) {
      // Read on inside the sentence: `Token: refreshed, password=x` still hides `x`.
      PAIR_NAME.lastIndex = valueAt
      continue
    }
    PAIR_NAME.lastIndex = valueAt + value.length
    // `password = crypt('x', ...)` in SQL: the call's literals are redacted already (`redactCalls`).
    // A call never closed, or with more of a word right after it, is no SQL call:
    // `password=Abc(?` and `password=_()abc` are words, hidden.
    CALL_VALUE.lastIndex = valueAt
    if (sep.includes('=') && CALL_VALUE.test(text) && isWholeCall(text, text.indexOf('(', valueAt) + 1)) {
      PAIR_NAME.lastIndex = valueAt
      continue
    }
    // A placeholder (`password = ?`, `= $1`, `= :password`) is no secret: the param is redacted on its own.
    if (/^(\?|\$\d+|[:@$][A-Za-z_]\w*)$/.test(value)) continue
    // Redacted already, where it was collected: kept as it was shown there.
    if (already.test(value)) continue
    out += text.slice(copied, valueAt) + (quoted ? `${quoted[1]}${placeholder}${quoted[1]}` : value.startsWith('[') ? `[${placeholder}]` : placeholder)
    copied = valueAt + value.length
  }
  return out + text.slice(copied)
}

// Words that name a secret only as an identifier (`session`, `token`): as a bare label in a
// sentence (`Session: started`) they say what happened to one, not what it is.
const PROSE_NAME = /^(?:sessions?|tokens?|secrets?|credentials?)$/i
// A value that reads as a sentence: its first word a state (`started`, `refreshing`,
// `expired`, `none`, `invalid`...) or a word that starts a phrase (`for user 7`, `in 5
// minutes`), or a word of letters with a state or such a word among the next three (`user 7
// logged in`, `expires in 5 minutes`). A credential of several words (`abc def`, `correct
// horse battery staple`) has neither, and goes whole.
const STATE_WORD = '[A-Za-z][a-z]+(?:ed|ing)|none|null|nil|undefined|empty|missing|invalid|valid|unknown|not|no|yes|true|false|new|active|inactive|ok'
const PHRASE_WORD = 'a|an|the|for|from|of|in|on|at|to|into|with|without|by|via|per|is|are|was|were|be|been|has|have|had|will|can|could|should|must|and|or|but|if|when|after|before|since|until'
const PROSE_VALUE = new RegExp(`^(?:${STATE_WORD}|${PHRASE_WORD})(?=$|[\\s.,;!?])|^[A-Za-z]+(?:[ \\t]+\\S+){0,2}?[ \\t]+(?:${STATE_WORD}|${PHRASE_WORD})(?=$|[\\s.,;!?])`, 'i')

/**
 * Whether a `name: value` pair is a label in prose rather than a secret: the colon form, a
 * bare unquoted word of PROSE_NAME (not `session_id`, `"token"` or `token=`), and a value
 * that reads as a sentence. `password: correct horse battery staple` is always a secret.
 */
function isProse(quote: string, name: string, sep: string, value: string): boolean {
  return quote === '' && sep.trim() === ':' && PROSE_NAME.test(name) && !AUTH_SCHEME.test(value) && PROSE_VALUE.test(value)
}

/** A SQL literal's value replaced, its quotes kept. */
function hideLiteral(literal: string, placeholder: string): string {
  const quote = literal[0] === "'" || literal[0] === '"' ? literal[0] : ''
  return `${quote}${placeholder}${quote}`
}

/**
 * A secret name, or a dotted key ending in one (`http.request.header.authorization`); the
 * HTTP conventions' signature keys too (`X-Amz-Signature`), as keys of a parsed query are;
 * not `code`, an OAuth code only in a URL's query (`isSecretQueryParameter`), an error's
 * code in a field or a log line.
 *
 * @example
 * ```ts
 * isSecretKey('user.password') // true
 * isSecretKey('user.name')     // false
 * isSecretKey('code')          // false
 * ```
 */
export function isSecretKey(key: string): boolean {
  return isSecretQueryName(key) || isSecretName(key.slice(key.lastIndexOf('.') + 1))
}

// The conventions' header and metadata attributes: `http.request.header.<name>`,
// `rpc.grpc.request.metadata.<name>`, whose last part is a header's name.
const HEADER_ATTRIBUTE = /^(?:http\.(?:request|response)\.header|rpc(?:\.grpc)?\.(?:request|response)\.metadata)\.(.+)$/

/**
 * `isSecretKey`, and a header attribute of the conventions whose header carries a credential
 * under a name of its own (`http.request.header.x-hub-signature-256`, as `isSecretHeaderName`).
 *
 * @example
 * ```ts
 * isSecretAttributeKey('http.request.header.stripe-signature') // true
 * isSecretAttributeKey('app.api_key')                          // true
 * isSecretAttributeKey('http.request.header.accept')           // false
 * ```
 */
export function isSecretAttributeKey(key: string): boolean {
  if (isSecretKey(key)) return true
  const header = HEADER_ATTRIBUTE.exec(key)?.[1]
  return header !== undefined && isSecretHeaderName(header)
}
