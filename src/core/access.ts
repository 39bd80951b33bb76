import { BlockList, isIP } from 'node:net'
import type { Context } from 'hono'

const MAX_CACHED_ADDRESSES = 1024

/** Loopback only: what the toolbar allows unless told otherwise. */
export const LOOPBACK = ['127.0.0.0/8', '::1']

/**
 * Builds the address check from `allowedHosts` (addresses and CIDRs, IPv4 and IPv6).
 * IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`, what a dual-stack socket reports) are
 * checked as the IPv4 address they carry.
 *
 * @example
 * ```ts
 * const allowed = addressMatcher(['127.0.0.0/8', '::1', '10.0.0.0/8'])
 * allowed('10.1.2.3') // true
 * ```
 */
export function addressMatcher(allowedHosts: readonly string[]): (address: string | undefined) => boolean {
  const list = new BlockList()
  for (const entry of allowedHosts) {
    const [address, bits, extra] = entry.trim().split('/')
    const family = isIP(address)
    if (!family || extra !== undefined) throw new TypeError(`allowedHosts: "${entry}" is not an address or CIDR`)
    const type = family === 4 ? 'ipv4' : 'ipv6'
    if (bits === undefined) {
      list.addAddress(address, type)
      continue
    }
    const prefix = Number(bits)
    if (!/^\d+$/.test(bits) || prefix > (family === 4 ? 32 : 128)) {
      throw new TypeError(`allowedHosts: "${entry}" has an invalid prefix length`)
    }
    list.addSubnet(address, prefix, type)
  }
  // BlockList.check builds a SocketAddress per call: remember the verdict per address
  // (a bounded map, emptied when full: a dev server sees a handful of addresses).
  const verdicts = new Map<string, boolean>()
  return (raw) => {
    if (!raw) return false
    let verdict = verdicts.get(raw)
    if (verdict === undefined) {
      const address = raw.startsWith('::ffff:') && isIP(raw.slice(7)) === 4 ? raw.slice(7) : raw
      const family = isIP(address)
      verdict = family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6')
      if (verdicts.size >= MAX_CACHED_ADDRESSES) verdicts.clear()
      verdicts.set(raw, verdict)
    }
    return verdict
  }
}

/**
 * The client's address as the socket says it, from what @hono/node-server exposes in `c.env`.
 *
 * @example
 * ```ts
 * socketAddress(c) // '127.0.0.1', '::1', '::ffff:192.0.2.2'
 * ```
 */
export function socketAddress(c: Context): string | undefined {
  return nodeIncoming(c)?.socket?.remoteAddress
}

/**
 * The addresses the nearest proxy says it forwarded for, or undefined when the request
 * names none: the last address of `X-Forwarded-For` and the last `for=` of the standard
 * `Forwarded` header (RFC 7239, what HAProxy's `option forwarded` and some tunnels send),
 * each when it comes, and the single address of `X-Real-IP` (nginx's
 * `proxy_set_header X-Real-IP $remote_addr`), `True-Client-IP`, `CF-Connecting-IP` and
 * `Fly-Client-IP`, each time one comes. All are given because a proxy adds to one of them
 * and passes the others on as the client wrote them: behind a proxy that sends only
 * `Forwarded` or only `X-Real-IP`, a visitor's own `X-Forwarded-For: 127.0.0.1` would
 * otherwise pass for loopback. The addresses before the last one of a list are whatever the
 * client sent (a proxy appends to the header it got). Without `trustProxy` these only ever
 * deny: a proxy on this machine (nginx in front of the app) makes every visitor's request
 * come from 127.0.0.1, and says for whom here. With `trustProxy` they replace the socket's
 * address, and still every one must be allowed: a proxy that sets only `X-Real-IP` passes a
 * client's own `X-Forwarded-For: 127.0.0.1` on as it came. A
 * `for=` or single-address header that names no address (`unknown`, an obfuscated `_name`,
 * garbage) comes back as it is, which no `allowedHosts` matches.
 *
 * @example
 * ```ts
 * // X-Forwarded-For: 198.51.100.4, 203.0.113.9   → ['203.0.113.9']
 * // Forwarded: for=192.0.2.60;proto=http, for="[2001:db8::17]:4711"   → ['2001:db8::17']
 * // X-Forwarded-For: 127.0.0.1 and Forwarded: for=203.0.113.9   → ['127.0.0.1', '203.0.113.9']
 * // X-Real-IP: 203.0.113.9   → ['203.0.113.9']
 * // X-Forwarded-For: 127.0.0.1 and X-Real-IP: 203.0.113.9   → ['127.0.0.1', '203.0.113.9']
 * const named = forwardedAddresses(c)
 * const allowed = named ? named.every(isAllowedAddress) : isAllowedAddress(socketAddress(c))
 * ```
 */
