/**
 * Query values that are secrets by their shape alone, whatever their parameter's name: a
 * signature or key written as a long run of random hex or base64 (`?sig=9f86d0...`,
 * `?k=q9Xz...`), which no vocabulary of names can catch (`x`, `s`, `h`, `code`). Only whole
 * values are judged, never words inside free text, where a long hex run is more often a
 * commit or a file's hash than a credential; and only shapes a person does not type:
 *
 * - hex: 40 digits or more (160 bits: SHA-1 and SHA-256 signatures, keys of 20 bytes and
 *   more), in one case, with letters and digits. 32 digits is the shape of the ids the
 *   toolbar itself shows (trace ids), of a uuid without its hyphens and of an MD5, which
 *   stay readable.
 * - base64 (standard or URL-safe, not both): 32 characters or more (24 bytes and more)
 *   mixing upper and lower case, that does not read as words: its kind of character (lower,
 *   upper, digit, sign) changes at one place in four or more, and some run of letters in it
 *   is shorter than a word (`Xq`, `bR`). A random value of 32 bytes fails one of those about
 *   twice in a million; names such as `getUserAccountSettingsForOrganization` or
 *   `dashboard/Settings/Notifications` pass neither.
 */

const MIN_HEX = 40
const MIN_BASE64 = 32
const HEX = /^(?:[0-9a-f]+|[0-9A-F]+)$/
const BASE64 = /^(?:[A-Za-z0-9+/]+|[\w-]+)={0,2}$/
// The runs of letters a value splits into: a word (`Quick`, `user`) or an acronym (`XML`).
const LETTER_RUN = /[A-Z]?[a-z]+|[A-Z]+(?![a-z])/g

/**
 * True when `value`, as a whole, is a long run of random hex or base64: a credential or a
 * signature that its shape gives away (see above). Ordinary values (words, paths, ids,
 * uuids, trace ids, numbers, dates, emails) are not.
 *
 * @example
 * ```ts
 * isRandomToken('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08') // true
 * isRandomToken('4bf92f3577b34da6a3ce929d0e0e4736') // false: a trace id
 * isRandomToken('getUserAccountSettingsForOrganization') // false
 * ```
 */
export function isRandomToken(value: string): boolean {
  // Almost every query value is shorter: the one test most of them take.
  if (value.length < MIN_BASE64) return false
  if (value.length >= MIN_HEX && HEX.test(value)) return isRandomHex(value)
  return BASE64.test(value) && isRandomBase64(value.replace(/={1,2}$/, ''))
}

function isRandomHex(value: string): boolean {
  // Letters and digits both, and enough of the sixteen: not `deadbeef...` or `1000...0`.
  if (!/\d/.test(value) || !/[a-f]/i.test(value)) return false
  return new Set(value.toLowerCase()).size >= 8
}

function isRandomBase64(text: string): boolean {
  if (text.length < MIN_BASE64 || !/[a-z]/.test(text) || !/[A-Z]/.test(text)) return false
  let changes = 0
  for (let i = 1; i < text.length; i++) if (kind(text.charCodeAt(i)) !== kind(text.charCodeAt(i - 1))) changes++
  if (changes * 4 < text.length - 1) return false
  LETTER_RUN.lastIndex = 0
  for (let run = LETTER_RUN.exec(text); run; run = LETTER_RUN.exec(text)) if (run[0].length < 3) return true
  return false
}

/** 0 lower case, 1 upper case, 2 digit, 3 anything else. */
function kind(code: number): number {
  return code >= 97 && code <= 122 ? 0 : code >= 65 && code <= 90 ? 1 : code >= 48 && code <= 57 ? 2 : 3
}
