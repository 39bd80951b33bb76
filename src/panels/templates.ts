import type { Context } from 'hono'
import { routePath } from 'hono/route'
import { Panel, type ServerTimingMetric } from '../core/panel.js'
import { currentRecord, type RequestRecord } from '../core/record.js'
import { redactText } from '../core/redact-text.js'
import { callWrapped, wrapContextMethod } from '../core/context-methods.js'
import { SERVER_TIMING_PREFIX } from '../core/server-timing.js'
import { DEFAULT_MAX_RENDERS, endStreamedRenders, renderStreamable, setRenderLimit } from '../recorders/templates.js'
import { SLOTS } from '../shapes/records.js'

export interface TemplatesOptions {
  /** Renders kept per request; the rest are counted as dropped. Default 1000. */
  maxRenders?: number
}

/** One render as the panel shows it, with its depth in the tree of renders. */
export interface TemplateRender {
  id: number
  name: string
  parentId: number | undefined
  /** 0 for a render no other render started. */
  depth: number
  /** Milliseconds from the request start. */
  startMs: number
  /** Undefined when the render had not finished (a streamed page still being sent). */
  durationMs: number | undefined
  error: string | undefined
  /** The page rendered while it was sent (streamed jsxRenderer): it lasts until the last byte. */
  streamed?: true
}

export interface TemplatesStats {
  /** In start order; a parent always comes before its children. */
  renders: TemplateRender[]
  dropped: number
  /** Wall-clock time with at least one render running (overlapping renders counted once). */
  totalMs: number
}

/**
 * Template renders: `renderTemplate(name, fn)`, components wrapped with
 * `timedComponent()`, and every `c.render()` (Hono's jsxRenderer or a renderer set with
 * `c.setRenderer`), nested as a tree when a layout renders partials.
 *
 * @example
 * ```ts
 * app.use(debugToolbar({ panels: [...defaultPanels().filter((p) => p.id !== 'templates'), new TemplatesPanel({ maxRenders: 100 })] }))
 * ```
 */
export class TemplatesPanel extends Panel<TemplatesStats> {
  readonly id = 'templates'
  readonly title = 'Templates'
  private readonly maxRenders: number
  /** Handed to each request (one function per panel, nothing made per request). */
  private readonly limit = () => this.maxRenders

  constructor(options: TemplatesOptions = {}) {
    super()
    this.maxRenders = options.maxRenders ?? DEFAULT_MAX_RENDERS
    if (!Number.isInteger(this.maxRenders) || this.maxRenders < 0) {
      throw new TypeError(`TemplatesPanel: maxRenders must be a whole number >= 0, got ${options.maxRenders}`)
    }
  }

  /**
   * Hands the request its bound (`maxRenders`) and times its `c.render()` calls.
   *
   * @example
   * ```ts
   * app.use(jsxRenderer(({ children }) => <html><body>{children}</body></html>))
   * // the toolbar calls panel.onRequest(record, c) before the handler: this render is timed
   * app.get('/', (c) => c.render(<h1>Hello</h1>))
   * ```
   */
  onRequest(record: RequestRecord, c: Context): void {
    setRenderLimit(record, this.limit)
    // c.render is a property of this request's context: wrapping it here times whatever
    // renderer jsxRenderer or c.setRenderer installs, for this request only, without
    // touching Hono itself. One wrapper for every request (see core/context-methods.ts).
    wrapContextMethod(c, 'render', RENDER, timedRender, undefined)
  }

  /**
   * Ends the renders of a streamed page when its last byte has been sent.
   *
   * @example
   * ```ts
   * app.get('/feed', (c) => c.render(<Suspense fallback="…"><Feed /></Suspense>)) // jsxRenderer({ stream: true })
   * // the toolbar calls panel.onFinish(record) after the last chunk: the render lasts until then
   * ```
   */
  onFinish(record: RequestRecord): void {
    endStreamedRenders(record)
  }

