/** SQL text laid out for reading: a line per main clause and keywords marked. Text only: Preact escapes it. */

const KEYWORDS = new Set(
  (
    'select from where and or not in is null like ilike between exists join left right inner outer full cross on using ' +
    'group by order having limit offset union all intersect except distinct as case when then else end insert into ' +
    'values update set delete returning with recursive create table index drop alter begin commit rollback savepoint ' +
    'release explain query plan pragma asc desc over partition window conflict do nothing default primary key references'
  ).split(' '),
)

/** Keywords that start a new line when they open a clause. */
const CLAUSES = new Set(['from', 'where', 'join', 'group', 'order', 'having', 'limit', 'offset', 'union', 'values', 'set', 'returning', 'left', 'right', 'inner', 'cross', 'full'])

// Strings, quoted names and comments stay whole so nothing inside them is marked.
const TOKEN = /('(?:[^']|'')*'?|"(?:[^"]|"")*"?|`[^`]*`?|--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|[A-Za-z_][A-Za-z0-9_]*|\s+|[\s\S])/g

/** The tokens of `sql`, with line breaks before main clauses (only where the text has a single-line layout). */
export function sqlTokens(sql: string): Array<{ text: string; keyword: boolean }> {
  const reflow = !sql.includes('\n')
  const tokens: Array<{ text: string; keyword: boolean }> = []
  let depth = 0
  for (const [text] of sql.matchAll(TOKEN)) {
    if (text === '(') depth++
    else if (text === ')') depth = Math.max(0, depth - 1)
    const lower = text.toLowerCase()
    const keyword = KEYWORDS.has(lower)
    if (reflow && keyword && depth === 0 && CLAUSES.has(lower) && tokens.length > 0) {
      const previous = tokens[tokens.length - 1]!
      // `LEFT JOIN`, `GROUP BY`: break before the first word only.
      const afterJoiner = ['left', 'right', 'inner', 'cross', 'full'].includes(lastWord(tokens)) && lower === 'join'
      if (!afterJoiner && /^\s+$/.test(previous.text)) previous.text = '\n'
    }
    tokens.push({ text, keyword })
  }
  return tokens
}

function lastWord(tokens: Array<{ text: string }>): string {
  for (let i = tokens.length - 1; i >= 0; i--) {
    const text = tokens[i]!.text
    if (!/^\s+$/.test(text)) return text.toLowerCase()
  }
  return ''
}

/** Above this size the text is shown as it is: marking a 30,000-character IN list helps nobody. */
const MARK_LIMIT = 5000

/** A SQL statement in a monospace block, keywords marked. */
export function SqlText({ sql }: { sql: string }) {
  if (sql.length > MARK_LIMIT) return <pre class="hdt-code hdt-sql-text">{sql}</pre>
  return (
    <pre class="hdt-code hdt-sql-text">
      {sqlTokens(sql).map((token, i) => (token.keyword ? <span key={i} class="hdt-sql-kw">{token.text}</span> : token.text))}
    </pre>
  )
}
