import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { loaderTag } from '../../src/core/loader.js'

// What the browser reads back from the tag's attributes, whatever the strings held.
function attributes(tag: string): Record<string, string> {
  const found: Record<string, string> = {}
  for (const [, name, value] of tag.matchAll(/ ([a-z-]+)="([^"]*)"/g)) {
    found[name] = value.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
  }
  return found
}

describe('loaderTag', () => {
  it('keeps every request id and nonce inside its attribute, as written', () => {
    const text = fc.string({ unit: fc.constantFrom('a', '0', '&', '"', '<', '>', ' ', '=', "'", 'é') })
    fc.assert(
      fc.property(text, text, (requestId, nonce) => {
        const tag = loaderTag('/_debug_toolbar', requestId, '1.0.0', nonce || undefined)
        expect(tag.startsWith('<script ') && tag.endsWith(' async></script>')).toBe(true)
        // No markup of the strings' own between the tag's start and its end.
        expect(tag.slice(1, -'></script>'.length)).not.toMatch(/[<>]/)
        const read = attributes(tag)
        expect(read['data-hdt-request-id']).toBe(requestId)
        if (nonce) expect(read.nonce).toBe(nonce)
      }),
    )
  })
})
