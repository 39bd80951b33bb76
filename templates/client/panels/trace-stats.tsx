import { useMemo, useState } from 'preact/hooks'
import type { SpanStatistic } from '../../../src/core/trace-analysis/index.js'
import { formatDuration } from './span-tree.js'

type Column = 'service' | 'name' | 'count' | 'totalNs' | 'avgNs' | 'selfNs' | 'maxNs'

const COLUMNS: Array<{ id: Column; label: string; numeric: boolean }> = [
  { id: 'service', label: 'Service', numeric: false },
  { id: 'name', label: 'Span name', numeric: false },
  { id: 'count', label: 'Count', numeric: true },
  { id: 'totalNs', label: 'Total', numeric: true },
  { id: 'avgNs', label: 'Average', numeric: true },
  { id: 'selfNs', label: 'Self total', numeric: true },
  { id: 'maxNs', label: 'Max', numeric: true },
]

// Past this many lines the table shows the first ones: a sort brings any line up.
const MAX_LINES = 500

/**
 * Jaeger's "Trace Statistics": one line per service and span name with count, total,
 * average, self total and max; a click on a column header sorts by it (again: reverses).
 *
 * @example
 * ```tsx
 * <TraceStatistics stats={analysis.stats} />
 * ```
 */
export function TraceStatistics({ stats }: { stats: SpanStatistic[] }) {
  const [sort, setSort] = useState<{ by: Column; descending: boolean }>({ by: 'totalNs', descending: true })
  const lines = useMemo(() => {
    const value = (s: SpanStatistic, by: Column) => (by === 'avgNs' ? s.totalNs / s.count : s[by])
    const sorted = [...stats].sort((a, b) => {
      const x = value(a, sort.by)
      const y = value(b, sort.by)
      const order = typeof x === 'string' ? x.localeCompare(y as string) : x - (y as number)
      return sort.descending ? -order : order
    })
    return sorted.slice(0, MAX_LINES)
  }, [stats, sort])

  return (
    <div class="hdt-trace-stats hdt-table-scroll">
      <table class="hdt-table hdt-trace-stats-table">
        <thead>
          <tr>
            {COLUMNS.map((column) => (
              <th key={column.id} scope="col" class={column.numeric ? 'hdt-num' : undefined} aria-sort={sort.by === column.id ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
                <button
                  type="button"
                  class="hdt-linklike"
                  onClick={() => setSort((s) => ({ by: column.id, descending: s.by === column.id ? !s.descending : column.numeric }))}
                >
                  {column.label}
                  {sort.by === column.id ? (sort.descending ? ' ▾' : ' ▴') : ''}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {lines.map((s) => (
            <tr key={`${s.service}\u0000${s.name}`}>
              <td class="hdt-trace-stats-service">{s.service}</td>
              <td class="hdt-code hdt-cut-cell" title={s.name}>
                {s.name}
              </td>
              <td class="hdt-num">{s.count}</td>
              <td class="hdt-num">{formatDuration(s.totalNs)}</td>
              <td class="hdt-num">{formatDuration(s.totalNs / s.count)}</td>
              <td class="hdt-num">{formatDuration(s.selfNs)}</td>
              <td class="hdt-num">{formatDuration(s.maxNs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {stats.length > MAX_LINES && <p class="hdt-muted">Showing {MAX_LINES} of {stats.length} lines; sort to bring others up.</p>}
    </div>
  )
}
