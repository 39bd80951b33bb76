/**
 * The debug error page: what a developer's browser gets instead of Hono's plain-text
 * "Internal Server Error" when a recorded request fails and the app has no `onError` of its
 * own. Nothing here runs unless the handler threw (`c.error` is set): a request that does
 * not fail pays for none of it. What is recognised, and why, is in specs/error-page.md.
 */
import { Hono, type Context } from 'hono'
import { pathToFileURL } from 'node:url'
import { join } from 'node:path'
import type { VNode } from 'preact'
import { renderToString } from 'preact-render-to-string'
import type { ErrorEntry, ErrorReport, StackFrame } from '../shapes/error-report.js'
import { injectIntoHtml } from './body.js'
import { denyForeignFraming } from './framing.js'
import { cutError, cutText, errorNaming, MAX_ERROR_CHARS, thrownText } from './cut-text.js'
import { packageRoot } from './package-root.js'
import type { RequestRecord } from './record.js'
import { redactText } from './redact-text.js'
import { frameExcerpt, frameInCodeLocation } from './code-location.js'
import type { ErrorPageView } from './views.js'

/** The body of Hono's default error response (`c.text('Internal Server Error', 500)`). */
const DEFAULT_BODY = 'Internal Server Error'
/** The content type of Hono's default answers, as `c.text()` writes it. */
const DEFAULT_TYPE = 'text/plain; charset=UTF-8'
/** How many causes of an error the page shows; the others are counted, up to `MAX_CAUSES_COUNTED`. */
const MAX_CAUSES = 8
const MAX_CAUSES_COUNTED = 1000
/** How many of an `AggregateError`'s errors the page lists; the others are counted. */
const MAX_AGGREGATED = 8

/**
 * Decides which failed requests get the error page, and makes it. Made once per toolbar
 * (unless `errorPage: false`), with the view the package entry hands to core.
 *
 * @example
 * ```ts
 * const pages = new ErrorPages('/_debug_toolbar', serverViews.errorPage!, app)
 * if (c.error !== undefined && (await pages.answers(c, record))) {
 *   const { response } = pages.response(c, record, nonce, loaderTag(prefix, record.id, version, nonce))
 *   c.res = undefined
 *   c.res = response
 * }
 * ```
 */
export class ErrorPages {
  /** Hono's default error handler, one function shared by every app. */
  private readonly defaultHandler: unknown
  private readonly libraryPaths: string[]

  constructor(
    private readonly prefix: string,
    private readonly view: ErrorPageView,
    private readonly app?: unknown,
  ) {
    this.defaultHandler = handlerOf(new Hono())
    // The toolbar's own frames (its middleware runs around every handler) are not the app's,
    // also when it runs from a checkout rather than from node_modules.
    const root = packageRoot()
    this.libraryPaths = [join(root, 'src'), join(root, 'dist', 'src')].flatMap((dir) => [`${dir}/`, `${pathToFileURL(dir).href}/`])
  }

  /**
   * Whether the response of the failed request `c` is Hono's default error response, for a
   * page load: then the page replaces it. Reads the body (21 bytes) only when its status,
   * type and length already say it may be that response.
   */
  async answers(c: Context, record: RequestRecord): Promise<boolean> {
    const error = c.error
    // Hono's default handler answers an HTTPException (anything with getResponse) with the
    // response the app chose by throwing it.
    if (error === undefined || this.appHandlesErrors() || 'getResponse' in error) return false
    return isPageLoad(record) && isHonoText(c.res, 500, DEFAULT_BODY)
  }

  /**
   * Whether the app passed as `app` has an `onError` of its own: it then answers every error,
   * also one it answers with the same text as Hono's default. Read when a request failed:
   * `app.onError()` is often called after `app.use(debugToolbar({ app }))`.
   */
  private appHandlesErrors(): boolean {
    const own = handlerOf(this.app)
    return own !== undefined && own !== this.defaultHandler
  }

