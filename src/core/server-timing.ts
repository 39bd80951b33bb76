import type { ServerTimingMetric } from './panel.js'

// The prefix lives with the shapes the browser code imports too (it reads `hdt-total` back).
export { SERVER_TIMING_PREFIX } from '../shapes/server-timing-names.js'

/**
 * Formats metrics as a `Server-Timing` header value (RFC: `name;dur=1.2;desc="..."`).
 * Names are reduced to token characters and descriptions quoted, so user data cannot
 * break the header.
 *
 * @example
 * ```ts
 * formatServerTiming([{ name: 'hdt-sql', dur: 4.1, desc: '3 queries' }]) // 'hdt-sql;dur=4.1;desc="3 queries"'
 * ```
 */
export function formatServerTiming(metrics: ServerTimingMetric[]): string {
  let header = ''
  for (const metric of metrics) {
    // Sent with every recorded response: the replacements run only when something needs one.
    let entry = isToken(metric.name) ? metric.name : metric.name.replace(NOT_TOKEN, '_') || 'metric'
    if (metric.dur !== undefined && Number.isFinite(metric.dur)) entry += `;dur=${hundredths(metric.dur)}`
    if (metric.desc) entry += `;desc="${isPlain(metric.desc) ? metric.desc : metric.desc.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '?')}"`
    header = header ? `${header}, ${entry}` : entry
  }
  return header
}

/**
 * `ms` rounded to hundredths, as `String(Math.round(ms * 100) / 100)` writes it, from whole
 * numbers: a double's shortest form costs several times more than two integers' (the header
 * goes out with every recorded response).
 */
function hundredths(ms: number): string {
  const n = Math.round(ms * 100)
  if (n < 0 || n > 0x7fffffff) return String(n / 100)
  const whole = (n / 100) | 0
  const rest = n - whole * 100
  if (rest === 0) return `${whole}`
  if (rest % 10 === 0) return `${whole}.${rest / 10}`
  return `${whole}.${rest < 10 ? '0' : ''}${rest}`
}

const NOT_TOKEN = /[^!#$%&'*+\-.^_`|~0-9A-Za-z]/g

// The checks below run on every metric of every recorded response: a loop over character
// codes costs a fraction of a regular expression's call on strings this short.

/** A non-empty RFC 9110 token (`1*tchar`): usable as a metric name as it is. */
function isToken(name: string): boolean {
  if (name.length === 0) return false
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i)
    if (code >= 128 || TCHAR[code] !== 1) return false
  }
  return true
}

/** Printable ASCII without a quote or backslash: safe in a quoted description as it is. */
function isPlain(desc: string): boolean {
  for (let i = 0; i < desc.length; i++) {
    const code = desc.charCodeAt(i)
    if (code < 0x20 || code > 0x7e || code === QUOTE || code === BACKSLASH) return false
  }
  return true
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
/** 1 at the ASCII codes of RFC 9110's `tchar`. */
const TCHAR = new Uint8Array(128)
for (const char of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TCHAR[char.charCodeAt(0)] = 1
