import { describe, expect, it } from 'vitest'
import type { ProfilingStats } from '../../src/panels/profiling.js'
import { formatMs } from '../../src/shapes/format.js'
import { call, useShop } from './app.js'

const PROGRAM_NOTE = "(program) is V8's own work, or code it could not name (a loop it optimised while it ran): get_trace's CPU-profile spans give that time to the function that runs on after it."
const PROFILER_NOTE = "(profiler) is the toolbar starting and stopping this profile, not the request's work."


describe('get_request on a profiled request', () => {
  const shop = useShop({ profiled: '/slow?_dt_profile=1', plain: '/users', optimised: '/optimised' })

  it('says it was profiled, what starting the profiler added to its time, its hottest functions and where to download the profile', async () => {
    const stats = (await (await fetch(`${shop.shop.base}/_debug_toolbar/api/requests/${shop.ids.profiled}`)).json()).panels.profiling as ProfilingStats
    expect(stats.profiled).toBe(true)
    const { text, data } = await call(shop.client, 'get_request', { request_id: shop.ids.profiled })
    const line = text.split('\n').find((l) => l.startsWith('Profile: '))
    const top = stats.topFunctions[0]!
    expect(line).toBe(
      `Profile: ${stats.samples} samples over ${formatMs(stats.totalMs)}; starting the profiler added ${formatMs(stats.startCostMs)} to this request's time. ` +
        `Hottest by sampled self time (the function itself on top of the stack; get_trace's CPU-profile spans give it as sampled self): ${stats.topFunctions.slice(0, 5).map((f) => `${f.name}${f.location ? ` ${f.location}` : ''} ${formatMs(f.selfMs)}`).join(', ')}. ` +
        // Said only when V8 sampled some of it as (program), which the next test pins down.
        (stats.topFunctions.slice(0, 5).some((f) => f.name === '(program)') ? `${PROGRAM_NOTE} ` : '') +
        (stats.topFunctions.slice(0, 5).some((f) => f.name === '(profiler)') ? `${PROFILER_NOTE} ` : '') +
        `Download: ${shop.shop.base}/_debug_toolbar${stats.download}`,
    )
    expect(data.profile).toMatchObject({ profiled: true, samples: stats.samples, startCostMs: stats.startCostMs })
    expect(data.profile.topFunctions[0]).toMatchObject({ name: top.name, location: top.location, selfMs: top.selfMs })
    // A request that did not ask for a profile, served after this one while V8's profiler was
    // kept running, is told that its times include the sampler's.
    const plain = (await call(shop.client, 'get_request', { request_id: shop.ids.plain })).text.split('\n').filter((l) => l.startsWith('Profile:'))
    expect(plain).toEqual([
      "Profile: not asked for; V8's profiler was running while it was served (another request was profiled, or the profiler was kept running after one or started by the Profile panel's toggle), so its times include the sampler's cost.",
    ])
  })

  it('says what (program) and (profiler) stand for when they are among the hottest, and where the time of (program) is given to a function', async () => {
    const { text, data } = await call(shop.client, 'get_request', { request_id: shop.ids.optimised })
    expect(data.profile.topFunctions.map((f: { name: string }) => f.name)).toEqual(['(program)', 'report', '(idle)', '(profiler)', 'post'])
    const line = text.split('\n').find((l) => l.startsWith('Profile: '))!
    expect(line).toContain('Hottest by sampled self time')
    expect(line).toContain(`(idle) 2.00 ms, (profiler) 1.00 ms, post node:inspector:5:3 0 ms. ${PROGRAM_NOTE} ${PROFILER_NOTE}`)
    // As it says: the function that ran on after the (program) stretch has its span from the stretch's start.
    const trace = await call(shop.client, 'get_trace', { request_id: shop.ids.optimised })
    const report = (trace.data.lines as Array<{ name: string; durationMs: number; sampledSelfMs: number }>).find((l) => l.name === 'report')
    expect(report, trace.text).toMatchObject({ durationMs: 62, sampledSelfMs: 2 })
  })
})