  /**
   * The error page for `record`'s failure, with the loader tag `tag` in it, as a response
   * that keeps the status and the headers of the one it replaces (a CSP set by a middleware,
   * cookies), but not their content type and length.
   */
  response(c: Context, record: RequestRecord, nonce: string | undefined, tag: string): { response: Response; pageBytes: number } {
    return pageResponse(c, this.view.render(this.report(c.error!, record, nonce)), tag)
  }

  /** What the page shows of `error` and its request. */
  report(error: Error, record: RequestRecord, nonce: string | undefined): ErrorReport {
    const { entries, leftOut } = this.causesOf(error)
    return {
      status: record.status ?? 500,
      method: record.method,
      path: record.path,
      route: record.route,
      requestId: record.id,
      prefix: this.prefix,
      nonce,
      error: this.entryOf(error),
      causes: entries,
      causesLeftOut: leftOut,
    }
  }

  /** `error.cause`, its cause and so on, nearest first: `MAX_CAUSES` of them, the rest counted; a cycle ends the chain. */
  private causesOf(error: Error): { entries: ErrorEntry[]; leftOut: number } {
    const entries: ErrorEntry[] = []
    const seen = new Set<unknown>([error])
    let leftOut = 0
    let current: unknown = error
    for (let depth = 0; depth < MAX_CAUSES_COUNTED; depth++) {
      const cause = typeof current === 'object' && current !== null ? (current as { cause?: unknown }).cause : undefined
      if (cause === undefined || seen.has(cause)) break
      seen.add(cause)
      if (entries.length < MAX_CAUSES) entries.push(cause instanceof Error ? this.entryOf(cause) : thrownEntry(cause))
      else leftOut++
      current = cause
    }
    return { entries, leftOut }
  }

  /** An error named as the Request panel names it (`errorNaming`), its message redacted, its stack as frames. */
  private entryOf(error: Error, listErrors = true): ErrorEntry {
    const { name } = errorNaming(error)
    const { message, stack } = cutError(error)
    const entry: ErrorEntry = { name, message: redactText(message), frames: [] }
    // Its message ("All promises were rejected") says nothing of why: its errors do.
    if (listErrors && error instanceof AggregateError && Array.isArray(error.errors) && error.errors.length > 0) {
      const listed: unknown[] = error.errors.slice(0, MAX_AGGREGATED)
      entry.errors = listed.map((inner) => (inner instanceof Error ? this.entryOf(inner, false) : thrownEntry(inner)))
      entry.errorsLeftOut = error.errors.length - listed.length
    }
    if (stack === undefined) return entry
    // V8's frames follow the name and message: a line of the message that starts with `at `
    // (`at line 3: password=...`) is shown, redacted, with the message, not as a frame.
    const head = message ? `${name}: ${message}` : name
    const frames = stack.startsWith(head) ? stack.slice(head.length) : stack
    let excerpts = 0
    for (const line of frames.split('\n')) {
      const text = line.trim()
      if (!text.startsWith('at ')) continue
      const frame = this.frameOf(text)
      // Django's error page shows the code around the app's first frames: so does this one.
      if (frame.own && excerpts < MAX_EXCERPTS) {
        const source = frameExcerpt(text, EXCERPT_LINES)
        if (source) {
          excerpts++
          // Source code may hold a hard-coded secret: its lines are redacted as messages are.
          frame.source = source.map((l) => ({ ...l, text: redactText(l.text) }))
        }
      }
      entry.frames.push(frame)
    }
    // A stack the app wrote itself, with no frame of V8's: shown as it is, its secrets redacted.
    if (entry.frames.length === 0 && stack.includes('\n')) entry.rawStack = redactText(stack)
    return entry
  }

  /** A frame, told the app's own or not from V8's text, shown with its location in the one form. */
  private frameOf(text: string): StackFrame {
    const library = LIBRARY_FRAME.test(text) || this.libraryPaths.some((path) => text.includes(path))
    return { text: frameInCodeLocation(text), own: !library }
  }
}

