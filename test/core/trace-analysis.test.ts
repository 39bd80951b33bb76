import { describe, expect, it } from 'vitest'
import {
  analyzeTrace,
  compareTraces,
  criticalPath,
  selfTimes,
  sqlShape,
  traceTimeline,
} from '../../src/core/trace-analysis/index.js'
import { ANALYSIS_CASES, caseSpans } from '../support/analysis-cases.js'
import { ms, spanIdOf, syntheticTrace, type SyntheticSpan } from '../support/synthetic-spans.js'

const nameOf = (spans: ReturnType<typeof caseSpans>) => new Map(spans.map((s) => [s.spanId, s.name]))

describe('critical path and self time, hand-computed', () => {
  for (const c of ANALYSIS_CASES) {
    it(c.title, () => {
      const spans = caseSpans(c)
      const analysis = analyzeTrace(spans)
      const names = nameOf(spans)
      expect(analysis.criticalPath.map((id) => names.get(id))).toEqual(c.criticalPath)
      expect(Object.fromEntries(Object.entries(analysis.selfTimeNs).map(([id, ns]) => [names.get(id), ns]))).toEqual(
        Object.fromEntries(Object.entries(c.selfMs).map(([name, value]) => [name, ms(value)])),
      )
    })
  }

  it('sections of the overlapping case cover the root exactly, in time order', () => {
    const timeline = traceTimeline(caseSpans(ANALYSIS_CASES[0]!))
    const sections = criticalPath(timeline).map((s) => [timeline.spans[s.span]!.name, s.startNs / 1e6, s.endNs / 1e6])
    expect(sections).toEqual([
      ['P', 0, 50],
      ['B', 50, 90],
      ['P', 90, 100],
    ])
  })

  it('gives a measured span its whole time on the path when a CPU-profile span overlaps its end by less than a sample', () => {
    const timeline = traceTimeline(caseSpans(ANALYSIS_CASES.find((c) => c.title.startsWith('a CPU-profile span'))!))
    const sections = criticalPath(timeline).map((s) => [timeline.spans[s.span]!.name, s.startNs / 1e6, s.endNs / 1e6])
    expect(sections).toEqual([
      ['GET /slow', 0, 1],
      ['CPU profiler start', 1, 38],
      ['GET /slow', 38, 40],
      ['wait', 40, 292],
      ['GET /slow', 292, 292],
      ['(anonymous) app.js:90', 292, 318],
      ['GET /slow', 318, 320],
    ])
  })

  it('lets a CPU-profile span take the path from a measured span it overlaps by more than its sampling margin, and takes only its own time after a measured span\'s end', () => {
    // 90 samples over 26.8 ms: a margin of 1 ms. `wait` ends 2 ms into the handler's span: the
    // handler really ran before it ended, so the path goes back from the handler at 290 to `early`.
    const over = traceTimeline(syntheticTrace('profile overlap', [
      { name: 'root', start: 0, end: 320 },
      { name: 'early', parent: 'root', start: 10, end: 200 },
      { name: 'wait', parent: 'root', start: 40, end: 292 },
      { name: 'handler', parent: 'root', start: 290, end: 316.8, attributes: { 'profile.samples': 90 } },
    ]))
    expect(criticalPath(over).map((s) => over.spans[s.span]!.name)).toEqual(['root', 'early', 'root', 'handler', 'root'])
    // A 0.5 ms sampled span that starts 0.2 ms before a measured sibling ends (margin 1 ms) is on
    // the path from that end only: 90-90.3.
    const within = traceTimeline(syntheticTrace('profile within', [
      { name: 'root', start: 0, end: 100 },
      { name: 'query', parent: 'root', start: 10, end: 90 },
      { name: 'blip', parent: 'root', start: 89.8, end: 90.3, attributes: { 'profile.samples': 2 } },
    ]))
    expect(criticalPath(within).map((s) => [within.spans[s.span]!.name, s.startNs / 1e6, s.endNs / 1e6])).toEqual([
      ['root', 0, 10],
      ['query', 10, 90],
      ['root', 90, 90],
      ['blip', 90, 90.3],
      ['root', 90.3, 100],
    ])
  })

  it('moves a remote subtree into its parent but never a span of the same service', () => {
    const timeline = traceTimeline(caseSpans(ANALYSIS_CASES[3]!))
    const at = (name: string) => timeline.indexOf.get(spanIdOf(name))!
    const origin = -5
    expect([timeline.start[at('S')]! / 1e6 + origin, timeline.end[at('S')]! / 1e6 + origin]).toEqual([15, 85])
    expect([timeline.start[at('Q')]! / 1e6 + origin, timeline.end[at('Q')]! / 1e6 + origin]).toEqual([20, 60])
    expect(timeline.skewNs[at('C')]).toBe(0)
  })

  it('treats a span still running as ending with the trace, and an empty trace as empty', () => {
    const spans = syntheticTrace('running', [
      { name: 'P', start: 0, end: 40 },
      { name: 'R', parent: 'P', start: 10, end: undefined },
    ])
    expect(analyzeTrace(spans).selfTimeNs).toEqual({ [spanIdOf('P')]: ms(10), [spanIdOf('R')]: ms(30) })
    expect(analyzeTrace([])).toEqual({ criticalPath: [], selfTimeNs: {}, groups: [], stats: [] })
  })

  it('cuts a parent cycle instead of looping', () => {
    const spans = syntheticTrace('cycle', [
      { name: 'A', parent: 'B', start: 0, end: 10 },
      { name: 'B', parent: 'A', start: 1, end: 5 },
    ])
    const analysis = analyzeTrace(spans)
    expect(analysis.criticalPath.length).toBeGreaterThan(0)
    expect(Object.keys(analysis.selfTimeNs)).toHaveLength(2)
  })

  it('keeps a chain of 20,000 nested spans off the call stack', () => {
    const chain: SyntheticSpan[] = Array.from({ length: 20_000 }, (_, i) => ({ name: `s${i}`, parent: i ? `s${i - 1}` : undefined, start: i * 0.001, end: 100 - i * 0.001 }))
    expect(analyzeTrace(syntheticTrace('chain', chain)).criticalPath).toHaveLength(20_000)
  })

  it('picks the longest parentless span as the root of the path', () => {
    const spans = syntheticTrace('roots', [
      { name: 'orphan', parent: 'gone', start: 0, end: 5 },
      { name: 'server', parent: 'remote', start: 1, end: 50 },
    ])
    expect(analyzeTrace(spans).criticalPath).toEqual([spanIdOf('server')])
  })
})

