/**
 * A developer who opens the app at a name of their own (`http://myapp.test:3000/`, from
 * /etc/hosts) sees the app's pages but no toolbar: its routes answer only at names another
 * site's DNS cannot re-point (see `hostnameMatcher`). Nor do they answer a page of another
 * site (its `Origin`, see `pageOriginMatcher`). Both get the app's 404, which tells the page
 * nothing; the middleware tells the developer instead, on the console, once per name or
 * origin, when it refuses a toolbar route for it, and only then: other requests pay nothing.
 */

/** Names (or origins) warned about, at most: a server reached at many (a scan) stops warning. */
const MAX_WARNED = 20
/** Characters of a name or origin shown, at most. */
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
  const name = printable(hostname)
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
  return oncePerKey(hostnameOf, unansweredNameWarning)
}

/**
 * The console line for a request to the toolbar's routes sent by a page of `origin`, which
 * they do not answer: what the page got (the app's 404), why, and how a site of the
 * developer's own is added, with a word of caution, as the page is more often another site's
 * than theirs. An origin with no host name (`null`: a sandboxed frame, a file) cannot be
 * added, and the line says so. Control characters are taken out, and the origin is cut at
 * 100 characters.
 *
 * @example
 * ```ts
 * unansweredOriginWarning('http://shop.test:5173')
 * // "[hono-debug-toolbar] a page of http://shop.test:5173 asked the toolbar, which does not answer pages of other sites: ...
 * //  Only if shop.test is a site of yours ... debugToolbar({ allowedHostnames: ['shop.test'] }) ..."
 * ```
 */
export function unansweredOriginWarning(origin: string): string {
  const shown = printable(origin)
  const refused =
    `[hono-debug-toolbar] a page of ${shown} asked the toolbar, which does not answer pages of other sites: ` +
    `it got the app's 404, so that a site open in your browser cannot read what your app did. `
  let hostname: string
  try {
    hostname = printable(new URL(origin).hostname.replace(/^\[|\]$/g, ''))
  } catch {
    hostname = ''
  }
  if (!hostname) return `${refused}A page without a site of its own (a sandboxed frame, a file) is never answered.`
  return (
    `${refused}Only if ${hostname} is a site of yours (your app reached at another name, your own front-end dev server) ` +
    `add its name: debugToolbar({ allowedHostnames: ['${hostname}'] }); a site you do not know is better left out.`
  )
}

/**
 * Builds the warning the middleware gives when it refuses a toolbar route to a page of
 * another site: one `console.warn` per origin (in any case), for the first 20 origins, then none.
 *
 * @example
 * ```ts
 * const warnUnansweredOrigin = unansweredOriginWarner()
 * if (!isOwnPage(origin, c.req.url)) {
 *   warnUnansweredOrigin(origin) // once for http://shop.test:5173
 *   return c.notFound()
 * }
 * ```
 */
export function unansweredOriginWarner(): (origin: string) => void {
  return oncePerKey((origin) => origin.toLowerCase(), unansweredOriginWarning)
}

/** `warning(key)` on the console once per key of an input, for the first 20 keys, then nothing. */
function oncePerKey(keyOf: (input: string) => string, warning: (key: string) => string): (input: string) => void {
  const warned = new Set<string>()
  return (input) => {
    if (warned.size >= MAX_WARNED) return
    const key = keyOf(input)
    if (warned.has(key)) return
    warned.add(key)
    console.warn(warning(key))
  }
}

/** A console line, not HTML: nothing to escape, but a terminal must not take the text for commands. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').slice(0, MAX_NAME_CHARS)
}

/** The host name of `url` without an IPv6 address's brackets, or the URL itself when it has none. */
function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '')
  } catch {
    return url
  }
}