export function forwardedAddresses(c: Context): string[] | undefined {
  const raw = nodeIncoming(c)?.rawHeaders
  let xff: string | undefined
  let standard: string | undefined
  let single: string[] | undefined
  if (raw) {
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!
      const length = name.length
      // Repeated headers are one list (RFC 9110, 5.3), as Node joins them.
      if (length === 15 && name.toLowerCase() === 'x-forwarded-for') xff = xff === undefined ? raw[i + 1] : `${xff}, ${raw[i + 1]}`
      else if (length === 9) {
        const lower = name.toLowerCase()
        if (lower === 'forwarded') standard = standard === undefined ? raw[i + 1] : `${standard}, ${raw[i + 1]}`
        else if (lower === 'x-real-ip') (single ??= []).push(raw[i + 1]!.trim())
      } else if (length > 12 && length < 17 && isSingleAddressHeader(name, length)) (single ??= []).push(raw[i + 1]!.trim())
    }
  } else {
    xff = c.req.header('x-forwarded-for')
    standard = c.req.header('forwarded')
    for (const name of SINGLE_ADDRESS_HEADERS) {
      const value = c.req.header(name)
      if (value !== undefined) (single ??= []).push(value.trim())
    }
  }
  if (xff === undefined && standard === undefined && single === undefined) return undefined
  const named: string[] = []
  const fromXff = xff === undefined ? undefined : xff.slice(xff.lastIndexOf(',') + 1).trim() || undefined
  if (fromXff !== undefined) named.push(fromXff)
  const fromStandard = standard === undefined ? undefined : lastForwardedFor(standard)
  if (fromStandard !== undefined) named.push(fromStandard)
  if (single !== undefined) named.push(...single)
  return named.length === 0 ? undefined : named
}

/**
 * Whether a raw header name is `Fly-Client-IP`, `True-Client-IP` or `CF-Connecting-IP`, in
 * any case. Browsers send names of these lengths on every request (`Cache-Control`,
 * `Sec-Fetch-Mode`): the first letter rules them out before any string is made.
 */
function isSingleAddressHeader(name: string, length: number): boolean {
  const first = name.charCodeAt(0) | 0x20
  if (length === 13) return first === 0x66 /* f */ && name.toLowerCase() === 'fly-client-ip'
  if (length === 14) return first === 0x74 /* t */ && name.toLowerCase() === 'true-client-ip'
  return length === 16 && first === 0x63 /* c */ && (name.charCodeAt(1) | 0x20) === 0x66 /* f */ && name.toLowerCase() === 'cf-connecting-ip'
}

/**
 * Headers a proxy or CDN sets to the one address it saw (nginx's usual `X-Real-IP`, Akamai's
 * and Cloudflare Enterprise's `True-Client-IP`, Cloudflare's `CF-Connecting-IP`, Fly.io's
 * `Fly-Client-IP`), in lower case.
 */
const SINGLE_ADDRESS_HEADERS = ['x-real-ip', 'true-client-ip', 'cf-connecting-ip', 'fly-client-ip']

/**
 * The last `for=` of a `Forwarded` header's elements, without quotes, brackets or port.
 * An element without `for=` says nothing of the client, as a proxy that sends no
 * `X-Forwarded-For` does.
 */
