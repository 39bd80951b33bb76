/** Escapes text for a double-quoted HTML attribute. */
export function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/**
 * The tag injected before `</body>`: it loads the toolbar's browser bundle, which mounts
 * itself in a shadow root and fetches the panels of `requestId` from the API.
 */
export function loaderTag(prefix: string, requestId: string, version: string, nonce?: string): string {
  const nonceAttribute = nonce ? ` nonce="${escapeAttribute(nonce)}"` : ''
  return (
    `<script src="${escapeAttribute(`${prefix}/static/toolbar.js?v=${version}`)}" ` +
    `data-hdt-prefix="${escapeAttribute(prefix)}" data-hdt-request-id="${escapeAttribute(requestId)}"` +
    `${nonceAttribute} async></script>`
  )
}
