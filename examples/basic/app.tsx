import { Hono, type Context } from 'hono'
import { timing, startTime, endTime } from 'hono/timing'
import type { VNode } from 'preact'
import { renderToString } from 'preact-render-to-string'
import { debugToolbar, recordLog, renderTemplate, type ToolbarStore } from 'hono-debug-toolbar'
import { OpenTelemetryPanel } from 'hono-debug-toolbar/opentelemetry'
import { openDatabase, type Post, type User } from './db.js'
import { Layout, NewUserForm, UserList, UserPage } from './views.js'

/**
 * The demo app: a few HTML pages rendered with Preact, a JSON API, a form, SQLite through
 * better-sqlite3, console logging, a slow route, a streamed page and a route that throws.
 * `options.store` keeps the toolbar's history elsewhere than in memory (see store.ts).
 */
export function createApp(options: { store?: ToolbarStore } = {}) {
  const db = openDatabase()
  const app = new Hono()

  app.use(timing())
  app.use(
    debugToolbar({
      app,
      store: options.store,
      extraPanels: [
        new OpenTelemetryPanel({
          serviceName: 'demo-basic',
          // No collector is needed to try the demo: export only when one is configured.
          exporter: process.env.OTEL_TRACES_EXPORTER ? undefined : 'none',
        }),
      ],
    }),
  )

  /** Renders a page: the content as a partial, then the layout around it, each timed. */
  const page = (c: Context, title: string, partial: string, content: () => VNode, status: 200 | 400 = 200) =>
    renderTemplate(`page ${title}`, () => {
      const inner = renderTemplate(partial, () => renderToString(content()))
      const html = renderTemplate('layout', () =>
        renderToString(
          <Layout title={title}>
            <div dangerouslySetInnerHTML={{ __html: inner }} />
          </Layout>,
        ),
      )
      return c.html(`<!doctype html>${html}`, status)
    })

  /** A stand-in for a mail service that answers after 200 ms. */
  const sendWelcomeEmail = async (userId: number) => {
    await new Promise((resolve) => setTimeout(resolve, 200))
    const user = db.prepare('SELECT name, email FROM users WHERE id = ?').get(userId) as Pick<User, 'name' | 'email'> | undefined
    if (user) console.info('welcome email sent to user %d', userId)
  }

  app.get('/', (c) => {
    const users = db
      .prepare('SELECT users.*, COUNT(posts.id) AS posts FROM users LEFT JOIN posts ON posts.user_id = users.id GROUP BY users.id ORDER BY name')
      .all() as Array<User & { posts: number }>
    console.log('listing %d users', users.length)
    return page(c, 'Users', 'user-list', () => <UserList users={users} />)
  })

  app.get('/users/:id', (c) => {
    const user = db.prepare('SELECT * FROM users WHERE id = ?').get(Number(c.req.param('id'))) as User | undefined
    if (!user) {
      console.warn('no user with id %s', c.req.param('id'))
      return c.notFound()
    }
    const posts = db.prepare('SELECT * FROM posts WHERE user_id = ? ORDER BY id').all(user.id) as Post[]
    // One query per post: the N+1 pattern the SQL panel flags as similar queries.
    const withComments = posts.map((post) => ({
      ...post,
      comments: db.prepare('SELECT author, text FROM comments WHERE post_id = ?').all(post.id) as Array<{ author: string; text: string }>,
    }))
    recordLog('info', `showing ${user.name}`, { userId: user.id, posts: posts.length })
    return page(c, user.name, 'user-page', () => <UserPage user={user} posts={withComments} />)
  })

  app.get('/api/users', (c) => {
    const users = db.prepare('SELECT id, name, email FROM users ORDER BY id').all()
    return c.json({ users })
  })

  app.get('/api/stats', (c) => {
    const row = db.prepare('SELECT (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM posts) AS posts').get()
    return c.json(row)
  })

  app.get('/form', (c) => page(c, 'New user', 'new-user-form', () => <NewUserForm />))

  app.post('/form', async (c) => {
    const form = await c.req.formData()
    const name = String(form.get('name') ?? '').trim()
    const email = String(form.get('email') ?? '').trim()
    try {
      const { lastInsertRowid } = db.prepare('INSERT INTO users (name, email) VALUES (?, ?)').run(name, email)
      console.info('created user %s', name)
      // Sent after the answer, as apps send mail: the Logging and SQL panels mark it "after
      // the response", and the waterfall shows it past the end of the request's span.
      void sendWelcomeEmail(Number(lastInsertRowid))
      return c.redirect(`/users/${lastInsertRowid}`, 303)
    } catch (error) {
      console.error('could not create user:', (error as Error).message)
      return page(c, 'New user', 'new-user-form', () => <NewUserForm error={(error as Error).message} />, 400)
    }
  })

  app.get('/slow', async (c) => {
    startTime(c, 'wait', 'Waiting on a slow service')
    await new Promise((resolve) => setTimeout(resolve, 250))
    endTime(c, 'wait')
    startTime(c, 'compute', 'Busy CPU work')
    const x = sumOfSquareRoots(2e7)
    endTime(c, 'compute')
    console.log('slow page computed %d', Math.round(x))
    return page(c, 'Slow page', 'slow', () => <p>This page waited 250 ms and computed for a while. Try it with ?_dt_profile=1.</p>)
  })

  app.get('/stream', (c) => {
    const encoder = new TextEncoder()
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode('<!doctype html><html><head><title>Streamed</title><link rel="icon" href="data:,"></head><body><h1>Streamed page</h1>'))
        for (let i = 1; i <= 5; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100))
          controller.enqueue(encoder.encode(`<p>chunk ${i} of 5</p>`))
        }
        controller.enqueue(encoder.encode('<p><a href="/">Back</a></p></body></html>'))
        controller.close()
      },
    })
    return c.body(body, 200, { 'content-type': 'text/html; charset=utf-8' })
  })

  // Calls the app's own API with fetch(): the call becomes a CLIENT span and carries traceparent.
  app.get('/report', async (c) => {
    const origin = new URL(c.req.url).origin
    const stats = (await (await fetch(`${origin}/api/stats`)).json()) as { users: number; posts: number }
    return page(c, 'Report', 'report', () => (
      <p>
        {stats.users} users wrote {stats.posts} notes.
      </p>
    ))
  })

  app.get('/live', (c) =>
    page(c, 'Fetch from the page', 'live', () => (
      <div>
        <p>This page loads the users with fetch(); the toolbar follows that request too.</p>
        <button id="load" onClick={undefined}>Load users</button>
        <ul id="users" />
        <script
          dangerouslySetInnerHTML={{
            __html: `document.getElementById('load').addEventListener('click', async () => {
  const { users } = await (await fetch('/api/users')).json()
  const list = document.getElementById('users')
  list.replaceChildren(...users.map((u) => Object.assign(document.createElement('li'), { textContent: u.name })))
})`,
          }}
        />
      </div>
    )),
  )

  app.get('/boom', () => {
    db.prepare('SELECT * FROM users WHERE id = 1').get()
    throw new Error('Something went wrong in /boom')
  })

  return app
}

/** /slow's busy CPU work, about 50 ms: a hot function of the app in its profile. */
function sumOfSquareRoots(n: number): number {
  let x = 0
  for (let i = 0; i < n; i++) x += Math.sqrt(i)
  return x
}
