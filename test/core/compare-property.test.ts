/**
 * Comparing two runs of a request (`GET {prefix}/api/traces/:a/compare/:b`, the Compare view,
 * MCP's compare_traces) says what changed and nothing else: a run that did the same work (new
 * span ids, another start time, its spans received in another order) has no span added or
 * removed, every group the same count and time, the same duration and the same critical path;
 * a run that did the same plus some more spans (new leaves anywhere, of new or existing
 * names) has exactly those added, and the other way round exactly those removed. fast-check
 * writes the traces.
 */
import { describe, it } from 'vitest'
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import type { ToolbarSpan } from '../../src/core/span-model.js'
import { compareTraces, traceTimeline } from '../../src/core/trace-analysis/index.js'

const T0 = 1_700_000_000_000_000_000n
const NAMES = ['GET /users/:id', 'SELECT users', 'SELECT comments', 'render page', 'fetch api', 'log info']
const SERVICES = ['web', 'api']

interface Node {
  name: string
  service: string
  /** ns after the parent's start (the root's: after T0). */
  offset: number
  length: number
  children: Node[]
}

const leaf = fc.record({ name: fc.constantFrom(...NAMES), service: fc.constantFrom(...SERVICES), offset: fc.integer({ min: 0, max: 500 }), length: fc.integer({ min: 0, max: 500 }) })
const tree: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.record({
    name: fc.constantFrom(...NAMES),
    service: fc.constantFrom(...SERVICES),
    offset: fc.integer({ min: 0, max: 500 }),
    length: fc.integer({ min: 0, max: 3000 }),
    children: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constant([]), fc.array(tie('node'), { maxLength: 3 })),
  }),
})).node

/** The spans of `root`, ids from `nextId`, starting `shiftNs` later; `extra` adds leaves under the nth node. */
function spansOf(root: Node, shiftNs: bigint, nextId: () => string, extra: Array<{ under: number; leaf: typeof leaf extends fc.Arbitrary<infer T> ? T : never }> = []): ToolbarSpan[] {
  const spans: ToolbarSpan[] = []
  const nodes: Array<{ id: string; start: bigint; service: string }> = []
  const walk = (node: Node, parent: { id: string; start: bigint } | undefined) => {
    const id = nextId()
    const start = (parent?.start ?? T0 + shiftNs) + BigInt(node.offset)
    spans.push(spanOf(id, parent?.id, node.name, node.service, start, BigInt(node.length)))
    nodes.push({ id, start, service: node.service })
    for (const child of node.children) walk(child, { id, start })
  }
  walk(root, undefined)
  for (const { under, leaf: l } of extra) {
    const parent = nodes[under % nodes.length]!
    spans.push(spanOf(nextId(), parent.id, `${l.name} (new)`, l.service, parent.start + BigInt(l.offset), BigInt(l.length)))
  }
  return spans
}

function spanOf(id: string, parent: string | undefined, name: string, service: string, start: bigint, length: bigint): ToolbarSpan {
  return {
    traceId: 'f'.repeat(32),
    spanId: id,
    parentSpanId: parent,
    name,
    kind: parent ? 'INTERNAL' : 'SERVER',
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + length),
    attributes: name.startsWith('SELECT') ? { 'db.system.name': 'sqlite', 'db.query.text': `${name} WHERE id = ?` } : {},
    events: [],
    links: [],
    status: { code: 'UNSET' },
    resource: { 'service.name': service },
    scope: { name: 'test' },
    source: 'local',
  }
}

const ids = (prefix: string) => {
  let n = 0
  return () => `${prefix}${(++n).toString(16).padStart(15, '0')}`
}

/** What the comparison says changed, without the ids of the spans (each run has its own). */
function changes(diff: ReturnType<typeof compareTraces>) {
  return {
    duration: diff.durationDeltaNs,
    groups: diff.groups.filter((g) => g.countA !== g.countB || g.totalNsA !== g.totalNsB),
    added: diff.addedTotal,
    removed: diff.removedTotal,
    path: isDeepStrictEqual(
      diff.criticalPathA.map((s) => [s.name, s.service, s.onPathNs]),
      diff.criticalPathB.map((s) => [s.name, s.service, s.onPathNs]),
    ),
  }
}

describe('comparing two runs of a request', () => {
  it('finds nothing changed between runs that did the same work', () => {
    fc.assert(
      fc.property(tree, fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.nat(), (root, shift, seed) => {
        const a = spansOf(root, 0n, ids('a'))
        const b = spansOf(root, shift, ids('b'))
        // Received in another order.
        const shuffled = b.map((s, i) => ({ s, k: (i * 7919 + seed) % (b.length + 1) })).sort((x, y) => x.k - y.k).map((x) => x.s)
        const seen = changes(compareTraces(traceTimeline(a), traceTimeline(shuffled)))
        const expected = { duration: '0', groups: [], added: 0, removed: 0, path: true }
        if (!isDeepStrictEqual(seen, expected)) throw new Error(`${JSON.stringify(seen)}\n  for ${JSON.stringify(root)}`)
        return true
      }),
      { numRuns: 500 },
    )
  })

  it('finds exactly the spans one run did more', () => {
    fc.assert(
      fc.property(tree, fc.array(fc.record({ under: fc.nat(), leaf }), { minLength: 1, maxLength: 4 }), fc.boolean(), (root, extra, sameNames) => {
        const more = extra.map((e) => ({ ...e, leaf: sameNames ? { ...e.leaf, name: e.leaf.name } : e.leaf }))
        const a = spansOf(root, 0n, ids('a'))
        const b = spansOf(root, 0n, ids('b'), more)
        const forward = compareTraces(traceTimeline(a), traceTimeline(b))
        const back = compareTraces(traceTimeline(b), traceTimeline(a))
        const seen = { added: forward.addedTotal, removed: forward.removedTotal, backAdded: back.addedTotal, backRemoved: back.removedTotal, names: forward.added.map((s) => s.name).sort() }
        const expected = { added: more.length, removed: 0, backAdded: 0, backRemoved: more.length, names: more.map((e) => `${e.leaf.name} (new)`).sort() }
        if (!isDeepStrictEqual(seen, expected)) throw new Error(`${JSON.stringify(seen)}, expected ${JSON.stringify(expected)}\n  for ${JSON.stringify(root)}`)
        return true
      }),
      { numRuns: 500 },
    )
  })
})
