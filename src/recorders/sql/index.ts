export { recordQuery, type QueryInput } from './record-query.js'
export { instrumentBetterSqlite3, type BetterSqlite3Database } from './better-sqlite3.js'
export { instrumentPg, type PgQueryable } from './pg.js'
export type { QueryPlan } from './explain-target.js'
