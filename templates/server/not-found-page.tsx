import type { NotFoundReport } from '../../src/shapes/not-found-report.js'
import { DebugPageHead } from './error-page.js'

/**
 * The debug 404 page: a page load that no route of the app matched, the routes the app has
 * (as the Routes panel lists them), and the toolbar (its tag is put in before `</body>`, as
 * into any page). Styled by the error page's stylesheet. Rendered with
 * preact-render-to-string, which escapes every string: a path cannot inject markup.
 *
 * @example
 * ```ts
 * const html = `<!doctype html>${renderToString(NotFoundPage(report))}` // report: see NotFoundPages.report()
 * ```
 */
export function NotFoundPage(report: NotFoundReport) {
  const { prefix, routes } = report
  return (
    <html lang="en">
      <DebugPageHead title={`404 · ${report.method} ${report.path}`} prefix={prefix} nonce={report.nonce} />
      <body class="hdt-err hdt-nf">
        <header class="hdt-err-head">
          <p class="hdt-err-status">{report.status} Not Found</p>
          <h1 class="hdt-err-title">
            No route matched{' '}
            <code class="hdt-nf-request">
              {report.method} {report.path}
            </code>
          </h1>
          <p class="hdt-err-request">
            <a href={`${prefix}/requests/${encodeURIComponent(report.requestId)}`}>open this request in the toolbar</a>
          </p>
        </header>
        <main>
          {routes === undefined ? (
            <p class="hdt-err-note">
              Pass the app to the toolbar, <code>debugToolbar({'{'} app {'}'})</code>, to list its routes here.
            </p>
          ) : (
            <>
              <h2 class="hdt-nf-heading">
                The app&apos;s routes, in the order Hono tries them ({routes.length + report.routesLeftOut})
              </h2>
              {routes.length === 0 ? (
                <p class="hdt-err-note">The app has no routes.</p>
              ) : (
                <table class="hdt-nf-routes">
                  <tbody>
                    {routes.map((route, i) => (
                      <tr key={i}>
                        <td class="hdt-nf-method">{route.method}</td>
                        <td>
                          <code>{route.path}</code>
                        </td>
                        <td class="hdt-nf-name">{route.name}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {report.routesLeftOut > 0 && (
                <p class="hdt-err-note">
                  {report.routesLeftOut} more {report.routesLeftOut === 1 ? 'route' : 'routes'}, not shown (the Routes panel lists them all)
                </p>
              )}
            </>
          )}
        </main>
        <footer class="hdt-err-note">
          Shown by hono-debug-toolbar in place of Hono&apos;s plain &quot;404 Not Found&quot;, to the clients the toolbar is shown to.
          The app&apos;s own <code>notFound</code> is never replaced; <code>debugToolbar({'{'} notFoundPage: false {'}'})</code> turns this page off.
        </footer>
      </body>
    </html>
  )
}