  /**
   * The request's renders as a tree (depth, parent), with their busy time.
   *
   * @example
   * ```ts
   * await renderTemplate('layout', () => renderTemplate('user-card', () => card(user)))
   * const stats = panel.generateStats(record)
   * stats.renders.map((r) => `${'  '.repeat(r.depth)}${r.name}`) // ['layout', '  user-card']
   * stats.totalMs // time with a render running, overlaps counted once
   * ```
   */
  generateStats(record: RequestRecord): TemplatesStats {
    const log = record.peek(SLOTS.templates)
    const depths = new Map<number, number>()
    const renders = (log?.renders ?? []).map((r): TemplateRender => {
      const depth = r.parentId === undefined ? 0 : (depths.get(r.parentId) ?? -1) + 1
      depths.set(r.id, depth)
      const render: TemplateRender = { id: r.id, name: r.name, parentId: r.parentId, depth, startMs: r.startMs, durationMs: r.durationMs, error: r.error === undefined ? undefined : redactText(r.error) }
      if (r.streamed) render.streamed = true
      return render
    })
    return { renders, dropped: log?.dropped ?? 0, totalMs: busyTime(renders, record.now()) }
  }

  /**
   * The line under "Templates" in the panel list.
   *
   * @example
   * ```ts
   * panel.navSubtitle(panel.generateStats(record)) // '2 renders', 'No renders'
   * ```
   */
  navSubtitle(stats: TemplatesStats): string {
    const count = stats.renders.length + stats.dropped
    // As the SQL panel says 'No queries': a zero reads as a figure to look into.
    if (count === 0) return 'No renders'
    return `${count} ${count === 1 ? 'render' : 'renders'}`
  }

  /**
   * The `hdt-templates` entry of the response's `Server-Timing` header, when something rendered.
   *
   * @example
   * ```ts
   * panel.serverTiming(record) // [{ name: 'hdt-templates', dur: 2.3, desc: '2 renders' }]
   * ```
   */
  serverTiming(record: RequestRecord): ServerTimingMetric[] {
    const log = record.peek(SLOTS.templates)
    if (!log || (log.renders.length === 0 && log.dropped === 0)) return []
    const stats = this.generateStats(record)
    const count = stats.renders.length + stats.dropped
    return count ? [{ name: `${SERVER_TIMING_PREFIX}templates`, dur: stats.totalMs, desc: `${count} ${count === 1 ? 'render' : 'renders'}` }] : []
  }
}

const RENDER = Symbol('hono-debug-toolbar.render')

/** `c.render` of every recorded request: the context's own renderer, timed as one render. */
function timedRender(this: unknown, ...args: Parameters<Context['render']>): ReturnType<Context['render']> {
  return callWrapped<undefined, ReturnType<Context['render']>>(this, RENDER, 'c.render', (wrap, c, nested) => {
    const render = wrap.original as Context['render']
    // A second toolbar's panel on the same request: the render is being timed already.
    if (nested) return render(...args)
    return renderStreamable(`c.render ${routePath(c) || c.req.path}`, () => render(...args), isStreamedPage)
  })
}

/**
 * A page that renders as it is sent: what jsxRenderer's `stream: true` answers (a chunked
 * body, its components run as the stream is read). A page `c.html()` made from a string is
 * whole, and its headers stay unread (reading them makes Node's fast path build a Headers);
 * the toolbar reads the headers of the other HTML responses anyway.
 */
function isStreamedPage(result: unknown): boolean {
  if (!(result instanceof Response) || currentRecord()?.htmlResponse === result) return false
  return result.headers.get('transfer-encoding') === 'chunked'
}

/** The length of the union of the renders' intervals; a running render counts until `now`. */
function busyTime(renders: TemplateRender[], now: number): number {
  const spans = renders.map((r) => [r.startMs, r.startMs + (r.durationMs ?? Math.max(0, now - r.startMs))] as const).sort((a, b) => a[0] - b[0])
  let total = 0
  let end = -Infinity
  for (const [start, stop] of spans) {
    if (stop <= end) continue
    total += stop - Math.max(start, end)
    end = stop
  }
  return total
}
