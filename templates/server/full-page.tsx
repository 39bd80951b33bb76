/**
 * The full-page view (`{prefix}/requests/:id` and `{prefix}/`): an empty page whose only
 * content is the toolbar, opened full-size on one request. For API-only apps, whose
 * responses have no page for the toolbar to be injected into.
 */
export function FullPage({ prefix, requestId, version }: { prefix: string; requestId: string; version: string }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Debug toolbar</title>
        {/* No icon to fetch: the browser would ask the app for /favicon.ico, which the toolbar
            records, and that 404 would become the "latest" request this page shows. */}
        <link rel="icon" href="data:," />
      </head>
      <body>
        <script src={`${prefix}/static/toolbar.js?v=${version}`} data-hdt-prefix={prefix} data-hdt-request-id={requestId} data-hdt-mode="page" />
      </body>
    </html>
  )
}
