import { formatBytes } from '../format.js'

/** Said of every response body's size: on an HTML page the toolbar's tag comes on top of it. */
const RESPONSE_BODY_TITLE =
  "The body as the app sent it. On an HTML page the toolbar adds its loader tag, which the response's Content-Length and the browser's network tab count too."

/**
 * The size of a response body as the app sent it, and, when the record tells, what the
 * toolbar's loader tag added (what makes the Headers panel's `content-length` larger), so
 * that neither figure reads as wrong. The Time and Request panels show it.
 *
 * @example
 * ```tsx
 * <ResponseBodySize bytes={1200} loaderTagBytes={173} />
 * // 1.2 KB (as the app sent it; the toolbar's tag added 173 bytes)
 * ```
 */
export function ResponseBodySize({ bytes, loaderTagBytes }: { bytes: number; loaderTagBytes?: number | undefined }) {
  return (
    <>
      <span class="hdt-response-bytes" title={RESPONSE_BODY_TITLE}>
        {formatBytes(bytes)}
      </span>
      {loaderTagBytes !== undefined && <span class="hdt-muted"> (as the app sent it; the toolbar's tag added {loaderTagBytes} bytes)</span>}
    </>
  )
}
