import { describe, expect, it } from 'vitest'
import { besideStack, foldedStack } from '../../src/mcp/stack.js'

describe("an error's stack as the MCP tools show it", () => {
  it('keeps the frame it was thrown in and the app frames, folding the rest by whose they are', () => {
    const stack = [
      'TypeError: price is undefined',
      '    at new Promise (<anonymous>)',
      '    at /app/src/cart.ts:12:11',
      '    at dispatch (file:///app/node_modules/hono/dist/compose.js:35:17)',
      '    at AsyncLocalStorage.run (node:async_hooks:346:14)',
      '    at Toolbar.around (/app/node_modules/hono-debug-toolbar/dist/src/core/toolbar.js:352:24)',
      '    at async /app/src/server.ts:40:3',
      '    at ContextAPI.with (/app/node_modules/@opentelemetry/api/build/src/api/context.js:51:46)',
    ].join('\n')
    expect(foldedStack(stack)).toEqual([
      'TypeError: price is undefined',
      'at new Promise (<anonymous>)',
      'at /app/src/cart.ts:12:11',
      '... 3 frames of hono, node, the toolbar',
      'at async /app/src/server.ts:40:3',
      '... 1 frame of @opentelemetry/api',
    ])
  })

  it('folds the frames of dependencies at paths relative to the working directory, as a project with its own node_modules names them', () => {
    // A stack already in the one form of code locations: the app's frames and the
    // dependencies installed beside it, relative to the working directory.
    const stack = [
      'Error: card declined',
      '    at checkout (routes/pay.ts:13:10)',
      '    at dispatch (node_modules/hono/dist/compose.js:35:17)',
      '    at ContextAPI.with (node_modules/@opentelemetry/api/build/src/api/context.js:51:46)',
      '    at Toolbar.around (node_modules/hono-debug-toolbar/dist/src/core/toolbar.js:352:24)',
      '    at handle (routes/server.ts:40:3)',
    ].join('\n')
    expect(foldedStack(stack)).toEqual([
      'Error: card declined',
      'at checkout (routes/pay.ts:13:10)',
      '... 3 frames of hono, @opentelemetry/api, the toolbar',
      'at handle (routes/server.ts:40:3)',
    ])
  })

  it('shows at most 12 lines, saying how many more there were', () => {
    const stack = ['Error: deep', ...Array.from({ length: 20 }, (_, i) => `    at f${i} (/app/src/deep.ts:${i + 1}:1)`)].join('\n')
    const shown = foldedStack(stack)
    expect(shown).toHaveLength(12)
    expect(shown[11]).toBe('... 10 more lines')
  })

  it("gives the first line of a log line that printed the error's own stack", () => {
    const stack = 'Error: out of stock\n    at /app/src/cart.ts:12:11'
    expect(besideStack(`${stack}\n    at dispatch (compose.js:35:17)`, stack)).toBe('Error: out of stock (stack above)')
    expect(besideStack('retrying\nonce more', stack)).toBe('retrying (1 more line: search_logs with request_id)')
    expect(besideStack('Error: out of stock\n    at x', undefined)).toBe('Error: out of stock (stack: search_logs with request_id)')
  })
})
