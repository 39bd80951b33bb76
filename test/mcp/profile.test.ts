import { describe, expect, it } from 'vitest'
import type { ProfilingStats } from '../../src/panels/profiling.js'
import { formatMs } from '../../src/shapes/format.js'
import { call, useShop } from './app.js'

describe('get_request on a profiled request', () => {
  const shop = useShop({ profiled: '/slow?_dt_profile=1', plain: '/users' })

  it('says it was profiled, what starting the profiler added to its time, its hottest functions and where to download the profile', async () => {
    const stats = (await (await fetch(`${shop.shop.base}/_debug_toolbar/api/requests/${shop.ids.profiled}`)).json()).panels.profiling as ProfilingStats
    expect(stats.profiled).toBe(true)
    const { text, data } = await call(shop.client, 'get_request', { request_id: shop.ids.profiled })
    const line = text.split('\n').find((l) => l.startsWith('Profile: '))
    const top = stats.topFunctions[0]!
    expect(line).toBe(
      `Profile: ${stats.samples} samples over ${formatMs(stats.totalMs)}; starting the profiler added ${formatMs(stats.startCostMs)} to this request's time. ` +
        `Hottest by sampled self time (the function itself on top of the stack; get_trace's CPU-profile spans give it as sampled self): ${stats.topFunctions.slice(0, 5).map((f) => `${f.name}${f.location ? ` ${f.location}` : ''} ${formatMs(f.selfMs)}`).join(', ')}. ` +
        `Download: ${shop.shop.base}/_debug_toolbar${stats.download}`,
    )
    expect(data.profile).toMatchObject({ profiled: true, samples: stats.samples, startCostMs: stats.startCostMs })
    expect(data.profile.topFunctions[0]).toMatchObject({ name: top.name, location: top.location, selfMs: top.selfMs })
    // A request that did not ask for a profile has no Profile line.
    expect((await call(shop.client, 'get_request', { request_id: shop.ids.plain })).text).not.toMatch(/^Profile:/m)
  })
})
