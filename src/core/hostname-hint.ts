/**
 * A developer who opens the app at a name of their own (`http://myapp.test:3000/`, from
 * /etc/hosts) sees the app's pages but no toolbar: its routes answer only at names another
 * site's DNS cannot re-point (see `hostnameMatcher`). The middleware says so on the console,
 * once per name, when it refuses a toolbar route for its name, and only then: other requests
 * pay nothing.
 */

/** Names warned about, at most: a server reached at many names (a scan) stops warning. */
const MAX_WARNED_NAMES = 20
/** Characters of a name shown, at most. */
const MAX_NAME_CHARS = 100

/**
 * The console line for a request to the toolbar's routes that came to `hostname`, a name
 * they do not answer at: the name (control characters taken out, cut at 100 characters),
 * where the toolbar answers, and the option that adds it.
 *
 * @example
 * ```ts
 * unansweredNameWarning('myapp.test')
 * // "[hono-debug-toolbar] a request for the toolbar came to the name myapp.test, where it does not answer: ...
 * //  If myapp.test is a name of yours, add it: debugToolbar({ allowedHostnames: ['myapp.test'] })"
 * ```
 */
export function unansweredNameWarning(hostname: string): string {
  // A console line, not HTML: nothing to escape, but a terminal must not take the name for commands.
  const name = hostname.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').slice(0, MAX_NAME_CHARS)
  return (
    `[hono-debug-toolbar] a request for the toolbar came to the name ${name}, where it does not answer: ` +
    `the toolbar answers only at localhost, names under .localhost, IP addresses and the names in allowedHostnames ` +
    `(so that a page of another site whose name was re-pointed at this server cannot read it). ` +
    `If ${name} is a name of yours, add it: debugToolbar({ allowedHostnames: ['${name}'] })`
  )
}

/**
 * Builds the warning the middleware gives when it refuses a toolbar route for the name in
 * the request's URL: one `console.warn` per name, for the first 20 names, then none.
 *
 * @example
 * ```ts
 * const warnUnansweredName = unansweredNameWarner()
 * if (!isAllowedName(c.req.url)) {
 *   warnUnansweredName(c.req.url) // once for http://myapp.test:3000/_debug_toolbar/
 *   return c.notFound()
 * }
 * ```
 */
export function unansweredNameWarner(): (url: string) => void {
  const warned = new Set<string>()
  return (url) => {
    if (warned.size >= MAX_WARNED_NAMES) return
    const hostname = hostnameOf(url)
    if (warned.has(hostname)) return
    warned.add(hostname)
    console.warn(unansweredNameWarning(hostname))
  }
}

/** The host name of `url` without an IPv6 address's brackets, or the URL itself when it has none. */
function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '')
  } catch {
    return url
  }
}
