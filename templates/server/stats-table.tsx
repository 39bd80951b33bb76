/**
 * The default content of a panel that has no component in the browser bundle: its stats
 * as nested tables. Rendered on the server with preact-render-to-string, which escapes
 * every string, so user data cannot inject markup.
 */
export function StatsTable({ stats }: { stats: unknown }) {
  return <div class="hdt-stats">{renderValue(stats)}</div>
}

function renderValue(value: unknown) {
  if (value === null || value === undefined) return <span class="hdt-muted">—</span>
  if (Array.isArray(value)) {
    if (value.length === 0) return <span class="hdt-muted">(none)</span>
    return (
      <ol class="hdt-list">
        {value.map((item, i) => (
          <li key={i}>{renderValue(item)}</li>
        ))}
      </ol>
    )
  }
  if (typeof value === 'object') {
    return (
      <table class="hdt-table">
        <tbody>
          {Object.entries(value as Record<string, unknown>).map(([key, item]) => (
            <tr key={key}>
              <th scope="row">{key}</th>
              <td>{renderValue(item)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    )
  }
  return <code>{String(value)}</code>
}