function lastForwardedFor(header: string): string | undefined {
  const last = header.slice(header.lastIndexOf(',') + 1)
  if (!last.trim()) return undefined
  const match = /(?:^|;)\s*for\s*=\s*("[^"]*"|[^;,\s]*)/i.exec(last)
  if (!match) return undefined
  let value = match[1]!.replace(/^"|"$/g, '')
  if (value.startsWith('[')) value = value.slice(1, value.indexOf(']') === -1 ? undefined : value.indexOf(']'))
  else if (value.indexOf(':') !== -1 && value.indexOf(':') === value.lastIndexOf(':')) value = value.slice(0, value.indexOf(':'))
  return value || 'unknown'
}

interface NodeIncoming {
  socket?: { remoteAddress?: string }
  rawHeaders?: string[]
}

function nodeIncoming(c: Context): NodeIncoming | undefined {
  const env = c.env as { incoming?: NodeIncoming; server?: { incoming?: NodeIncoming } } | undefined
  return env?.incoming ?? env?.server?.incoming
}

/**
 * Builds the check of the name a request reached the toolbar's own routes at (its URL's
 * host, which Node servers take from the Host header): an IP address, `localhost` and names
 * under `.localhost` always pass, as they cannot be re-pointed by another site's DNS; other
 * names only when listed (`devbox`, or `.dev.internal` for it and any name under it).
 *
 * @example
 * ```ts
 * const named = hostnameMatcher(['devbox'])
 * named('http://devbox:3000/_debug_toolbar/') // true
 * named('http://evil.example/_debug_toolbar/') // false
 * ```
 */
export function hostnameMatcher(allowedHostnames: readonly string[]): (url: string) => boolean {
  const listed = listedNames(allowedHostnames)
  return (url) => {
    let hostname: string
    try {
      hostname = bareHostname(new URL(url).hostname)
    } catch {
      return false
    }
    if (isIP(hostname) !== 0) return true
    return isLocalName(hostname) || listed(hostname)
  }
}

/**
 * Builds the check of the browser page that sent a request to the toolbar's routes (its
 * `Origin` header): true for a page the toolbar may answer. A page of another site, open in
 * the developer's browser, can reach a loopback server: it can open a WebSocket or post to
 * it without asking (no CORS), and read its answers when the app's own CORS middleware
 * allows every origin. A request without `Origin` comes from no page (a coding agent, curl,
 * an exporter, a browser navigating); a page on a loopback name or address is on this
 * machine; a page at the name the request came to is the toolbar's own (that name already
 * passed `hostnameMatcher`), and so is one at a name in `allowedHostnames`. An IP address
 * other than loopback is not enough: any site can be reached at one.
 *
 * @example
 * ```ts
 * const ownPage = pageOriginMatcher(['devbox'])
 * ownPage('http://evil.example', 'http://127.0.0.1:3000/_debug_toolbar/api/requests') // false
 * ownPage('http://localhost:5173', 'http://127.0.0.1:3000/_debug_toolbar/api/requests') // true
 * ```
 */
export function pageOriginMatcher(allowedHostnames: readonly string[]): (origin: string | undefined, requestUrl: string) => boolean {
  const listed = listedNames(allowedHostnames)
  return (origin, requestUrl) => {
    if (!origin) return true
    let hostname: string
    try {
      hostname = bareHostname(new URL(origin).hostname)
    } catch {
      // `null` (a sandboxed frame, a file) or garbage: no page of this machine's sites.
      return false
    }
    if (hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname) || isLocalName(hostname) || listed(hostname)) return true
    return hostname === bareHostname(new URL(requestUrl).hostname)
  }
}

/** `localhost` and names under `.localhost`: browsers and resolvers keep them on loopback. */
function isLocalName(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost')
}

/** `allowedHostnames` as a check: `devbox` names that host, `.dev.internal` it and any name under it. */
function listedNames(allowedHostnames: readonly string[]): (hostname: string) => boolean {
  const names = allowedHostnames.map((name) => name.trim().toLowerCase().replace(/\.$/, ''))
  return (hostname) => names.some((name) => (name.startsWith('.') ? hostname === name.slice(1) || hostname.endsWith(name) : hostname === name))
}

/** A hostname without the brackets of an IPv6 address or a trailing dot (the same host), in lower case. */
function bareHostname(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase()
}
