import { request as httpRequest } from 'node:http'
import { describe, expect, it } from 'vitest'
import { feedApp } from './app.js'
import { loopbackServers } from '../support/loopback-service.js'

const start = loopbackServers()

/** POSTs to `url` a body that says it has 100 bytes and sends one a second; answers the status, body and time taken. */
function trickle(url: string): Promise<{ status: number; text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const began = Date.now()
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'content-length': '100' } }, (res) => {
      let text = ''
      res.on('data', (chunk: Buffer) => (text += chunk))
      res.on('end', () => {
        clearInterval(drip)
        resolve({ status: res.statusCode!, text, ms: Date.now() - began })
      })
    })
    req.on('error', (error) => {
      clearInterval(drip)
      reject(error)
    })
    const drip = setInterval(() => req.write(' '), 1000)
    // Past 14 s without an answer, the body was waited on as long as it takes.
    setTimeout(() => {
      clearInterval(drip)
      req.destroy()
      resolve({ status: 0, text: 'no answer within 14 s', ms: Date.now() - began })
    }, 14_000).unref()
  })
}

describe('the MCP endpoint and a client that sends its body slowly', () => {
  it('answers 408 once the body has taken 10 s, as the span receivers do, and keeps serving', async () => {
    const base = await start(feedApp().app)
    const slow = trickle(`${base}/_debug_toolbar/mcp`)
    // Meanwhile, others are answered.
    expect((await fetch(`${base}/_debug_toolbar/healthz`)).status).toBe(200)
    const answer = await slow
    expect([answer.status, answer.text.slice(0, 200)]).toEqual([408, expect.stringContaining('the body did not arrive within 10 s')])
    expect(JSON.parse(answer.text)).toMatchObject({ jsonrpc: '2.0', error: { message: 'the body did not arrive within 10 s' } })
    expect(answer.ms).toBeLessThan(15_000)
    expect((await fetch(`${base}/_debug_toolbar/healthz`)).status).toBe(200)
  }, 30_000)
})
