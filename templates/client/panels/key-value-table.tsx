/**
 * Name/value pairs as a zebra table; an empty set shows `empty` instead. Used by the
 * Request and Headers panels for params, query, cookies and headers.
 */
export function KeyValueTable({ rows, empty, label }: { rows: Array<[string, string]>; empty: string; label: string }) {
  if (rows.length === 0) return <p class="hdt-muted">{empty}</p>
  return (
    <table class="hdt-table hdt-kv" aria-label={label}>
      <thead>
        <tr>
          <th>Name</th>
          <th>Value</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([name, value], i) => (
          <tr key={`${name}-${i}`}>
            <td class="hdt-kv-name">
              <code>{name}</code>
            </td>
            <td class="hdt-kv-value">
              <code>{value}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
