import type { VersionsStats } from '../../../src/panels/versions.js'
import type { PanelProps } from '../types.js'

/** The Versions panel: runtime, Hono, the toolbar, and the app's dependencies as installed. */
export function VersionsView({ stats }: PanelProps<VersionsStats>) {
  const app = [stats.app.name, stats.app.version].filter(Boolean).join(' ')
  return (
    <div class="hdt-versions">
      <table class="hdt-table hdt-facts">
        <tbody>
          <tr>
            <th scope="row">Node.js</th>
            <td data-hdt-figure="node">
              <code>{stats.node}</code>
            </td>
          </tr>
          <tr>
            <th scope="row">Hono</th>
            <td>{stats.hono ? <code>{stats.hono}</code> : <span class="hdt-muted">not found</span>}</td>
          </tr>
          <tr>
            <th scope="row">hono-debug-toolbar</th>
            <td>
              <code>{stats.toolbar}</code>
            </td>
          </tr>
          <tr>
            <th scope="row">Platform</th>
            <td>
              <code>{stats.platform}</code>
            </td>
          </tr>
          <tr>
            <th scope="row">App</th>
            <td>{app ? <code>{app}</code> : <span class="hdt-muted">no package.json where the app runs</span>}</td>
          </tr>
        </tbody>
      </table>
      <h2 class="hdt-section-title">Dependencies</h2>
      {stats.dependencies.length === 0 ? (
        <p class="hdt-muted">The app's package.json declares no dependencies.</p>
      ) : (
        <table class="hdt-table">
          <thead>
            <tr>
              <th>Package</th>
              <th>Wanted</th>
              <th>Installed</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {stats.dependencies.map((dep) => (
              <tr key={dep.name}>
                <td>
                  <code>{dep.name}</code>
                </td>
                <td>
                  <code>{dep.wanted}</code>
                </td>
                <td>{dep.installed ? <code>{dep.installed}</code> : <span class="hdt-badge hdt-badge-warn">not installed</span>}</td>
                <td>{dep.dev && <span class="hdt-badge">dev</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
