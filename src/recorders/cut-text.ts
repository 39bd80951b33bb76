/**
 * Text a recorder keeps in a request's record, cut to a length. The record lives as long as
 * the request is in the history, so what it keeps must be bounded in size, not only in count.
 */

/**
 * `text` cut to `max` characters, saying how many it left out; shorter text is returned as
 * it is. The cut never splits a surrogate pair (an emoji), and the cut text is a copy:
 * V8 makes `slice()` of a long string a view that keeps the whole string alive, so a 1 MB
 * template name cut to 1 KB still held its megabyte for as long as the request was kept.
 *
 * @example
 * ```ts
 * cutText('x'.repeat(10), 4) // 'xxxx… (6 more characters)'
 * ```
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text
  const end = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max
  return ownCopy(`${text.slice(0, end)}… (${text.length - end} more characters)`)
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}

/** A string with its own characters, holding on to no longer string. */
function ownCopy(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le')
}
