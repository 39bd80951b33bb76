/** @jsxImportSource preact */
import { renderToString } from 'preact-render-to-string'
import { afterAll, describe, expect, it, vi } from 'vitest'
import type { ProfilingStats } from '../../src/panels/profiling.js'
import { ProfilingView } from '../../templates/client/panels/profiling.js'
import type { RequestDetail } from '../../templates/client/types.js'

const stats = (samples: number): ProfilingStats => ({
  requested: true,
  profiled: true,
  skipped: undefined,
  samplingIntervalUs: 1000,
  startMs: 0.2,
  startErrorMs: undefined,
  startCostMs: 1.5,
  startedWarm: false,
  profilerRunning: false,
  totalMs: 0.9,
  samples,
  topFunctions: [],
  callTree: [],
  flame: [],
  omitted: 0,
  download: '/api/profiles/r1.cpuprofile',
})

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')

describe('the Profile panel', () => {
  // The toggle reads the profiling cookie.
  vi.stubGlobal('document', { cookie: '' })
  afterAll(() => vi.unstubAllGlobals())

  it('says "1 sample over", and "2 samples over"', () => {
    const view = (n: number) => text(renderToString(<ProfilingView stats={stats(n)} request={{} as RequestDetail} prefix="/_debug_toolbar" openRequest={() => {}} />))
    expect(view(1)).toContain('1 sample over 900 µs')
    expect(view(2)).toContain('2 samples over 900 µs')
  })

  it('says what starting the profiler took, and when it was running already (after a profiled request, or started by the toggle)', () => {
    const view = (startedWarm: boolean, startCostMs: number) =>
      text(renderToString(<ProfilingView stats={{ ...stats(5), startedWarm, startCostMs }} request={{} as RequestDetail} prefix="/_debug_toolbar" openRequest={() => {}} />))
    expect(view(false, 26.6)).toContain('so that the next profiled request starts it at no cost — starting it took 26.6 ms here. ')
    expect(view(true, 0.3)).toContain('— starting it took 300 µs here: it was running already. ')
  })

  it("says when a request that was not profiled was served while V8's profiler ran", () => {
    const off = { ...stats(0), requested: false, profiled: false, startCostMs: undefined, totalMs: undefined }
    const view = (profilerRunning: boolean) => text(renderToString(<ProfilingView stats={{ ...off, profilerRunning }} request={{} as RequestDetail} prefix="/_debug_toolbar" openRequest={() => {}} />))
    expect(view(false)).toContain('or the toggle above.')
    expect(view(false)).not.toContain('was running while it was served')
    expect(view(true)).toContain(
      "or the toggle above. V8's profiler was running while it was served (another request was profiled, or the profiler was kept running after one or started by the Profile panel's toggle), so its times include the sampler's cost.",
    )
  })

  it('labels the flame chart with at least two round times, also when a coarse step would leave one', () => {
    // 850 ms from 3 ms into the request: steps of 500 ms would label only "500 ms".
    const profile = { ...stats(850), startMs: 3, totalMs: 850, flame: [{ name: 'handler', location: 'app.js:1', depth: 0, startMs: 3, durationMs: 850 }] }
    const html = renderToString(<ProfilingView stats={profile} request={{} as RequestDetail} prefix="/_debug_toolbar" openRequest={() => {}} />)
    const axis = /<div class="hdt-flame-axis">(.*?)<\/div>/.exec(html)?.[1] ?? ''
    const labels = [...axis.matchAll(/<span[^>]*>([^<]*)<\/span>/g)].map((m) => m[1])
    expect(labels).toEqual(['200 ms', '400 ms', '600 ms', '800 ms'])
  })

  it("says what V8's own entries and the profiler's calls stand for where a function's location would be, and a function with no source file: (program) hides JavaScript V8 optimised while it ran", () => {
    const fn = (name: string, location = '') => ({ name, location, selfMs: 10, totalMs: 10 })
    const profile = {
      ...stats(300), totalMs: 300,
      topFunctions: [fn('(idle)'), fn('(program)'), fn('(garbage collector)'), fn('(profiler)'), fn('writev'), fn('handler', 'src/app.ts:3:1')],
      callTree: [{ name: '(program)', location: '', selfMs: 10, totalMs: 10, children: [] }],
    }
    const html = renderToString(<ProfilingView stats={profile} request={{} as RequestDetail} prefix="/_debug_toolbar" openRequest={() => {}} />)
    const rows = [...html.matchAll(/<tr><td><code>([^<]*)<\/code><\/td><td class="hdt-muted hdt-location">(.*?)<\/td>/g)].map((m) => [m[1], text(m[2]!).trim()])
    expect(rows).toEqual([
      ['(idle)', 'waiting: nothing to run'],
      ['(program)', "V8's own work, or code it could not name (a loop it optimised while it ran)"],
      ['(garbage collector)', 'freeing memory'],
      ['(profiler)', 'the toolbar starting and stopping this profile'],
      ['writev', 'native code: no source file'],
      ['handler', 'src/app.ts:3:1'],
    ])
    // Where that time went instead, in the title.
    expect(html).toContain('title="V8 names a stretch (program) when no JavaScript frame shows')
    // The call tree says it too.
    expect(text(/<div class="hdt-call-tree">(.*?)<\/div><\/div>|<div class="hdt-call-tree">(.*)/s.exec(html)?.[0] ?? '')).toContain("V8's own work")
  })
})
