import type { Context } from 'hono'
import { injectIntoHtml } from './body.js'
import { callWrapped, wrapContextMethod } from './context-methods.js'
import { etagHashesPage } from './etag.js'
import type { RequestRecord } from './record.js'
import type { Toolbar } from './toolbar.js'

/**
 * Makes `c.html(string)` put the loader tag into the string before the Response exists, so
 * an HTML page the app wrote in one piece goes out as a plain in-memory body. Other HTML
 * (JSX, streams, a Response the app built) gets the tag as its bytes pass instead.
 * `c.html` becomes one function for every request (see context-methods.ts).
 *
 * @example
 * ```ts
 * injectHtmlStrings(c, record, toolbar, c.req.routeIndex) // then c.html('<body>Hi</body>') sends the page with the loader tag in it
 * ```
 */
export function injectHtmlStrings(c: Context, record: RequestRecord, toolbar: Toolbar, ownIndex: number): void {
  wrapContextMethod(c, 'html', HTML, htmlWithToolbar, new HtmlInjection(record, toolbar, ownIndex))
}

const HTML = Symbol('hono-debug-toolbar.html')

/**
 * What `c.html` needs of its request besides the context's own method: the record, the
 * toolbar that makes its tag, and the toolbar's place among the matched handlers.
 */
class HtmlInjection {
  constructor(
    readonly record: RequestRecord,
    readonly toolbar: Toolbar,
    readonly ownIndex: number,
  ) {}
}

function htmlWithToolbar(this: unknown, content: unknown, ...rest: unknown[]): unknown {
  return callWrapped<HtmlInjection, unknown>(this, HTML, 'c.html', (wrap, c) => {
    const html = wrap.original as (...args: unknown[]) => unknown
    const { record, toolbar, ownIndex } = wrap.state
    // Under hono/etag the page is hashed as the app wrote it: the tag goes in as its bytes pass.
    if (typeof content === 'string' && record.htmlInjected === undefined && !etagHashesPage(c, ownIndex, toolbar.app)) {
      const snippet = toolbar.snippet(c, record)
      const injected = injectIntoHtml(content, snippet)
      if (injected !== undefined) {
        record.htmlInjected = Buffer.byteLength(snippet)
        record.htmlBytes = Buffer.byteLength(content)
        const res = html(injected, ...rest)
        record.htmlResponse = res
        return res
      }
    }
    return html(content, ...rest)
  })
}

/**
 * Whether the toolbar puts its loader tag into `res` as its bytes pass: HTML, with no content
 * coding other than `identity`.
 *
 * @example
 * ```ts
 * isInjectable(new Response('<p>Hi</p>', { headers: { 'content-type': 'text/html; charset=UTF-8' } })) // true
 * isInjectable(new Response('{}', { headers: { 'content-type': 'application/json' } })) // false
 * ```
 */
export function isInjectable(res: Response): boolean {
  const headers = res.headers
  const type = headers.get('content-type')
  if (!type || !/^text\/html\b/i.test(type)) return false
  const encoding = headers.get('content-encoding')
  // Content codings are case-insensitive (RFC 9110, 8.4.1): Hono's streamed jsxRenderer sends `Identity`.
  return !encoding || encoding.trim().toLowerCase() === 'identity'
}
