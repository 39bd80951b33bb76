import type { TemplatesStats, TemplateRender } from '../../../src/panels/templates.js'
import { formatMs, plural } from '../format.js'
import { barStyle } from '../bar-style.js'
import type { PanelProps } from '../types.js'

/** The Templates panel: renders as a tree (partials indented under their layout), each on a timing bar. */
export function TemplatesView({ stats, request }: PanelProps<TemplatesStats>) {
  if (stats.renders.length === 0) {
    return (
      <p class="hdt-muted">
        No renders. <code>c.render()</code>, <code>renderTemplate(name, fn)</code> and components wrapped with <code>timedComponent()</code> show here.
      </p>
    )
  }
  // The bars share one scale: the request, or the last render's end if it ran later (a stream).
  const scale = Math.max(request.durationMs ?? 0, ...stats.renders.map((r) => r.startMs + (r.durationMs ?? 0)))
  return (
    <div class="hdt-templates">
      <p>
        {plural(stats.renders.length + stats.dropped, 'render', 'renders')}, {formatMs(stats.totalMs)} spent rendering
        {stats.dropped > 0 && <span class="hdt-badge hdt-badge-warn"> {stats.dropped} not kept</span>}
      </p>
      <table class="hdt-table hdt-renders">
        <thead>
          <tr>
            <th>Template</th>
            <th class="hdt-num">At</th>
            <th class="hdt-num">Duration</th>
            <th class="hdt-timeline-col">Timeline</th>
          </tr>
        </thead>
        <tbody>
          {stats.renders.map((render) => (
            <tr key={render.id}>
              <td class="hdt-render-cell">
                <div class="hdt-render-line" style={{ paddingLeft: `${render.depth * 16}px` }}>
                  <span class="hdt-render-name" title={render.name}>
                    {render.depth > 0 && <span class="hdt-muted">└ </span>}
                    <code>{render.name}</code>
                  </span>
                  {render.error !== undefined && (
                    <span class="hdt-badge hdt-badge-error hdt-render-failed" title={render.error}>
                      failed: {render.error}
                    </span>
                  )}
                </div>
              </td>
              <td class="hdt-num">{formatMs(render.startMs)}</td>
              <td class="hdt-num">
                {render.durationMs === undefined ? <span class="hdt-badge hdt-badge-warn">running</span> : formatMs(render.durationMs)}
                {render.streamed && <span class="hdt-muted" title="rendered while it was sent, until the last byte"> streamed</span>}
              </td>
              <td>
                <RenderBar render={render} scale={scale} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function RenderBar({ render, scale }: { render: TemplateRender; scale: number }) {
  if (!scale) return null
  const left = Math.min(100, (render.startMs / scale) * 100)
  const width = Math.max(((render.durationMs ?? 0) / scale) * 100, 0.5)
  return (
    <div class="hdt-bar" title={`${formatMs(render.startMs)} → ${formatMs(render.startMs + (render.durationMs ?? 0))}`}>
      <span style={barStyle(left, Math.min(width, 100 - left))} />
    </div>
  )
}
