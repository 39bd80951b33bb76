/** The policy the toolbar's own HTML pages send: only a page of their own origin may frame them. */
const FRAME_ANCESTORS_SELF = "frame-ancestors 'self'"

/**
 * Keeps a page of another site from showing one of the toolbar's own HTML pages in a frame
 * (clickjacking: a page that frames the debug pages under its own buttons, or reads what the
 * developer is led to click): sets `Content-Security-Policy: frame-ancestors 'self'` and
 * `X-Frame-Options: SAMEORIGIN` (for browsers without `frame-ancestors`), each only when
 * `headers` has none of its own, so an app's own policy on a debug error page stays as it is.
 * The toolbar itself is never framed (it lives in a shadow root of the app's page), so
 * `'self'` takes nothing from it.
 *
 * @example
 * ```ts
 * const headers = new Headers({ 'content-type': 'text/html; charset=UTF-8' })
 * denyForeignFraming(headers)
 * headers.get('x-frame-options') // 'SAMEORIGIN'
 * ```
 */
export function denyForeignFraming(headers: Headers): void {
  if (!headers.has('content-security-policy')) headers.set('Content-Security-Policy', FRAME_ANCESTORS_SELF)
  if (!headers.has('x-frame-options')) headers.set('X-Frame-Options', 'SAMEORIGIN')
}
