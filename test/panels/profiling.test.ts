import { describe, expect, it } from 'vitest'
import { Hono, type Context } from 'hono'
import { debugToolbar, ProfilingPanel, type ProfileNode, type ProfilingStats } from '../../src/index.js'
import { summariseProfile } from '../../src/panels/cpu-profile.js'
import { formatMs } from '../../src/shapes/format.js'
import { request } from '../support/local.js'

function spin(c: Context) {
  const end = performance.now() + 20
  let x = 0
  while (performance.now() < end) x += Math.sqrt(x + 1)
  return c.text(String(x))
}

async function detailOf(app: Hono, path: string) {
  const res = await request(app, path)
  const id = res.headers.get('x-debug-toolbar-request-id')
  return { res, detail: (await request(app, `/_debug_toolbar/api/requests/${id}`)).json() }
}

describe('ProfilingPanel', () => {
  it('uses its sampling interval and sums the profile up in the panel list', async () => {
    const app = new Hono()
    app.use(debugToolbar({ panels: [new ProfilingPanel({ samplingIntervalUs: 1000 })] }))
    app.get('/', spin)
    const { detail } = await detailOf(app, '/?_dt_profile=1')
    const stats = detail.panels.profiling as ProfilingStats
    expect(stats.samplingIntervalUs).toBe(1000)
    // At 1 sample per ms, a profile of totalMs holds about totalMs samples (never 10 per ms).
    expect(stats.samples).toBeGreaterThan(0)
    expect(stats.samples).toBeLessThan(stats.totalMs! * 2 + 5)
    expect(detail.nav[0]).toEqual({ id: 'profiling', title: 'Profile', subtitle: `${stats.samples} ${stats.samples === 1 ? 'sample' : 'samples'} in ${formatMs(stats.totalMs)}` })
    expect(stats.startCostMs).toBeGreaterThan(0)
    expect(stats.callTree.length).toBeGreaterThan(0)
  })

  it('says "1 sample", not "1 samples", in the panel list', () => {
    const stats = { profiled: true, samples: 1, totalMs: 0.4 } as ProfilingStats
    expect(new ProfilingPanel().navSubtitle(stats)).toBe('1 sample in 400 µs')
    expect(new ProfilingPanel().navSubtitle({ ...stats, samples: 2 })).toBe('2 samples in 400 µs')
  })

  it('is off for requests that do not ask', async () => {
    const app = new Hono()
    app.use(debugToolbar({ panels: [new ProfilingPanel()] }))
    app.get('/', spin)
    const { res, detail } = await detailOf(app, '/?_dt_profile=0')
    expect(detail.nav[0].subtitle).toBe('off')
    expect(detail.panels.profiling).toMatchObject({ requested: false, profiled: false, samples: 0 })
    expect(res.headers.get('server-timing') ?? '').not.toMatch(/profile/)
  })

  it('rejects a sampling interval that is not a whole number of microseconds', () => {
    expect(() => new ProfilingPanel({ samplingIntervalUs: 0 })).toThrow(/samplingIntervalUs/)
    expect(() => new ProfilingPanel({ samplingIntervalUs: 2.5 })).toThrow(/samplingIntervalUs/)
  })
})

