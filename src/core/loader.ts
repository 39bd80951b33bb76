import { TOOLBAR_SCRIPT_ROUTE } from '../shapes/static-routes.js'

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
