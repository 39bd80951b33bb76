// Whatever arguments an agent passes to any of the MCP server's tools (ids that are real, of
// another kind or odd; numbers, strings, flags and lists of the wrong kind or out of range),
// the tool answers a result or an error that says what was wrong, never a failure of the
// server, never the password the shop wrote into its SQL, logs, headers and URLs, and the
// server keeps answering. fast-check writes the calls, from the schemas tools/list gives.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { McpError } from '@modelcontextprotocol/sdk/types.js'
import { call, SECRET, useShop } from './app.js'

interface PropertySchema {
  type?: string | string[]
  enum?: unknown[]
  anyOf?: PropertySchema[]
  items?: PropertySchema
}

describe('any arguments of any MCP tool', () => {
  const session = useShop({
    users: '/users',
    slow: '/slow',
    login: [`/login?api_key=${SECRET}&token=${SECRET}`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}`, cookie: `sid=${SECRET}` } }],
    reset: `/reset/${SECRET}`,
    boom: '/boom',
  })

  it('are answered with a result or a message, and never with the shop\'s password', async () => {
    const { tools } = await session.client.listTools()
    const ids = Object.values(session.ids)
    const traceIds: string[] = []
    for (const id of ids) {
      const brief = await call(session.client, 'get_request', { request_id: id })
      const traceId = /\b[0-9a-f]{32}\b/.exec(brief.text)?.[0]
      if (traceId) traceIds.push(traceId)
    }
    const odd = fc.constantFrom('', '0', '-1', '1e3', '2.5', 'NaN', '99999999999999999999', '__proto__', 'constructor', 'latest', '%00', 'a'.repeat(200))
    const anyValue = fc.oneof(
      fc.constantFrom(...ids, ...traceIds), odd, fc.integer({ min: -5, max: 100_000 }), fc.double(), fc.boolean(), fc.constant(null),
      fc.array(fc.oneof(fc.constantFrom(...ids, ...traceIds), odd), { maxLength: 3 }), fc.string({ maxLength: 8 }),
    )
    // Each argument of a tool: a value of the kind its schema names, or anything at all.
    const argument = (schema: PropertySchema): fc.Arbitrary<unknown> => {
      const kinds = [schema.type, ...(schema.anyOf ?? []).map((s) => s.type)].flat().filter(Boolean)
      const fitting: Array<fc.Arbitrary<unknown>> = []
      if (schema.enum) fitting.push(fc.constantFrom(...schema.enum))
      if (kinds.includes('string')) fitting.push(fc.oneof(fc.constantFrom(...ids, ...traceIds), odd))
      if (kinds.includes('number') || kinds.includes('integer')) fitting.push(fc.integer({ min: -2, max: 5000 }))
      if (kinds.includes('boolean')) fitting.push(fc.boolean())
      if (kinds.includes('array')) fitting.push(fc.array(schema.items ? argument(schema.items) : anyValue, { maxLength: 3 }))
      return fitting.length ? fc.oneof({ arbitrary: fc.oneof(...fitting), weight: 4 }, { arbitrary: anyValue, weight: 1 }) : anyValue
    }
    const calls = fc.oneof(
      ...tools.map((tool) => {
        const properties = (tool.inputSchema.properties ?? {}) as Record<string, PropertySchema>
        const required = new Set(tool.inputSchema.required ?? [])
        const args = Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, required.has(name) ? argument(schema) : fc.option(argument(schema), { nil: undefined })]))
        return fc.record(args).map((values) => ({ name: tool.name, args: Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) }))
      }),
    )
    let answered = 0
    await fc.assert(
      fc.asyncProperty(calls, async ({ name, args }) => {
        let text: string
        try {
          text = (await call(session.client, name, args)).text
        } catch (error) {
          // The SDK refuses arguments its schema does not take: invalid params, with a message.
          if (error instanceof McpError && error.code === -32602 && error.message.length > 0) return true
          throw new Error(`${name} ${JSON.stringify(args)}: ${String(error)}`)
        }
        answered++
        if (text.includes(SECRET)) throw new Error(`${name} ${JSON.stringify(args)} sent the password: ${text.slice(0, 300)}`)
        return text.length > 0
      }),
      { numRuns: 400 },
    )
    expect(answered).toBeGreaterThan(200)
    expect((await call(session.client, 'list_requests', {})).isError).toBe(false)
  })
})
