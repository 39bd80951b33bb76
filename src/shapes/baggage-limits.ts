/**
 * The W3C Baggage limits, as `@opentelemetry/core`'s propagator applies them when it reads
 * and writes the `baggage` header (core does not export them). One place for the figures
 * that the Trace context panel's badge and the MCP server write, so that what they say
 * cannot drift from one another; the propagation tests check them against core's behaviour.
 * Nothing here imports Node or any layer: the browser bundle imports it too.
 */

/** List-members kept of one `baggage` header. */
export const BAGGAGE_MAX_MEMBERS = 180

/** Bytes of one list-member (key, value and properties); a longer one is not kept. */
export const BAGGAGE_MAX_MEMBER_BYTES = 4096

/** Bytes of all the list-members kept, together. */
export const BAGGAGE_MAX_BYTES = 8192

/**
 * Why baggage members were not kept, as the Trace context panel's badge and `get_request`
 * say it after the count (`20 dropped (over 180 members, …)`).
 */
export const BAGGAGE_DROPPED_REASON = `over ${BAGGAGE_MAX_MEMBERS} members, ${BAGGAGE_MAX_MEMBER_BYTES} bytes a member or ${BAGGAGE_MAX_BYTES} bytes in all, or malformed`
