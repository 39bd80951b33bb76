import type { Context } from 'hono'

/**
 * A body the toolbar re-wrapped (runtimes other than Node) that nothing has read yet, with
 * the context whose response it is. A middleware registered before the toolbar runs around
 * it: after `next()` it can answer another response (`c.res = new Response(...)`), or throw
 * so that `app.onError` answers. Hono then sends that response and drops the toolbar's
 * body unread, and only its end would have told the toolbar that the request is over.
 *
 * Nothing is checked on the request path: the toolbar looks at the bodies still unread
 * now and then (see `Toolbar.checkUnsent`), while there are any.
 *
 * @example
 * ```ts
 * const unsent = new UnsentBody(c, body)
 * // later, once the middleware around the toolbar returned:
 * const seen = unsent.check() // 'waiting' | 'reading' | the Response sent instead
 * ```
 */
export class UnsentBody {
  constructor(
    readonly c: Context,
    private readonly body: ReadableStream<Uint8Array>,
  ) {}

  /**
   * `'reading'` once something reads the body (the server, or a middleware that wraps it:
   * its end finishes the record); `'waiting'` while it is still the context's response and
   * unread; else the response that the context answers instead, whose body is not this one.
   */
  check(): 'waiting' | 'reading' | Response {
    if (this.body.locked) return 'reading'
    // A middleware that wraps the response keeps the same stream (`new Response(c.res.body, c.res)`).
    const answered = this.c.res
    return answered.body === this.body ? 'waiting' : answered
  }
}
