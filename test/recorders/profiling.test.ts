import { Session } from 'node:inspector'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Hono, type Context } from 'hono'
import { debugToolbar, PROFILE_BUSY, ProfilingPanel, TimerPanel, type ProfilingOptions, type ProfilingStats } from '../../src/index.js'
import { isProfilerWarm, stopKeepingProfilerWarm } from '../../src/recorders/profiling.js'
import type { RecordedProfile } from '../../src/shapes/records.js'
import { request } from '../support/local.js'

/**
 * Keeps the CPU busy for `ms` ms of wall time and of the process's CPU time. On a busy
 * machine the thread may be descheduled for most of a wall-clock interval, so the loop also
 * waits until it has had its CPU time.
 */
function spin(ms: number): number {
  const end = performance.now() + ms
  const cpuStart = process.cpuUsage()
  const cpuMs = () => {
    const used = process.cpuUsage(cpuStart)
    return (used.user + used.system) / 1000
  }
  let x = 0
  while (performance.now() < end || cpuMs() < ms) for (let i = 0; i < 20_000; i++) x += Math.sqrt(i + x)
  return x
}

// The hot handlers the profiles must show, one per test and each first called inside the
// profiled request. Once V8 has optimised a caller (Hono's dispatch) with a handler inlined,
// before the profiler started, its samples are charged to the caller and the handler's name
// is gone from the profile; a handler that has never run yet always shows under its own name.

/** Spins for `?ms=` (default 60) ms. */
async function busyHandler(c: Context) {
  return c.text(String(spin(Number(c.req.query('ms') ?? 60))))
}

/** Spins for 60 ms, for the download test. */
async function busyDownload(c: Context) {
  return c.text(String(spin(60)))
}

/**
 * Milliseconds of `profile` with a function named `name` on the stack, and how many samples,
 * read straight from the raw samples: a sample stands for the time until the next one (the
 * last one, until the profile's end), as the .cpuprofile format defines.
 */
function timeOnStack(profile: NonNullable<RecordedProfile['profile']>, name: string) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const onStack = (leaf: number) => {
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) if (byId.get(id)?.callFrame.functionName === name) return true
    return false
  }
  let t = profile.startTime
  const times = profile.samples.map((_, i) => (t += profile.timeDeltas[i] ?? 0))
  let ms = 0
  let samples = 0
  profile.samples.forEach((leaf, i) => {
    if (!onStack(leaf)) return
    samples++
    ms += Math.max(0, (times[i + 1] ?? profile.endTime) - times[i]!) / 1000
  })
  return { ms, samples }
}

function profiledApp() {
  const app = new Hono()
  app.use(debugToolbar({ panels: [new TimerPanel(), new ProfilingPanel()] }))
  app.get('/busy', busyHandler)
  app.get('/download', busyDownload)
  return app
}

async function detailOf(app: Hono, path: string, init?: RequestInit) {
  const res = await request(app, path, init)
  const id = res.headers.get('x-debug-toolbar-request-id')!
  const detail = (await request(app, `/_debug_toolbar/api/requests/${id}`)).json()
  return { res, id, detail, stats: detail.panels.profiling as ProfilingStats }
}

