/**
 * Header values as the client wrote them. HTTP carries a header's value as bytes, and Node
 * (like the fetch `Headers`) hands each byte over as one character, as Latin-1 reads it: a
 * client that sends `X-User: José` writes the UTF-8 bytes `4A 6F 73 C3 A9`, which arrive as
 * `JosÃ©`. Clients today write UTF-8 (curl, browsers for `fetch()` headers they are allowed
 * to send, every HTTP library that takes a string), so a value whose bytes read as UTF-8 is
 * shown as that text; any other (Latin-1 bytes, `Café` with `E9` for `é`) stays as it
 * arrived, one character a byte. Read when a panel is shown, never as a request is recorded.
 */

// Fatal: bytes that are not UTF-8 throw, and the value is kept. The BOM is kept too: it is part of the value.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
// A byte above 0x7F: without one, a value is ASCII and reads the same either way (almost every header).
const HIGH_BYTE = /[\x80-\xff]/
// A character above 0xFF cannot be a byte: the value was text already (a Headers built by code).
const NOT_A_BYTE = /[^\x00-\xff]/

/**
 * A header value received as bytes (one character each) read as UTF-8 text when its bytes
 * are UTF-8, else as it is.
 *
 * @example
 * ```ts
 * headerText('JosÃ©')       // 'José': the UTF-8 bytes of 'José'
 * headerText('Caf\u00e9')   // 'Café': a lone E9 byte is no UTF-8, kept as Latin-1
 * headerText('text/html')   // 'text/html'
 * ```
 */
export function headerText(value: string): string {
  if (!HIGH_BYTE.test(value) || NOT_A_BYTE.test(value)) return value
  const bytes = new Uint8Array(value.length)
  for (let i = 0; i < value.length; i++) bytes[i] = value.charCodeAt(i)
  try {
    return UTF8.decode(bytes)
  } catch {
    return value
  }
}

/**
 * `[name, value]` header pairs with each value read by `headerText`; the same array when
 * every value is ASCII.
 *
 * @example
 * ```ts
 * headerEntriesText([['x-user', 'JosÃ©'], ['accept', 'text/html']]) // [['x-user', 'José'], ['accept', 'text/html']]
 * ```
 */
export function headerEntriesText(entries: Array<[string, string]>): Array<[string, string]> {
  let copy: Array<[string, string]> | undefined
  entries.forEach(([name, value], at) => {
    const text = headerText(value)
    if (text === value) return
    copy ??= entries.slice()
    copy[at] = [name, text]
  })
  return copy ?? entries
}
