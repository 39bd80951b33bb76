/**
 * The response header that names the recorded request: the toolbar's loader and tests read
 * the request's id from it.
 *
 * @example
 * ```ts
 * const res = await app.request('/users/1')
 * res.headers.get(REQUEST_ID_HEADER) // the id to open at /_debug_toolbar/api/requests/:id
 * ```
 */
export const REQUEST_ID_HEADER = 'X-Debug-Toolbar-Request-Id'
