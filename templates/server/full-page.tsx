import { TOOLBAR_SCRIPT_ROUTE } from '../../src/shapes/static-routes.js'

/**
 * The full-page view (`{prefix}/requests/:id` and `{prefix}/`): an empty page whose only
 * content is the toolbar, opened full-size on one request. For API-only apps, whose
 * responses have no page for the toolbar to be injected into. The app's CSP covers this page
 * as well when its middleware runs first: the script carries the app's nonce.
 */
export function FullPage({ prefix, requestId, version, nonce }: { prefix: string; requestId: string; version: string; nonce?: string }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Debug toolbar</title>
        {/* The toolbar's own icon: without one the browser would ask the app for /favicon.ico,
            which the toolbar records, and that 404 would become the "latest" request this page
            shows. Not a data: URL, which an app's CSP (`default-src 'self'`) refuses. */}
        <link rel="icon" href={`${prefix}/static/icon.svg`} />
      </head>
      <body>
        <script src={`${prefix}${TOOLBAR_SCRIPT_ROUTE}?v=${version}`} data-hdt-prefix={prefix} data-hdt-request-id={requestId} data-hdt-mode="page" nonce={nonce} />
      </body>
    </html>
  )
}
