import { useState } from 'preact/hooks'
import type { CallTreeNode, FlameFrame, ProfilingStats } from '../../../src/panels/profiling.js'
import { sendJson } from '../toolbar-api.js'
import { PROFILE_COOKIE, type ProfilerAhead } from '../../../src/shapes/records.js'
import { unlocatedEntry } from '../../../src/shapes/v8-entries.js'
import { formatDuration, formatMs, plural } from '../format.js'
import { axisTicks, formatTick } from './time-axis.js'
import type { PanelProps } from '../types.js'

const FRAME_HEIGHT = 18
/** The keys that move the focus from a flame frame to the one before or after it. */
const FRAME_KEYS: Record<string, number> = { ArrowLeft: -1, ArrowUp: -1, ArrowRight: 1, ArrowDown: 1 }

/** The Profile panel: the toggle, the hottest functions, the call tree and a flame chart. */
export function ProfilingView({ stats, prefix }: PanelProps<ProfilingStats>) {
  return (
    <div class="hdt-profiling">
      <ProfileToggle prefix={prefix} />
      <p class="hdt-muted">
        The V8 profiler samples the whole main thread, so requests served at the same time show in this profile too; one request is profiled at a
        time. Starting the profiler takes milliseconds, and much more the first time in a process, while V8 sets the profiler up: the toggle starts it
        when it switches profiling on, and it keeps running for a while after that and after each profiled request (every request is sampled
        meanwhile), so that the next profiled request starts it at no cost
        {stats.startCostMs !== undefined &&
          (stats.startedWarm ? (
            <> — starting it took {formatMs(stats.startCostMs)} here: it was running already</>
          ) : (
            <> — starting it took {formatMs(stats.startCostMs)} here</>
          ))}
        .
      </p>
      {stats.skipped !== undefined && (
        <p>
          <span class="hdt-badge hdt-badge-warn">no profile</span> {stats.skipped}
        </p>
      )}
      {!stats.requested && (
        <p>
          This request was not profiled. Ask with <code>?_dt_profile=1</code>, the header <code>X-Debug-Toolbar-Profile: 1</code>, or the toggle above.
          {stats.profilerRunning && (
            <>
              {' '}
              V8&apos;s profiler was running while it was served (another request was profiled, or the profiler was kept running after one or started by
              the Profile panel&apos;s toggle), so its times include the sampler&apos;s cost.
            </>
          )}
        </p>
      )}
      {stats.profiled && <Profile stats={stats} prefix={prefix} />}
    </div>
  )
}

