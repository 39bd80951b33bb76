/** @jsxImportSource preact */
import { describe, expect, it } from 'vitest'
import { renderToString } from 'preact-render-to-string'
import { ImportButton, type useTraceImport } from '../../templates/client/panels/trace-import.js'

const idle: ReturnType<typeof useTraceImport> = { zone: {} as ReturnType<typeof useTraceImport>['zone'], dragging: false, status: { state: 'idle' }, importFile: async () => {} }

describe('"Import OTLP JSON…"', () => {
  it('is one control for the keyboard: the button, not the hidden file input behind it', () => {
    const html = renderToString(<ImportButton drop={idle} />)
    expect(html).toMatch(/<button[^>]*>\s*Import OTLP JSON…\s*<\/button>/)
    const input = /<input[^>]*type="file"[^>]*>/.exec(html)?.[0] ?? ''
    expect(input).toContain('tabindex="-1"')
    expect(input).toContain('aria-hidden="true"')
  })
})