describe('summariseProfile', () => {
  const frame = (functionName: string, lineNumber = 0): ProfileNode['callFrame'] => ({
    functionName,
    scriptId: '1',
    url: functionName.startsWith('(') ? '' : 'file:///srv/app/pages.js',
    lineNumber,
    columnNumber: 4,
  })
  // (root) -> handler -> render -> render (recursion) ; (root) -> (garbage collector) ; (root) -> (idle)
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 5, 6] },
      { id: 2, callFrame: frame('handler', 9), children: [3] },
      { id: 3, callFrame: frame('render', 19), children: [4] },
      { id: 4, callFrame: frame('render', 19), children: [] },
      { id: 5, callFrame: frame('(garbage collector)'), children: [] },
      { id: 6, callFrame: frame('(idle)'), children: [] },
    ],
    startTime: 1_000_000,
    endTime: 1_010_000,
    // Samples at +1, +2, +3, +4, +6, +8 ms, each lasting until the next; the last until the end (+10 ms).
    samples: [2, 3, 4, 3, 5, 6],
    timeDeltas: [1000, 1000, 1000, 1000, 2000, 2000],
  }

  it('weighs each sample by the time until the next one, and counts recursion once', () => {
    const summary = summariseProfile(profile, 50)
    expect(summary.totalMs).toBe(10)
    expect(summary.samples).toBe(6)
    const byName = Object.fromEntries(summary.topFunctions.map((f) => [f.name, f]))
    expect(byName.render).toEqual({ name: 'render', location: '/srv/app/pages.js:20:5', selfMs: 4, totalMs: 4 })
    expect(byName.handler).toMatchObject({ selfMs: 1, totalMs: 5, location: '/srv/app/pages.js:10:5' })
    expect(byName['(garbage collector)']).toEqual({ name: '(garbage collector)', location: '', selfMs: 2, totalMs: 2 })
    expect(summary.topFunctions[0]!.name).toBe('render')
  })

  it('builds the call tree with self and total time per call path', () => {
    const [handler, gc, idle] = summariseProfile(profile, 0).callTree
    expect(handler).toMatchObject({ name: 'handler', selfMs: 1, totalMs: 5 })
    expect(handler!.children[0]).toMatchObject({ name: 'render', selfMs: 3, totalMs: 4 })
    expect(handler!.children[0]!.children[0]).toMatchObject({ name: 'render', selfMs: 1, totalMs: 1, children: [] })
    expect([gc!.name, gc!.totalMs, idle!.name, idle!.totalMs]).toEqual(['(garbage collector)', 2, '(idle)', 2])
  })

  it('places flame frames at their real times from the request start, merging consecutive samples', () => {
    const flame = summariseProfile(profile, 50).flame.map((f) => [f.name, f.depth, f.startMs, f.durationMs])
    expect(flame).toEqual([
      ['handler', 0, 51, 5],
      ['render', 1, 52, 4],
      ['render', 2, 53, 1],
      ['(garbage collector)', 0, 56, 2],
    ])
  })

  it("names the profiler's own calls (profiler), where they read as a dispatch with no location, and leaves Hono's dispatch as it is", () => {
    // (root) -> stopProfile -> post (node:inspector) -> dispatch (native): Profiler.stop, as V8 samples it.
    // (root) -> dispatch (hono/dist/compose.js): the framework's, with a location.
    const at = (functionName: string, url: string): ProfileNode['callFrame'] => ({ functionName, scriptId: '2', url, lineNumber: 34, columnNumber: 16 })
    const stopped = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 5] },
        { id: 2, callFrame: frame('stopProfile', 88), children: [3] },
        { id: 3, callFrame: at('post', 'node:inspector'), children: [4] },
        { id: 4, callFrame: at('dispatch', ''), children: [] },
        { id: 5, callFrame: at('dispatch', 'file:///srv/app/node_modules/hono/dist/compose.js'), children: [] },
      ],
      startTime: 0,
      endTime: 4000,
      samples: [5, 4, 4, 4],
      timeDeltas: [0, 1000, 1000, 1000],
    }
    const summary = summariseProfile(stopped, 0)
    expect(summary.topFunctions.map((f) => [f.name, f.location, f.selfMs])).toEqual([
      ['(profiler)', '', 3],
      ['dispatch', '/srv/app/node_modules/hono/dist/compose.js:35:17', 1],
      ['stopProfile', '/srv/app/pages.js:89:5', 0],
      ['post', 'node:inspector:35:17', 0],
    ])
    expect(summary.callTree[0]!.children[0]!.children[0]).toMatchObject({ name: '(profiler)', location: '', selfMs: 3 })
    expect(summary.flame.map((f) => f.name)).toEqual(['dispatch', 'stopProfile', 'post', '(profiler)'])
  })

  it("names each function at its TypeScript line when the profiled file was built with a source map, relative to the working directory", () => {
    // test/fixtures/code-location/build/users.js, built by tsc from ../src/users.ts with users.js.map beside it.
    const url = new URL('../fixtures/code-location/build/users.js', import.meta.url).href
    const built = { ...profile, nodes: profile.nodes.map((node) => (node.callFrame.url ? { ...node, callFrame: { ...node.callFrame, url, lineNumber: node.id === 2 ? 1 : 2 } } : node)) }
    const summary = summariseProfile(built, 0)
    const ts = 'test/fixtures/code-location/src/users.ts'
    const byName = Object.fromEntries(summary.topFunctions.map((f) => [f.name, f.location]))
    expect(byName).toEqual({ render: `${ts}:11:3`, handler: `${ts}:10:3`, '(garbage collector)': '', '(idle)': '' })
    expect(summary.callTree[0]!.location).toBe(`${ts}:10:3`)
    expect(summary.flame[0]!.location).toBe(`${ts}:10:3`)
  })
})
