import { AsyncLocalStorage } from 'node:async_hooks'
import { html } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import { currentRecord, slotKey, type RequestRecord } from '../core/record.js'
import { OPEN_SPAN_SLOT, SLOTS, type RecordedRender, type RenderLog } from '../shapes/records.js'
import { cutText, errorMessageOf } from '../core/cut-text.js'

/** Renders kept per request when no TemplatesPanel set a limit. */
export const DEFAULT_MAX_RENDERS = 1000

/**
 * The longest template name a render keeps (characters); a longer one is cut and says how
 * much it left out. The name is also the render's span name in exported traces.
 */
export const MAX_TEMPLATE_NAME_CHARS = 1024

interface ActiveRender {
  record: RequestRecord
  id: number
}

// The render running in this async context: a partial rendered by a layout finds its
// parent here, and a log line finds the render it was written in. Per async context, so
// concurrent requests (and concurrent renders in one request) never see each other's.
const activeRender = new AsyncLocalStorage<ActiveRender>()

const LIMIT_SLOT = slotKey<number>('templates.limit')

/**
 * Sets the renders this request's render log keeps: `limit` answers the TemplatesPanel's
 * `maxRenders` (made once per panel, so a request allocates nothing). The log itself is
 * made with the first render; renderTemplate falls back to the default limit.
 */
export function setRenderLimit(record: RequestRecord, limit: () => number): void {
  record.slot(LIMIT_SLOT, limit)
}

function newRenderLog(record: RequestRecord): RenderLog {
  return { renders: [], dropped: 0, maxRenders: record.peek(LIMIT_SLOT) ?? DEFAULT_MAX_RENDERS, nextId: 1 }
}

/** The id of the render running here (in the current request), if any. */
export function currentRenderId(): number | undefined {
  const active = activeRender.getStore()
  return active && active.record === currentRecord() ? active.id : undefined
}

/**
 * Times a template render, sync or async, into the current request (outside a request it
 * just calls `fn`). Renders started inside `fn` nest under this one, and an error thrown
 * (or a rejected promise) is recorded and rethrown. Returns what `fn` returns.
 *
 * @example
 * ```ts
 * import { renderTemplate } from 'hono-debug-toolbar'
 * app.get('/users', async (c) => {
 *   const page = await renderTemplate('users.eta', () => eta.renderAsync('users', { users }))
 *   return c.html(page)
 * })
 * ```
 */
export function renderTemplate<T>(name: string, fn: () => T): T {
  return timeRender(name, fn, undefined)
}

/**
 * `renderTemplate`, for a renderer whose result may be a body still to render as it is
 * sent (Hono's streamed jsxRenderer): when `sentLater(result)` says so, the render stays
 * open, marked `streamed`, until `endStreamedRenders` ends it with the response.
 */
export function renderStreamable<T>(name: string, fn: () => T, sentLater: (result: T) => boolean): T {
  return timeRender(name, fn, sentLater)
}

/**
 * Ends the streamed renders of `record` when its last byte was sent (the Templates panel
 * calls it when the request finishes).
 */
export function endStreamedRenders(record: RequestRecord): void {
  const log = record.peek(SLOTS.templates)
  if (!log || record.durationMs === undefined) return
  for (const render of log.renders) {
    if (render.streamed && render.durationMs === undefined) render.durationMs = record.durationMs - render.startMs
  }
}

function timeRender<T>(name: string, fn: () => T, sentLater: ((result: T) => boolean) | undefined): T {
  const record = currentRecord()
  if (!record) return fn()
  const log = record.slot(SLOTS.templates, () => newRenderLog(record))
  const id = log.nextId ?? log.renders.length + log.dropped + 1
  log.nextId = id + 1
  const render: RecordedRender = {
    id,
    name: cutText(String(name), MAX_TEMPLATE_NAME_CHARS),
    parentId: currentRenderId(),
    startMs: record.now(),
    durationMs: undefined,
    error: undefined,
  }
  const spanId = record.peek(OPEN_SPAN_SLOT)?.openSpanId()
  if (spanId !== undefined) render.spanId = spanId
  const kept = log.renders.length < (log.maxRenders ?? DEFAULT_MAX_RENDERS)
  // A render by work the request left running is told as it starts (so a panel can convert
  // it though it never ends), and again with its time once it has one.
  if (kept) {
    log.renders.push(render)
    record.wroteStart(SLOTS.templates, render)
  } else {
    log.dropped++
    record.wrote()
  }
  const end = (error?: unknown) => {
    render.durationMs = record.now() - render.startMs
    if (error !== undefined) render.error = errorMessageOf(error)
    if (kept) record.wrote(SLOTS.templates, render)
    else record.wrote()
  }
  let result: T
  try {
    result = activeRender.run({ record, id }, fn)
  } catch (error) {
    end(error ?? 'undefined was thrown')
    throw error
  }
  if (sentLater?.(result)) {
    render.streamed = true
    return result
  }
  if (isThenable(result)) {
    return result.then(
      (value) => {
        end()
        return value
      },
      (error: unknown) => {
        end(error ?? 'the promise was rejected with undefined')
        throw error
      },
    ) as T
  }
  end()
  return result
}

/**
 * Wraps a Hono JSX component so its render is timed as a template, children included.
 * Hono JSX is lazy: `<Users />` only builds a node, and the component runs when the page
 * is turned into a string. The wrapper renders the component's tree to a string right
 * away, inside the timing, so the figure is the real cost of that subtree and nested
 * timed components show as its children.
 *
 * @example
 * ```tsx
 * import { timedComponent } from 'hono-debug-toolbar'
 * const UserList = timedComponent('UserList', ({ users }: { users: User[] }) => (
 *   <ul>{users.map((u) => <li>{u.name}</li>)}</ul>
 * ))
 * app.get('/users', (c) => c.render(<UserList users={users} />))
 * ```
 */
export function timedComponent<P>(
  name: string,
  component: (props: P) => unknown,
): (props: P) => HtmlEscapedString | Promise<HtmlEscapedString> {
  return function TimedComponent(props: P) {
    return renderTemplate(name, () => {
      const node = component(props)
      return isThenable(node) ? Promise.resolve(node).then(toHtml) : toHtml(node)
    })
  }
}

// Hono's html tag escapes strings and stringifies JSX nodes (a promise for async ones),
// exactly as a JSX parent would have done with the component's result.
function toHtml(node: unknown): HtmlEscapedString | Promise<HtmlEscapedString> {
  return html`${node}`
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}
