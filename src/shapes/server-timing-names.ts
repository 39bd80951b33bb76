/**
 * The names of the toolbar's own `Server-Timing` metrics, shared by the server that writes
 * them and the browser code that reads them back.
 */

/**
 * The prefix of the toolbar's own Server-Timing metrics (`hdt-total`, `hdt-sql`, ...), so
 * they never collide with the app's: `hono/timing` writes a `total` of its own, and two
 * `total` entries in one header leave browsers and tools to pick either.
 */
export const SERVER_TIMING_PREFIX = 'hdt-'

/** The Timer panel's metric: the toolbar's time for the whole request (`hdt-total`). */
export const TOTAL_METRIC = `${SERVER_TIMING_PREFIX}total`