describe('repeated siblings and statistics', () => {
  const comments = (n: number, inline: boolean): SyntheticSpan[] =>
    Array.from({ length: n }, (_, i) => ({
      name: `c${i}`,
      label: 'SELECT comments',
      parent: 'P',
      start: 10 + i * 10,
      end: 12 + i * 10 + i,
      attributes: { 'db.query.text': inline ? `SELECT author, text FROM comments WHERE post_id = ${i + 1}` : 'SELECT author, text FROM comments WHERE post_id = ?' },
    }))

  it('folds same-shape queries under one parent into a SQL group with count, total and max', () => {
    const spans = syntheticTrace('n+1', [{ name: 'P', start: 0, end: 100 }, { name: 'U', label: 'SELECT users', parent: 'P', start: 1, end: 3 }, ...comments(3, true)])
    const [group, ...rest] = analyzeTrace(spans).groups
    expect(rest).toEqual([])
    expect(group).toEqual({
      parentSpanId: spanIdOf('P'),
      key: 'front: SELECT author, text FROM comments WHERE post_id = ?',
      name: 'SELECT comments',
      count: 3,
      spanIds: ['c0', 'c1', 'c2'].map(spanIdOf),
      totalNs: ms(2 + 3 + 4),
      maxNs: ms(4),
      sql: true,
    })
  })

  it('sums statistics per service and name, with self time', () => {
    const spans = syntheticTrace('stats', [{ name: 'P', start: 0, end: 100 }, ...comments(3, false)])
    expect(analyzeTrace(spans).stats).toEqual([
      { service: 'front', name: 'P', count: 1, totalNs: ms(100), selfNs: ms(91), maxNs: ms(100) },
      { service: 'front', name: 'SELECT comments', count: 3, totalNs: ms(9), selfNs: ms(9), maxNs: ms(4) },
    ])
  })

  it('shapes SQL: literals, placeholders and lists become one ?', () => {
    expect(sqlShape("SELECT * FROM t WHERE id IN (1, 2, 3) AND name = 'O''Brien' AND x = $2 AND y = :y AND z > -1.5e3")).toBe(
      'SELECT * FROM t WHERE id IN (?) AND name = ? AND x = ? AND y = ? AND z > ?',
    )
    expect(sqlShape('INSERT INTO t1 (a, b)\n VALUES (1, 2), (3, 4)')).toBe('INSERT INTO t1 (a, b) VALUES (?)')
  })

  it("shapes a query's exported text as the query itself: literals the lexer reads, comments and casts", async () => {
    const { sanitizeSql } = await import('../../src/opentelemetry/sql-attributes.js')
    const texts = [
      "SELECT * FROM files WHERE digest = X'1F2E' AND body = $$it's$$ AND note = E'a\\'b'",
      "SELECT id FROM t WHERE a = 'x' -- the user's filter\n AND b = 2",
      "SELECT id::text FROM t WHERE created > '2024-01-01'::date AND n = -3",
      'SELECT name FROM users WHERE id IN (7, 8, 9)',
      // Refused by the database, recorded as written: the name never closed holds a literal.
      `SELECT * FROM "users WHERE password = 'hunter2'`,
    ]
    // The waterfall groups a query by its exported text (literals already `?`), the SQL panel by the text it ran.
    for (const text of texts) expect(sqlShape(sanitizeSql(text)), text).toBe(sqlShape(text))
    const mysql = 'SELECT id FROM users WHERE email = "ada@example.com" AND `group` = \'a\''
    expect(sqlShape(sanitizeSql(mysql, 'mysql'), 'mysql')).toBe(sqlShape(mysql, 'mysql'))
    expect(sqlShape("SELECT id::text FROM t WHERE created > '2024-01-01'::date AND n = -3")).toBe('SELECT id::text FROM t WHERE created > ?::date AND n = ?')
  })

  it("folds a MySQL service's queries that differ only in a double-quoted string, and keeps PostgreSQL's double-quoted names apart", () => {
    const query = (name: string, system: string, text: string, start: number): SyntheticSpan => ({
      name,
      label: 'SELECT users',
      parent: 'P',
      start,
      end: start + 1,
      attributes: { 'db.system.name': system, 'db.query.text': text },
    })
    const spans = syntheticTrace('dialects', [
      { name: 'P', start: 0, end: 100 },
      // Sent by a service that exports its text raw: MySQL reads "ada" as a string.
      ...['ada', 'grace', 'edsger'].map((who, i) => query(`m${i}`, 'mysql', `SELECT id FROM users WHERE name = "${who}"`, 10 + i * 2)),
      // PostgreSQL reads "a", "b", "c" as three columns: three statements.
      ...['a', 'b', 'c'].map((column, i) => query(`p${i}`, 'postgresql', `SELECT "${column}" FROM users`, 40 + i * 2)),
    ])
    const { groups } = analyzeTrace(spans)
    expect(groups.map((g) => [g.key, g.count])).toEqual([['front: SELECT id FROM users WHERE name = ?', 3]])
  })

  it('compares two runs: duration, per key counts and time, spans added and critical paths', () => {
    const before = syntheticTrace('before', [{ name: 'P', start: 0, end: 60 }, ...comments(3, false)])
    const after = syntheticTrace('after', [{ name: 'P', start: 0, end: 100 }, ...comments(5, false)])
    const diff = compareTraces(traceTimeline(before), traceTimeline(after))
    expect(diff.durationDeltaNs).toBe(ms(40))
    expect(diff.groups[0]).toEqual({ key: 'front: SELECT author, text FROM comments WHERE post_id = ?', countA: 3, countB: 5, totalNsA: ms(9), totalNsB: ms(20) })
    expect(diff.added.map((s) => s.spanId)).toEqual([spanIdOf('c3'), spanIdOf('c4')])
    expect([diff.removed, diff.addedTotal, diff.removedTotal]).toEqual([[], 2, 0])
    expect(diff.criticalPathB.map((s) => s.name)).toEqual(['P', ...Array(5).fill('SELECT comments')])
    expect(diff.criticalPathA[0]).toMatchObject({ name: 'P', service: 'front' })
  })

  it('compares a renamed parent as one span removed and one added, not every span under it', () => {
    const run = (user: string, comments: number) =>
      syntheticTrace(user, [
        { name: 'P', start: 0, end: 50 },
        { name: 'R', label: `render page ${user}`, parent: 'P', start: 5, end: 40 },
        { name: 'U', label: 'render user-page', parent: 'R', start: 6, end: 20 },
        { name: 'L', label: 'render layout', parent: 'R', start: 21, end: 39 },
        ...Array.from({ length: comments }, (_, i) => ({ name: `q${i}`, label: 'SELECT 1', parent: 'U', start: 7 + i, end: 7.5 + i })),
      ])
    const diff = compareTraces(traceTimeline(run('bob', 2)), traceTimeline(run('alice', 3)))
    expect(diff.removed.map((s) => s.name)).toEqual(['render page bob'])
    // The third SELECT is new; the user page, the layout and two SELECTs are the same spans.
    expect(diff.added.map((s) => s.name)).toEqual(['render page alice', 'SELECT 1'])
    expect([diff.addedTotal, diff.removedTotal]).toEqual([2, 1])
  })
})
