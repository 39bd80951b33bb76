import { TOOLBAR_SCRIPT_ROUTE } from '../shapes/static-routes.js'
import type { RequestRecord } from './record.js'

/** Escapes text for a double-quoted HTML attribute. */
export function escapeAttribute(value: string): string {
  // Request ids never need it: the replacements run only when something does.
  if (!needsEscape(value)) return value
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/**
 * Whether `value` has `&`, `"`, `<` or `>`. By character codes: it runs on every recorded
 * HTML response's request id, where a regular expression's call cost several times this
 * loop over 16 characters.
 */
function needsEscape(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code === 0x26 || code === 0x22 || code === 0x3c || code === 0x3e) return true
  }
  return false
}

/**
 * The tag injected before `</body>`: it loads the toolbar's browser bundle, which mounts
 * itself in a shadow root and fetches the panels of `requestId` from the API.
 */
export function loaderTag(prefix: string, requestId: string, version: string, nonce?: string): string {
  const nonceAttribute = nonce ? ` nonce="${escapeAttribute(nonce)}"` : ''
  return `${tagStart(prefix, version)}${escapeAttribute(requestId)}"${nonceAttribute} async></script>`
}

// The part of the tag that is the same for every request of a toolbar, escaped once.
let cachedStart: { prefix: string; version: string; start: string } | undefined
function tagStart(prefix: string, version: string): string {
  if (cachedStart?.prefix !== prefix || cachedStart.version !== version) {
    cachedStart = {
      prefix,
      version,
      start: `<script src="${escapeAttribute(`${prefix}${TOOLBAR_SCRIPT_ROUTE}?v=${version}`)}" data-hdt-prefix="${escapeAttribute(prefix)}" data-hdt-request-id="`,
    }
  }
  return cachedStart.start
}

/**
 * The bytes the loader tag added to the body a request sent, when its record tells: the tag
 * went into the page the app passed to `c.html()`, and that page was what the request sent,
 * whole (its size is then the app's page: the tag is counted apart). Content-Length and the
 * browser count both. Undefined otherwise (no tag, a page tagged as it streamed, a HEAD, a
 * body cut short, another response sent). Read from the record when a panel's stats are
 * asked for: the request path pays nothing for it.
 *
 * @example
 * ```ts
 * // c.html(page) of 1,200 bytes, which the browser got with content-length: 1373
 * loaderTagBytesSent(record) // 173; record.responseBytes is 1200
 * ```
 */
export function loaderTagBytesSent(record: Pick<RequestRecord, 'htmlInjected' | 'htmlBytes' | 'method' | 'responseBytes' | 'aborted' | 'responseReplaced'>): number | undefined {
  const tag = record.htmlInjected
  if (tag === undefined || record.method === 'HEAD' || record.aborted || record.responseReplaced) return undefined
  return record.responseBytes === record.htmlBytes ? tag : undefined
}
