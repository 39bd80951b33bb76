import { useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { LoggingStats, LogLine } from '../../../src/panels/logging.js'
import { LOG_LEVELS, type LogLevel } from '../../../src/shapes/records.js'
import { escapeClears } from '../escape-clears.js'
import { formatMs, plural } from '../format.js'
import type { PanelProps } from '../types.js'

/** The Logging panel: every line with its offset, level, attributes (under the message) and source; filter by level and text. */
export function LoggingView({ stats, request }: PanelProps<LoggingStats>) {
  // Lines past the request's end were written by work it left running (an email sent after the answer).
  const answeredAt = request.durationMs
  const [hidden, setHidden] = useState<ReadonlySet<LogLevel>>(new Set())
  const [search, setSearch] = useState('')
  const needle = search.trim().toLowerCase()
  // Each line keeps its place in the request as its key: what a line shows (its whole
  // message) stays with it when the filter hides the lines before it.
  const shown = stats.logs.flatMap((log, at) => (!hidden.has(log.level) && (!needle || matches(log, needle)) ? [{ log, at }] : []))
  const toggle = (level: LogLevel) => {
    const next = new Set(hidden)
    if (next.has(level)) next.delete(level)
    else next.add(level)
    setHidden(next)
  }
  return (
    <div class="hdt-logging">
      <div class="hdt-toolbar-row">
        {LOG_LEVELS.map((level) => (
          <label key={level} class="hdt-log-level-filter">
            <input type="checkbox" checked={!hidden.has(level)} onChange={() => toggle(level)} /> {level}{' '}
            <span class="hdt-muted">({stats.counts[level] ?? 0})</span>
          </label>
        ))}
        <input
          type="search"
          class="hdt-log-search"
          placeholder="Search messages and attributes"
          aria-label="Search log lines"
          value={search}
          onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)}
          onKeyDown={escapeClears(() => setSearch(''))}
        />
      </div>
      {stats.dropped > 0 && (
        <p>
          <span class="hdt-badge hdt-badge-warn">{stats.dropped} more lines not kept</span>{' '}
          <span class="hdt-muted">over the panel's maxLogs; the counts above include them.</span>
        </p>
      )}
      {stats.logs.length === 0 ? (
        <p class="hdt-muted">
          No log lines. <code>console.*</code> inside a request, <code>recordLog()</code> and pino through <code>pinoToolbarStream()</code> show here.
        </p>
      ) : (
        <table class="hdt-table hdt-logs">
          <thead>
            <tr>
              <th class="hdt-num">At</th>
              <th>Level</th>
              <th>Message</th>
              <th>Source</th>
            </tr>
          </thead>
          <tbody>
            {shown.map(({ log, at }) => (
              <tr key={at}>
                <td class="hdt-num">
                  {formatMs(log.startMs)}
                  {answeredAt !== undefined && log.startMs > answeredAt && <div class="hdt-muted hdt-log-late">after the response</div>}
                </td>
                <td>
                  <span class={`hdt-badge ${levelClass(log.level)}`}>{log.level}</span>
                </td>
                <td>
                  <LogMessage text={log.message} />
                  <Attributes attributes={log.attributes} />
                  {log.droppedAttributes !== undefined && <span class="hdt-muted">{plural(log.droppedAttributes, 'more attribute', 'more attributes')} not kept</span>}
                </td>
                <td class="hdt-muted hdt-log-source">{log.source}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {stats.logs.length > 0 && shown.length === 0 && <p class="hdt-muted">No line matches the filter.</p>}
    </div>
  )
}

/**
 * A message in a box of its own height: a long stack trace is cut there, and says so with a
 * button that shows it whole (an overlay scrollbar, as on macOS, shows nothing of what is cut).
 */
function LogMessage({ text }: { text: string }) {
  const box = useRef<HTMLDivElement>(null)
  const [whole, setWhole] = useState(false)
  const [cut, setCut] = useState(false)
  useLayoutEffect(() => {
    const el = box.current
    if (el && !whole) setCut(el.scrollHeight > el.clientHeight + 1)
  }, [text, whole])
  const lines = text.split('\n').length
  return (
    <>
      <div ref={box} class={`hdt-code hdt-log-message${whole ? ' hdt-log-whole' : ''}`}>
        {text}
      </div>
      {(cut || whole) && (
        <button type="button" class="hdt-log-more" aria-expanded={whole} onClick={() => setWhole(!whole)}>
          {whole ? 'Show less' : `Show the whole message (${lines > 1 ? `${lines} lines` : `${text.length.toLocaleString('en')} characters`})`}
        </button>
      )}
    </>
  )
}

function Attributes({ attributes }: { attributes: Record<string, unknown> }) {
  const entries = Object.entries(attributes)
  if (entries.length === 0) return null
  // Names are monospace and as wide as the longest: the values start in one column.
  const nameWidth = { minWidth: `min(${Math.max(...entries.map(([name]) => name.length))}ch, 100%)` }
  return (
    <dl class="hdt-log-attributes">
      {entries.map(([name, value]) => (
        <div key={name}>
          <dt style={nameWidth}>{name}</dt>
          <dd class="hdt-code">{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
        </div>
      ))}
    </dl>
  )
}

function levelClass(level: LogLevel): string {
  if (level === 'error' || level === 'fatal') return 'hdt-badge-error'
  return level === 'warn' ? 'hdt-badge-warn' : ''
}

function matches(log: LogLine, needle: string): boolean {
  if (log.message.toLowerCase().includes(needle)) return true
  return Object.entries(log.attributes).some(([name, value]) => `${name} ${String(typeof value === 'string' ? value : JSON.stringify(value))}`.toLowerCase().includes(needle))
}