/** The app's own frames of an error shown with the source around them, the first ones. */
const MAX_EXCERPTS = 3
/** Source lines shown before and after a frame's line. */
const EXCERPT_LINES = 2

/** A cause or aggregated error that is not an Error: its text, redacted, with no name and no stack. */
function thrownEntry(value: unknown): ErrorEntry {
  return { name: '', message: redactText(cutText(thrownText(value), MAX_ERROR_CHARS)), frames: [] }
}

/**
 * The handler `app.onError()` set (Hono keeps it as `errorHandler`). Not in Hono's types, so
 * read defensively: undefined when it cannot be known, and the response alone decides.
 */
function handlerOf(app: unknown): unknown {
  return (app as { errorHandler?: unknown } | undefined)?.errorHandler
}

/** A frame in a dependency, in Node itself, or with no file of its own (`new Promise (<anonymous>)`). */
const LIBRARY_FRAME = /[\\/]node_modules[\\/]|[( ]node:|[( ]internal\/|\(<anonymous>\)$|^at <anonymous>$|\(native\)$/

/**
 * Whether the request is a page load: its `Accept` names `text/html` (a `fetch()` sends `*\/*`).
 *
 * @example
 * ```ts
 * isPageLoad(record) // true for a browser's navigation, false for curl or fetch('/api')
 * ```
 */
export function isPageLoad(record: RequestRecord): boolean {
  return /\btext\/html\b/i.test(record.requestHeader('accept') ?? '')
}

/**
 * Whether `res` is one of Hono's default plain-text answers exactly: `status`, the type
 * `c.text()` writes, a content-length (if any) of `body`'s, and `body`. The body is read
 * (from a copy) only once the rest matched.
 *
 * @example
 * ```ts
 * await isHonoText(c.res, 404, '404 Not Found') // Hono's default notFound answered
 * ```
 */
export async function isHonoText(res: Response, status: number, body: string): Promise<boolean> {
  if (res.status !== status || res.headers.get('content-type') !== DEFAULT_TYPE) return false
  const length = res.headers.get('content-length')
  if (length !== null && length !== String(Buffer.byteLength(body))) return false
  return bodyIs(res, body)
}

/**
 * A debug page (`view`, rendered) in place of `c.res`, with the loader tag `tag` in it: the
 * status and the headers of the response it replaces (a CSP set by a middleware, cookies)
 * are kept, but not their content type and length. Without a CSP or `X-Frame-Options` of the
 * app's, the page gets the toolbar's (`frame-ancestors 'self'`, `SAMEORIGIN`). `pageBytes`: the page without the tag.
 *
 * @example
 * ```ts
 * const { response } = pageResponse(c, ErrorPage(report), loaderTag(prefix, record.id, version))
 * ```
 */
export function pageResponse(c: Context, view: VNode, tag: string): { response: Response; pageBytes: number } {
  const page = `<!doctype html>${renderToString(view)}`
  const headers = new Headers(c.res.headers)
  headers.delete('content-length')
  headers.set('content-type', 'text/html; charset=UTF-8')
  // The page shows the app's stack or routes: no other site may frame it, unless the app said otherwise.
  denyForeignFraming(headers)
  // The views' pages always end with </body>.
  const body = injectIntoHtml(page, tag) ?? page + tag
  return { response: new Response(body, { status: c.res.status, headers }), pageBytes: Buffer.byteLength(page) }
}

/**
 * Whether `res`'s body is `expected`, read from a copy: the response itself stays whole for
 * the client when it is not. A stream is read only as long as what came could still be
 * `expected`, so a slow stream of another body is not waited on.
 */
async function bodyIs(res: Response, expected: string): Promise<boolean> {
  const body = res.clone().body
  if (!body) return false
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return text + decoder.decode() === expected
      text += decoder.decode(value, { stream: true })
      if (!expected.startsWith(text)) return false
    }
  } catch {
    // A body that fails is not Hono's string.
    return false
  } finally {
    reader.cancel().catch(() => {})
  }
}
