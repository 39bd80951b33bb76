import Database from 'better-sqlite3'
import { instrumentBetterSqlite3 } from 'hono-debug-toolbar'

export interface User {
  id: number
  name: string
  email: string
}

export interface Post {
  id: number
  user_id: number
  title: string
  body: string
}

/** An in-memory SQLite database seeded at start, with every query recorded by the toolbar. */
export function openDatabase(): Database.Database {
  const db = instrumentBetterSqlite3(new Database(':memory:'))
  db.exec(`
    CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE);
    CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), title TEXT NOT NULL, body TEXT NOT NULL);
    CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL REFERENCES posts(id), author TEXT NOT NULL, text TEXT NOT NULL);
    CREATE INDEX posts_user ON posts(user_id);
  `)
  const names = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra', 'Barbara Liskov', 'Donald Knuth']
  const addUser = db.prepare('INSERT INTO users (name, email) VALUES (?, ?)')
  const addPost = db.prepare('INSERT INTO posts (user_id, title, body) VALUES (?, ?, ?)')
  const addComment = db.prepare('INSERT INTO comments (post_id, author, text) VALUES (?, ?, ?)')
  db.transaction(() => {
    names.forEach((name, i) => {
      const userId = Number(addUser.run(name, `${name.split(' ')[0].toLowerCase()}@example.com`).lastInsertRowid)
      for (let p = 1; p <= 3; p++) {
        const postId = Number(addPost.run(userId, `${name.split(' ')[1]}'s note #${p}`, `Thoughts number ${p} of ${name}.`).lastInsertRowid)
        addComment.run(postId, names[(i + p) % names.length], `A reply to note #${p}.`)
      }
    })
  })()
  return db
}
