import type { ComponentChildren } from 'preact'
import type { Post, User } from './db.js'

export function Layout({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>{title} · hono-debug-toolbar demo</title>
        {/* No favicon route: without this the browser's /favicon.ico 404 shows in its console and the toolbar's history. */}
        <link rel="icon" href="data:," />
        <style>{`body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d2330}
nav a{margin-right:1rem}code{background:#f1f3f6;padding:0 .25rem;border-radius:3px}
form label{display:block;margin:.5rem 0}li{margin:.25rem 0}`}</style>
      </head>
      <body>
        <nav>
          <a href="/">Users</a>
          <a href="/form">New user</a>
          <a href="/slow">Slow page</a>
          <a href="/stream">Streamed page</a>
          <a href="/report">Report (calls an API)</a>
          <a href="/live">Fetch from the page</a>
          <a href="/boom">Error</a>
          <a href="/_debug_toolbar/">Toolbar history</a>
        </nav>
        <h1>{title}</h1>
        {children}
      </body>
    </html>
  )
}

export function UserList({ users }: { users: Array<User & { posts: number }> }) {
  return (
    <ul>
      {users.map((user) => (
        <li key={user.id}>
          <a href={`/users/${user.id}`}>{user.name}</a> <small>({user.posts} notes)</small>
        </li>
      ))}
    </ul>
  )
}

export function UserPage({ user, posts }: { user: User; posts: Array<Post & { comments: Array<{ author: string; text: string }> }> }) {
  return (
    <article>
      <p>
        <code>{user.email}</code>
      </p>
      {posts.map((post) => (
        <section key={post.id}>
          <h2>{post.title}</h2>
          <p>{post.body}</p>
          <ul>
            {post.comments.map((comment, i) => (
              <li key={i}>
                <b>{comment.author}</b>: {comment.text}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </article>
  )
}

export function NewUserForm({ error }: { error?: string }) {
  return (
    <form method="post" action="/form">
      {error && <p role="alert">{error}</p>}
      <label>
        Name <input name="name" required />
      </label>
      <label>
        Email <input name="email" type="email" required />
      </label>
      <button type="submit">Create</button>
    </form>
  )
}