describe('CPU profile of one request', () => {
  it('profiles a request that asks with ?_dt_profile=1: samples, the hot function, a place in the request', async () => {
    const app = profiledApp()
    const { res, stats, detail } = await detailOf(app, '/busy?_dt_profile=1')
    expect(stats).toMatchObject({ requested: true, profiled: true, samplingIntervalUs: 100 })
    expect(stats.skipped).toBeUndefined()
    expect(stats.samples).toBeGreaterThan(10)
    const hot = stats.topFunctions.find((f) => f.name === 'busyHandler')
    expect(hot).toBeDefined()
    expect(hot!.location).toMatch(/profiling\.test\.ts:\d+:\d+$/)
    // The handler ran 60 ms of CPU time: the sampler, every 0.1 ms, caught it many times.
    // How much of that time the profile charges to it depends on the machine (a garbage
    // collection or a descheduled thread is charged elsewhere), so the figure shown is
    // checked against the raw profile the panel was made from.
    const raw = (await request(app, `/_debug_toolbar${stats.download}`)).json()
    const onStack = timeOnStack(raw, 'busyHandler')
    expect(onStack.samples).toBeGreaterThan(10)
    expect(hot!.totalMs).toBeCloseTo(onStack.ms, 6)
    expect(hot!.totalMs).toBeLessThanOrEqual(stats.totalMs!)
    // The profile covers the handler, which ran at least 60 ms of wall time.
    expect(stats.totalMs!).toBeGreaterThanOrEqual(60)
    // The profile starts before the handler and the hot frame sits inside the handler's time.
    const headersMs = detail.panels.timer.headersMs as number
    expect(stats.startMs!).toBeGreaterThanOrEqual(0)
    expect(stats.startMs!).toBeLessThan(headersMs)
    expect(stats.startErrorMs!).toBeLessThan(1)
    // (A sample in the garbage collector interrupts the frame: it may come in pieces.)
    const frames = stats.flame.filter((f) => f.name === 'busyHandler')
    // A frame starts at a sample taken while the handler ran; it lasts until the next sample.
    for (const frame of frames) {
      expect(frame.startMs).toBeGreaterThanOrEqual(stats.startMs!)
      expect(frame.startMs).toBeLessThan(headersMs)
      expect(frame.startMs + frame.durationMs).toBeLessThanOrEqual(stats.startMs! + stats.totalMs! + 1e-6)
    }
    // The pieces add up to the handler's time, less the pieces too small to draw (each under
    // 0.1% of the profile) that the chart leaves out and counts.
    const drawn = frames.reduce((sum, f) => sum + f.durationMs, 0)
    expect(drawn).toBeLessThanOrEqual(onStack.ms + 1e-6)
    expect(drawn).toBeGreaterThanOrEqual(onStack.ms - stats.omitted * stats.totalMs! * 0.001 - 1e-6)
    expect(res.headers.get('server-timing')).toMatch(/hdt-profile;dur=[\d.]+;desc="CPU profiler start"/)
  })

  it('serves the raw profile as a .cpuprofile download that DevTools can open', async () => {
    const app = profiledApp()
    const { id, stats } = await detailOf(app, '/download', { headers: { 'X-Debug-Toolbar-Profile': '1' } })
    expect(stats.download).toBe(`/api/profiles/${id}.cpuprofile`)
    const file = await request(app, `/_debug_toolbar${stats.download}`)
    expect(file.status).toBe(200)
    expect(file.headers.get('content-type')).toMatch(/^application\/json/)
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="${id}.cpuprofile"`)
    const profile = file.json()
    expect(profile.nodes.length).toBeGreaterThan(1)
    expect(profile.samples.length).toBe(stats.samples)
    expect(profile.timeDeltas.length).toBe(profile.samples.length)
    expect(profile.endTime).toBeGreaterThan(profile.startTime)
    expect(profile.nodes.some((n: { callFrame: { functionName: string } }) => n.callFrame.functionName === 'busyDownload')).toBe(true)
  })

  it('answers 404 for a request without a profile', async () => {
    const app = profiledApp()
    const { id, stats } = await detailOf(app, '/busy')
    expect(stats).toMatchObject({ requested: false, profiled: false, samples: 0, topFunctions: [] })
    const file = await request(app, `/_debug_toolbar/api/profiles/${id}.cpuprofile`)
    expect(file.status).toBe(404)
    expect(file.json().error).toMatch(/no CPU profile/)
  })

  it('takes the toolbar cookie as a request for a profile', async () => {
    const app = profiledApp()
    const { stats } = await detailOf(app, '/busy', { headers: { Cookie: 'theme=dark; hdt_profile=1' } })
    expect(stats.profiled).toBe(true)
  })

  it('profiles one request at a time: a request asking meanwhile is served, and told why it has no profile', async () => {
    const app = new Hono()
    app.use(debugToolbar({ panels: [new ProfilingPanel()] }))
    let reached!: () => void
    const inHandler = new Promise<void>((resolve) => (reached = resolve))
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    app.get('/slow', async (c) => {
      reached()
      await gate
      return c.text('slow done')
    })
    app.get('/other', (c) => c.text('other done'))

    const first = detailOf(app, '/slow?_dt_profile=1')
    await inHandler
    const second = await detailOf(app, '/other?_dt_profile=1')
    expect(second.res.text).toBe('other done')
    expect(second.stats).toMatchObject({ requested: true, profiled: false, skipped: PROFILE_BUSY })
    expect(second.detail.nav.find((n: { id: string }) => n.id === 'profiling').subtitle).toBe('skipped')
    // A request that did not ask is told that the profiler ran while it was served.
    expect((await detailOf(app, '/other')).stats).toMatchObject({ requested: false, profilerRunning: true })
    release()
    const done = await first
    expect(done.res.text).toBe('slow done')
    expect(done.stats.profiled).toBe(true)

    // The profiler is free again once the first request finished.
    const third = await detailOf(app, '/other?_dt_profile=1')
    expect(third.stats.profiled).toBe(true)
  })

  describe("keeping V8's profiler running between profiled requests", () => {
    afterEach(() => stopKeepingProfilerWarm())

    function appWith(options: ProfilingOptions) {
      const app = new Hono()
      app.use(debugToolbar({ panels: [new TimerPanel(), new ProfilingPanel(options)] }))
      app.get('/warm-first', (c) => c.text(String(spin(5))))
      app.get('/warm-second', async function secondHandler(c) {
        return c.text(String(spin(30)))
      })
      return app
    }

    it('starts the next profiled request on the running profiler, whose profile is still only its own', async () => {
      stopKeepingProfilerWarm()
      const app = appWith({})
      const first = await detailOf(app, '/warm-first?_dt_profile=1')
      expect(first.stats).toMatchObject({ profiled: true, startedWarm: false })
      expect(isProfilerWarm()).toBe(true)
      const second = await detailOf(app, '/warm-second?_dt_profile=1')
      expect(second.stats).toMatchObject({ profiled: true, startedWarm: true })
      // Its profile began inside its own request (not when the running one did), placed as exactly as a cold one.
      const headersMs = second.detail.panels.timer.headersMs as number
      expect(second.stats.startMs!).toBeGreaterThanOrEqual(0)
      expect(second.stats.startMs!).toBeLessThan(headersMs)
      expect(second.stats.startErrorMs!).toBeLessThan(1)
      const raw = (await request(app, `/_debug_toolbar${second.stats.download}`)).json()
      expect(timeOnStack(raw, 'secondHandler').samples).toBeGreaterThan(5)
      // Its samples are the request's only: it began after the first request's profile ended,
      // where the profile kept running began during the first request.
      const firstRaw = (await request(app, `/_debug_toolbar${first.stats.download}`)).json()
      expect(raw.startTime).toBeGreaterThanOrEqual(firstRaw.endTime)
    })

    it('says of a request that was not profiled whether V8\'s profiler was running while it was served', async () => {
      stopKeepingProfilerWarm()
      const app = appWith({})
      expect((await detailOf(app, '/warm-first')).stats).toMatchObject({ requested: false, profilerRunning: false })
      await detailOf(app, '/warm-first?_dt_profile=1')
      expect((await detailOf(app, '/warm-first')).stats).toMatchObject({ requested: false, profilerRunning: true })
      stopKeepingProfilerWarm()
      expect((await detailOf(app, '/warm-first')).stats).toMatchObject({ requested: false, profilerRunning: false })
    })

    it('stops the profiler keepWarmMs after the last profiled request, and the next profile starts it again', async () => {
      stopKeepingProfilerWarm()
      const app = appWith({ keepWarmMs: 50 })
      expect((await detailOf(app, '/warm-first?_dt_profile=1')).stats.startedWarm).toBe(false)
      expect(isProfilerWarm()).toBe(true)
      await vi.waitFor(() => expect(isProfilerWarm()).toBe(false), { timeout: 3000, interval: 20 })
      expect((await detailOf(app, '/warm-first?_dt_profile=1')).stats.startedWarm).toBe(false)
    })

    it('stops the profiler with each profile when keepWarmMs is 0', async () => {
      const app = appWith({ keepWarmMs: 0 })
      for (let i = 0; i < 2; i++) {
        expect((await detailOf(app, '/warm-first?_dt_profile=1')).stats).toMatchObject({ profiled: true, startedWarm: false })
        expect(isProfilerWarm()).toBe(false)
      }
    })

    it('rejects a keepWarmMs that is not a number of milliseconds >= 0', () => {
      expect(() => new ProfilingPanel({ keepWarmMs: -1 })).toThrow(/keepWarmMs must be a number of milliseconds >= 0, got -1/)
      expect(() => new ProfilingPanel({ keepWarmMs: Number.NaN })).toThrow(/keepWarmMs/)
    })

    it("starts V8's profiler when the toggle switches profiling on, so that the first profiled request does not pay its start", async () => {
      stopKeepingProfilerWarm()
      const app = appWith({ keepWarmMs: 20_000 })
      const started = await request(app, '/_debug_toolbar/api/profiler', { method: 'POST' })
      expect(started.status).toBe(200)
      const ahead = started.json()
      expect(ahead).toMatchObject({ running: true, keepWarmMs: 20_000 })
      expect(ahead.startCostMs).toBeGreaterThan(0)
      expect(isProfilerWarm()).toBe(true)
      // A request that did not ask is sampled meanwhile, and says so.
      expect((await detailOf(app, '/warm-first')).stats).toMatchObject({ requested: false, profilerRunning: true })
      // Asked again while it runs: nothing to start.
      expect((await request(app, '/_debug_toolbar/api/profiler', { method: 'POST' })).json()).toEqual({ running: true, keepWarmMs: 20_000 })
      const first = await detailOf(app, '/warm-second?_dt_profile=1')
      expect(first.stats).toMatchObject({ profiled: true, startedWarm: true })
      expect(first.stats.startCostMs!).toBeLessThan(ahead.startCostMs)
      const raw = (await request(app, `/_debug_toolbar${first.stats.download}`)).json()
      expect(timeOnStack(raw, 'secondHandler').samples).toBeGreaterThan(5)
    })

    it('stops it when the toggle switches profiling off, and the next profile starts it again', async () => {
      stopKeepingProfilerWarm()
      const app = appWith({})
      await request(app, '/_debug_toolbar/api/profiler', { method: 'POST' })
      expect(isProfilerWarm()).toBe(true)
      const stopped = await request(app, '/_debug_toolbar/api/profiler', { method: 'DELETE' })
      expect([stopped.status, stopped.json()]).toEqual([200, { running: false }])
      expect(isProfilerWarm()).toBe(false)
      expect((await detailOf(app, '/warm-first')).stats.profilerRunning).toBe(false)
      expect((await detailOf(app, '/warm-first?_dt_profile=1')).stats).toMatchObject({ profiled: true, startedWarm: false })
    })

    it('stops the profiler it started ahead keepWarmMs later when no profiled request came', async () => {
      stopKeepingProfilerWarm()
      const app = appWith({ keepWarmMs: 50 })
      expect((await request(app, '/_debug_toolbar/api/profiler', { method: 'POST' })).json().running).toBe(true)
      await vi.waitFor(() => expect(isProfilerWarm()).toBe(false), { timeout: 3000, interval: 20 })
    })

    it('leaves one profile keeping V8 running when the toggle and a profiled request start it together', async () => {
      stopKeepingProfilerWarm()
      // A second session sees every console profile start and end, as DevTools would.
      const observer = new Session()
      observer.connect()
      const open = new Set<string>()
      observer.on('Profiler.consoleProfileStarted', ({ params }) => open.add(params.title ?? ''))
      observer.on('Profiler.consoleProfileFinished', ({ params }) => open.delete(params.title ?? ''))
      await new Promise((resolve) => observer.post('Profiler.enable', resolve))
      try {
        const app = appWith({})
        for (let i = 0; i < 3; i++) {
          const [ahead, profiled] = await Promise.all([request(app, '/_debug_toolbar/api/profiler', { method: 'POST' }), detailOf(app, '/warm-first?_dt_profile=1')])
          expect(ahead.json().running).toBe(true)
          expect(profiled.stats.profiled).toBe(true)
          expect(isProfilerWarm()).toBe(true)
          expect([...open].filter((title) => title.startsWith('hono-debug-toolbar'))).toHaveLength(1)
          stopKeepingProfilerWarm()
          expect([...open]).toEqual([])
        }
      } finally {
        observer.disconnect()
      }
    })

    it('answers another method with 405 and the two it takes', async () => {
      const res = await request(appWith({}), '/_debug_toolbar/api/profiler')
      expect([res.status, res.headers.get('allow'), res.json()]).toEqual([405, 'POST, DELETE', { error: "GET is not allowed here: start V8's profiler with POST, stop it with DELETE" }])
      expect(isProfilerWarm()).toBe(false)
    })

    it('starts nothing ahead when keepWarmMs is 0, and says why', async () => {
      stopKeepingProfilerWarm()
      const app = appWith({ keepWarmMs: 0 })
      const res = await request(app, '/_debug_toolbar/api/profiler', { method: 'POST' })
      expect(res.json()).toEqual({ running: false, keepWarmMs: 0, reason: 'keepWarmMs is 0: each profiled request starts and stops the profiler itself' })
      expect(isProfilerWarm()).toBe(false)
    })

    it('lets no page of another site start or stop it', async () => {
      stopKeepingProfilerWarm()
      const app = appWith({})
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
      try {
        const res = await request(app, '/_debug_toolbar/api/profiler', { method: 'POST', headers: { origin: 'http://evil.example' } })
        expect(res.status).toBe(404)
        expect(isProfilerWarm()).toBe(false)
        await request(app, '/_debug_toolbar/api/profiler', { method: 'POST' })
        expect((await request(app, '/_debug_toolbar/api/profiler', { method: 'DELETE', headers: { origin: 'http://evil.example' } })).status).toBe(404)
        expect(isProfilerWarm()).toBe(true)
      } finally {
        warn.mockRestore()
      }
    })

    it('replaces the profile that keeps it running every 5 s, so that it never holds more than that of samples', async () => {
      stopKeepingProfilerWarm()
      // A second session sees the inspector's console profiles start and end, as DevTools would.
      const observer = new Session()
      observer.connect()
      const ended: Array<{ title: string; ms: number }> = []
      observer.on('Profiler.consoleProfileFinished', ({ params }) => ended.push({ title: params.title ?? '', ms: (params.profile.endTime - params.profile.startTime) / 1000 }))
      await new Promise((resolve) => observer.post('Profiler.enable', resolve))
      try {
        const app = appWith({ keepWarmMs: 20_000 })
        await detailOf(app, '/warm-first?_dt_profile=1')
        await vi.waitFor(() => expect(ended.length).toBeGreaterThan(0), { timeout: 9000, interval: 100 })
        expect(isProfilerWarm()).toBe(true)
        stopKeepingProfilerWarm()
        expect(ended.map((e) => e.title)).toEqual([expect.stringMatching(/^hono-debug-toolbar: keeps the profiler running/), expect.stringMatching(/^hono-debug-toolbar: keeps the profiler running/)])
        expect(ended[0]!.title).not.toBe(ended[1]!.title)
        // Each held about 5 s of samples at most.
        for (const { ms } of ended) expect(ms).toBeLessThan(7000)
      } finally {
        observer.disconnect()
      }
    }, 15_000)
  })
})
