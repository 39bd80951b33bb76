/** @jsxImportSource preact */
import { describe, expect, it } from 'vitest'
import { renderToString } from 'preact-render-to-string'
import { TemplatesView } from '../../templates/client/panels/templates.js'

describe('the Templates panel', () => {
  it('counts one render as one', () => {
    const stats = { renders: [{ id: 1, name: 'page', startMs: 1, durationMs: 2, depth: 0, parentId: undefined }], dropped: 0, totalMs: 2 }
    const html = renderToString(<TemplatesView stats={stats as never} request={{ id: 'r', durationMs: 5 } as never} prefix="/_debug_toolbar" openRequest={() => undefined} />)
    expect(html).toContain('1 render, ')
    expect(html).not.toContain('1 renders')
  })
})
