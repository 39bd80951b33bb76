import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Hono } from 'hono'
import { debugToolbar, LoggingPanel, recordLog, type LoggingStats } from '../../src/index.js'
import { SqliteStore } from '../../src/store/sqlite.js'
import { request } from '../support/local.js'

const dir = mkdtempSync(join(tmpdir(), 'hdt-late-writes-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const messagesOf = (detail: { panels: { logging: LoggingStats } }) => detail.panels.logging.logs.map((line) => line.message)

describe('a durable history and work a request leaves running', () => {
  it('keeps the lines logged after the response, for the app after a restart as for the app that logged them', async () => {
    const path = join(dir, 'history.db')
    const store = new SqliteStore({ path })
    const app = new Hono()
    app.use(debugToolbar({ store, panels: [new LoggingPanel()] }))
    let smtpAnswers!: () => void
    const smtp = new Promise<void>((resolve) => (smtpAnswers = resolve))
    let emailSent!: Promise<void>
    app.post('/signup', (c) => {
      recordLog('info', 'account created')
      // Sent after the answer, as apps do with mail and webhooks.
      emailSent = smtp.then(() => recordLog('error', 'welcome email failed: SMTP 421'))
      return c.text('ok')
    })
    const id = (await request(app, '/signup', { method: 'POST' })).headers.get('x-debug-toolbar-request-id')!
    const detailPath = `/_debug_toolbar/api/requests/${id}`
    expect(messagesOf((await request(app, detailPath)).json())).toEqual(['account created'])
    smtpAnswers()
    await emailSent
    // The copy is written again a moment later, then the process stops (its queue is written on close).
    await sleep(400)
    await store.close()

    const restarted = new Hono()
    restarted.use(debugToolbar({ store: new SqliteStore({ path }), panels: [new LoggingPanel()] }))
    const detail = (await request(restarted, detailPath)).json()
    expect(messagesOf(detail)).toEqual(['account created', 'welcome email failed: SMTP 421'])
    expect(detail.panels.logging.logs[1].startMs).toBeGreaterThanOrEqual(detail.durationMs)
    // Written over its first copy, not beside it.
    expect((await request(restarted, '/_debug_toolbar/api/requests')).json().total).toBe(1)
  })
})
