/** Header names whose values are always secret. */
const SECRET_HEADERS = new Set(['authorization', 'cookie', 'set-cookie', 'proxy-authorization', 'x-api-key'])
/** Any name that looks like it carries a secret. */
const SECRET_NAME = /secret|password|passwd|token|api[-_]?key|session|credential/i

/** What a redacted value is replaced with. */
export const REDACTED = '********'

/**
 * True when a header, cookie, parameter or attribute named `name` must not be shown or exported.
 *
 * @example
 * ```ts
 * isSecretName('Authorization') // true
 * isSecretName('x-request-id')  // false
 * ```
 */
export function isSecretName(name: string): boolean {
  return SECRET_HEADERS.has(name.toLowerCase()) || SECRET_NAME.test(name)
}

/**
 * A copy of `entries` with secret values replaced by `********`.
 *
 * @example
 * ```ts
 * redactEntries([['cookie', 'sid=1'], ['accept', 'text/html']])
 * // [['cookie', '********'], ['accept', 'text/html']]
 * ```
 */
export function redactEntries(entries: Iterable<[string, string]>): Array<[string, string]> {
  return [...entries].map(([name, value]) => [name, isSecretName(name) ? REDACTED : value])
}
