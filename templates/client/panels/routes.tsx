import type { RoutesStats } from '../../../src/panels/routes.js'
import type { PanelProps } from '../types.js'

/** The Routes panel: every route of the app, the ones this request went through highlighted. */
export function RoutesView({ stats }: PanelProps<RoutesStats>) {
  return (
    <div class="hdt-routes">
      <p>
        Answered by{' '}
        {stats.matchedRoute ? <code data-hdt-figure="matched-route">{stats.matchedRoute}</code> : <span class="hdt-muted">no route</span>}
      </p>
      {!stats.complete && (
        <p class="hdt-note">
          Only the routes this request went through are listed. To see every route of the app, pass it to the toolbar:{' '}
          <code>app.use(debugToolbar({'{ app }'}))</code>.
        </p>
      )}
      <table class="hdt-table">
        <thead>
          <tr>
            <th>Method</th>
            <th>Path</th>
            <th>Handler</th>
            <th>Kind</th>
          </tr>
        </thead>
        <tbody>
          {stats.routes.map((route, i) => (
            <tr key={`${route.method} ${route.path} ${i}`} class={route.matched ? 'hdt-matched' : undefined} aria-current={route.matched ? 'true' : undefined}>
              <td>
                <code>{route.method}</code>
              </td>
              <td>
                <code>{route.path}</code>
              </td>
              <td>{route.name ? <code>{route.name}</code> : <span class="hdt-muted">—</span>}</td>
              <td>{route.isMiddleware ? 'middleware' : 'handler'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
