/**
 * The bound of the Trace context panel's list of outgoing calls. One place for the figure
 * that the panel applies when a request's `fetch()` calls are noted and that `get_request`
 * writes when it counts the calls past it, so that what it says cannot drift from what
 * the panel keeps. Nothing here imports Node or any layer.
 */

/**
 * Outgoing calls whose trace context the panel lists per request; the rest are counted
 * (`outgoingDropped`).
 *
 * @example
 * ```ts
 * import { MAX_OUTGOING_CALLS } from '../shapes/trace-context-limits.js'
 * `${dropped} more outgoing calls not listed (over ${MAX_OUTGOING_CALLS})` // '3 more outgoing calls not listed (over 50)'
 * ```
 */
export const MAX_OUTGOING_CALLS = 50