function Profile({ stats, prefix }: { stats: ProfilingStats; prefix: string }) {
  return (
    <>
      <p>
        {plural(stats.samples, 'sample', 'samples')} over {formatMs(stats.totalMs)}, <SampleRate stats={stats} />, from {formatMs(stats.startMs)} into the request
        {stats.startErrorMs !== undefined && <span class="hdt-muted"> (± {formatMs(stats.startErrorMs)})</span>}.{' '}
        {stats.download && (
          <a href={`${prefix}${stats.download}`} download>
            Download .cpuprofile
          </a>
        )}{' '}
        <span class="hdt-muted">(opens in Chrome DevTools' Performance panel and speedscope)</span>
      </p>
      <h2 class="hdt-section-title">Flame chart</h2>
      <FlameChart frames={stats.flame} startMs={stats.startMs ?? 0} totalMs={stats.totalMs ?? 0} />
      <h2 class="hdt-section-title">Hottest functions</h2>
      <table class="hdt-table hdt-hot">
        <thead>
          <tr>
            <th>Function</th>
            <th>Location</th>
            <th class="hdt-num">Self</th>
            <th class="hdt-num">Total</th>
          </tr>
        </thead>
        <tbody>
          {stats.topFunctions.map((fn, i) => (
            <tr key={i}>
              <td>
                <code>{fn.name}</code>
              </td>
              <td class="hdt-muted hdt-location">{fn.location || <Unlocated name={fn.name} />}</td>
              <td class="hdt-num">
                {formatMs(fn.selfMs)} <span class="hdt-muted">{percent(fn.selfMs, stats.totalMs)}</span>
              </td>
              <td class="hdt-num">
                {formatMs(fn.totalMs)} <span class="hdt-muted">{percent(fn.totalMs, stats.totalMs)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2 class="hdt-section-title">Call tree</h2>
      <div class="hdt-call-tree">
        {stats.callTree.map((node, i) => (
          <CallTree key={i} node={node} depth={0} totalMs={stats.totalMs ?? 0} />
        ))}
      </div>
      {stats.omitted > 0 && <p class="hdt-muted">{stats.omitted} nodes and frames under 0.1% of the profile are left out.</p>}
    </>
  )
}

/**
 * How often V8 sampled, on average, beside the interval it was asked for: an idle thread or a
 * busy machine gets far fewer samples than asked ("3 samples over 266 ms" is not one per
 * 100 µs), and the profile's figures are only as fine as the samples.
 */
function SampleRate({ stats }: { stats: ProfilingStats }) {
  const asked = formatDuration(stats.samplingIntervalUs * 1e3)
  if (!stats.samples || !stats.totalMs) return <>asked for every {asked}</>
  return (
    <>
      one every {formatMs(stats.totalMs / stats.samples)} on average <span class="hdt-muted">(asked for every {asked})</span>
    </>
  )
}

/** What an entry with no location stands for, where its location would be (`src/shapes/v8-entries.ts`). */
function Unlocated({ name }: { name: string }) {
  const entry = unlocatedEntry(name)
  return <span title={entry.title}>{entry.text}</span>
}

function CallTree({ node, depth, totalMs }: { node: CallTreeNode; depth: number; totalMs: number }) {
  const label = (
    <>
      <span class="hdt-num hdt-tree-time">{formatMs(node.totalMs)}</span> <span class="hdt-muted hdt-tree-time">{formatMs(node.selfMs)} self</span>{' '}
      <code>{node.name}</code> <span class="hdt-muted hdt-location">{node.location || <Unlocated name={node.name} />}</span>
    </>
  )
  if (node.children.length === 0) return <div class="hdt-tree-leaf">{label}</div>
  return (
    <details open={depth < 4 && node.totalMs >= totalMs * 0.05}>
      <summary>{label}</summary>
      <div class="hdt-tree-children">
        {node.children.map((child, i) => (
          <CallTree key={i} node={child} depth={depth + 1} totalMs={totalMs} />
        ))}
      </div>
    </details>
  )
}

/**
 * Frames placed by time (left to right) and stack depth (top to bottom), with a time axis.
 * A frame is a button: picking it (click, or Enter on it) zooms the chart onto its stretch,
 * where what it called has room for its name, as in Chrome DevTools and speedscope;
 * "Whole profile" or Esc zooms out. The chart is one tab stop; the arrow keys move between frames.
 */
function FlameChart({ frames, startMs, totalMs }: { frames: FlameFrame[]; startMs: number; totalMs: number }) {
  const [picked, setZoom] = useState<FlameFrame | undefined>()
  // A frame picked in another request's profile does not zoom this one.
  const zoom = picked && frames.includes(picked) ? picked : undefined
  if (frames.length === 0 || totalMs <= 0) return <p class="hdt-muted">No frames: the main thread was idle while profiling.</p>
  const depth = Math.max(...frames.map((f) => f.depth)) + 1
  const fromMs = zoom ? zoom.startMs : startMs
  const spanMs = zoom ? zoom.durationMs : totalMs
  const toMs = fromMs + spanMs
  const shown = zoom ? frames.filter((f) => f.startMs < toMs && f.startMs + f.durationMs > fromMs) : frames
  const ticks = flameTicks(fromMs, spanMs)
  const at = (ms: number) => ((Math.min(Math.max(ms, fromMs), toMs) - fromMs) / spanMs) * 100
  const onKeyDown = (event: KeyboardEvent) => {
    const step = FRAME_KEYS[event.key]
    const frame = event.target as HTMLElement
    if (step && frame.classList.contains('hdt-flame-frame')) {
      // One tab stop for the whole chart (it can hold thousands of frames); arrows go through them.
      const next = (step > 0 ? frame.nextElementSibling : frame.previousElementSibling) as HTMLElement | null
      event.preventDefault()
      next?.focus()
      return
    }
    if (event.key !== 'Escape' || !zoom) return
    // Esc zooms out before it closes the pane.
    event.preventDefault()
    setZoom(undefined)
  }
  const tabStop = zoom ?? shown[0]
  return (
    <div class="hdt-flame" onKeyDown={onKeyDown}>
      {zoom && (
        <div class="hdt-toolbar-row">
          <button type="button" onClick={() => setZoom(undefined)}>
            Whole profile
          </button>
          <span class="hdt-muted">
            <code>{zoom.name}</code>, {formatMs(zoom.durationMs)} from {formatMs(zoom.startMs)}
          </span>
        </div>
      )}
      <div class="hdt-flame-axis">
        {ticks.map(({ atMs, label }) => {
          const left = at(atMs)
          // A label near an edge is drawn beside its tick, on the inner side, rather than cut.
          return (
            <span key={atMs} class={left > 92 ? 'hdt-flame-tick-end' : left < 8 ? 'hdt-flame-tick-start' : undefined} style={{ left: `${left}%` }}>
              {label}
            </span>
          )
        })}
      </div>
      <div class="hdt-flame-frames" style={{ height: `${depth * FRAME_HEIGHT}px` }}>
        {shown.map((frame) => {
          const left = at(frame.startMs)
          const what = `${frame.name} ${frame.location}`.trim()
          const when = `${formatMs(frame.durationMs)} from ${formatMs(frame.startMs)}`
          return (
            <button
              key={`${frame.depth}:${frame.startMs}`}
              type="button"
              class="hdt-flame-frame"
              tabIndex={frame === tabStop ? 0 : -1}
              aria-label={`${what}, ${when}`}
              title={`${what}\n${when}`}
              onClick={() => setZoom(frame)}
              style={{
                left: `${left}%`,
                width: `${at(frame.startMs + frame.durationMs) - left}%`,
                top: `${frame.depth * FRAME_HEIGHT}px`,
                height: `${FRAME_HEIGHT - 1}px`,
              }}
            >
              {frame.name}
            </button>
          )
        })}
      </div>
    </div>
  )
}

/**
 * The flame chart's ticks: round times of the request (`100 ms, 200 ms`, as the waterfall's
 * axis) inside the profiled stretch, which starts where the profiler did. At least two: a
 * step of half the stretch or more can leave one tick in it (850 ms from 3 ms: only
 * `500 ms`), which gives no scale, so a finer step is taken then.
 */
function flameTicks(startMs: number, totalMs: number): Array<{ atMs: number; label: string }> {
  const ticks = ticksEvery(axisTicks(totalMs * 1e6, 4)[1] ?? totalMs * 1e6, startMs, totalMs)
  return ticks.length >= 2 ? ticks : ticksEvery(axisTicks(totalMs * 1e6, 8)[1] ?? totalMs * 1e6, startMs, totalMs)
}

function ticksEvery(stepNs: number, startMs: number, totalMs: number): Array<{ atMs: number; label: string }> {
  const step = stepNs / 1e6
  const endMs = startMs + totalMs
  const ticks: Array<{ atMs: number; label: string }> = []
  for (let i = Math.ceil(startMs / step - 1e-9); i * step <= endMs * (1 + 1e-9); i++) {
    ticks.push({ atMs: i * step, label: formatTick(i * stepNs, stepNs, endMs * 1e6) })
  }
  return ticks
}

/** What the server answered when the toggle switched profiling on (`POST {prefix}/api/profiler`) or off (`DELETE`). */
type ProfilerAnswer = { on: boolean } & ({ state: 'asking' } | { state: 'answered'; ahead: ProfilerAhead } | { state: 'failed'; message: string })

/**
 * Sets or clears the cookie that asks the server to profile this browser's requests, and
 * has the server start V8's profiler now (so that the next profiled request does not pay
 * its setup) or stop it (so that the requests that follow are not sampled).
 */
function ProfileToggle({ prefix }: { prefix: string }) {
  const [on, setOn] = useState(() => readCookie() === '1')
  const [answer, setAnswer] = useState<ProfilerAnswer | undefined>()
  const flip = () => {
    const next = !on
    document.cookie = next ? `${PROFILE_COOKIE}=1; path=/; SameSite=Lax` : `${PROFILE_COOKIE}=; path=/; max-age=0; SameSite=Lax`
    setOn(next)
    setAnswer({ on: next, state: 'asking' })
    // An answer for the other position (the toggle flipped again meanwhile) is not shown.
    const answered = (made: ProfilerAnswer) => setAnswer((current) => (current?.on === next ? made : current))
    sendJson<ProfilerAhead>(next ? 'POST' : 'DELETE', `${prefix}/api/profiler`).then(
      (ahead) => answered({ on: next, state: 'answered', ahead }),
      (error: unknown) => answered({ on: next, state: 'failed', message: error instanceof Error ? error.message : String(error) }),
    )
  }
  return (
    <div class="hdt-toolbar-row">
      <button type="button" onClick={flip} aria-pressed={on}>
        {on ? 'Stop profiling my requests' : 'Profile my requests'}
      </button>
      <span class="hdt-muted hdt-profile-toggle-status" role="status">
        {on ? <ToggleOn answer={answer} /> : <ToggleOff answer={answer} />}
      </span>
    </div>
  )
}

function ToggleOn({ answer }: { answer: ProfilerAnswer | undefined }) {
  // Switched on before this page was loaded: its request asked for a profile, as the next ones will.
  if (!answer) return <>On: this browser&apos;s requests are profiled.</>
  if (answer.state === 'asking') return <>On: starting V8&apos;s profiler…</>
  if (answer.state === 'failed') return <>On: reload the page to profile it (V8&apos;s profiler could not be started ahead: {answer.message}).</>
  const { ahead } = answer
  if (!ahead.running) return <>On: reload the page to profile it ({ahead.reason}).</>
  const keeps = `it keeps running for ${ahead.keepWarmMs % 1000 === 0 ? `${ahead.keepWarmMs / 1000} s` : formatMs(ahead.keepWarmMs)} without a profiled request`
  return ahead.startCostMs === undefined ? (
    <>On: V8&apos;s profiler was running already and {keeps}: reload the page to profile it.</>
  ) : (
    <>
      On: V8&apos;s profiler started now, in {formatMs(ahead.startCostMs)} that the next profiled request will not pay, and {keeps}: reload the page to profile it.
    </>
  )
}

function ToggleOff({ answer }: { answer: ProfilerAnswer | undefined }) {
  if (answer?.state !== 'failed') return <>Off.</>
  return <>Off. V8&apos;s profiler could not be stopped now ({answer.message}): it stops on its own, a while after the last profiled request.</>
}

function readCookie(): string | undefined {
  if (typeof document === 'undefined') return undefined
  return document.cookie
    .split(';')
    .map((part) => part.trim().split('='))
    .find(([name]) => name === PROFILE_COOKIE)?.[1]
}

function percent(ms: number, totalMs: number | undefined): string {
  return totalMs ? `${((ms / totalMs) * 100).toFixed(1)}%` : ''
}
