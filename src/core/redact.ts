import { isRandomToken } from './random-token.js'

/** Header names whose values are always secret. */
const SECRET_HEADERS = new Set(['authorization', 'cookie', 'set-cookie', 'proxy-authorization', 'x-api-key'])
/** Any name that looks like it carries a secret: `X-Auth-Token`, `X-Auth-Key`, `Ocp-Apim-Subscription-Key`... */
const SECRET_NAME = /secret|password|passwd|token|(?:api|auth|access|private|subscription|functions)[-_]?key|session|credential/i
/**
 * Header names that carry a credential under a name of their own: a forwarded or remapped
 * `Authorization`, a webhook's signature (`Stripe-Signature`, `X-Hub-Signature-256`,
 * `X-Shopify-Hmac-Sha256`), an identity proxy's JWT (`X-Goog-Iap-Jwt-Assertion`), the client
 * certificate a TLS-terminating proxy passes on (`X-Client-Cert`, `X-SSL-Client-Cert`,
 * Envoy's `X-Forwarded-Client-Cert`, `ssl-client-cert`, Azure's `X-ARR-ClientCert`), which
 * names and identifies the user. Only headers: a `signature` column or log field is more
 * often an email's sign-off.
 */
const SECRET_HEADER_NAME = /authori[sz]ation|signature|hmac|jwt|client[-_]?cert/i

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
 * False when no part of `text` can be a secret name, so that a search for secret names in
 * it can stop at once (a SQL text, a log line).
 *
 * @example
 * ```ts
 * mayNameSecret('UPDATE users SET password = ?') // true
 * mayNameSecret('SELECT * FROM books')            // false
 * ```
 */
export function mayNameSecret(text: string): boolean {
  return SECRET_NAME.test(text) || /authorization|cookie/i.test(text)
}

/**
 * True when the value of the header `name` must not be shown or exported: a secret name,
 * or one that only a header uses for a credential.
 *
 * @example
 * ```ts
 * isSecretHeaderName('Stripe-Signature')        // true
 * isSecretHeaderName('X-Forwarded-Client-Cert') // true
 * isSecretHeaderName('Idempotency-Key')         // false
 * ```
 */
export function isSecretHeaderName(name: string): boolean {
  return isSecretName(name) || SECRET_HEADER_NAME.test(name)
}

/**
 * Query parameters whose values OpenTelemetry's HTTP conventions redact by default ("Query
 * string values for the following keys SHOULD be redacted by default and replaced by the
 * value `REDACTED`"), matched case-sensitively as they ask.
 */
export const SENSITIVE_QUERY_KEYS: ReadonlySet<string> = new Set([
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
  'AWSAccessKeyId',
  'Signature',
  'sig',
  'X-Goog-Signature',
])

/**
 * Query parameter names whose values are secrets though the names say nothing of one, matched
 * whole in any case (`spin`, `pinned` and `shopping` are not): a one-time password, a PIN, a
 * social security number, an OAuth PKCE code verifier.
 */
const SECRET_QUERY_NAMES: ReadonlySet<string> = new Set(['otp', 'totp', 'pin', 'passcode', 'ssn', 'code_verifier'])

/**
 * Names that hold a secret in a URL's query only, matched whole in any case: a password's short
 * names (`pwd`, `pass`), a credential under a bare `auth` (Firebase's REST API takes the user's
 * token as `?auth=`) or `bearer`, and a session id (`sid`, as phpBB writes it). In a log line or
 * an object they name other things too (`auth: { user }`, `pass: 3`), so only a URL's are hidden.
 */
const URL_SECRET_NAMES: ReadonlySet<string> = new Set(['pwd', 'pass', 'auth', 'bearer', 'sid'])

/**
 * True when the value of the query parameter `name` (decoded) must not be shown or
 * exported: a secret name, one of the conventions' signature and credential keys, or a
 * one-time code's or personal number's short name (`otp`, `pin`, `ssn`...).
 *
 * @example
 * ```ts
 * isSecretQueryName('X-Amz-Signature') // true
 * isSecretQueryName('api_key')         // true
 * isSecretQueryName('OTP')             // true
 * isSecretQueryName('page')            // false
 * ```
 */
export function isSecretQueryName(name: string): boolean {
  return SENSITIVE_QUERY_KEYS.has(name) || isSecretName(name) || (name.length <= 13 && SECRET_QUERY_NAMES.has(name.toLowerCase()))
}

/**
 * Characters an OAuth authorization code has at least: one an attacker cannot guess
 * (RFC 6749, 10.10) is long (GitHub's are 20, Google's 70 and more), while `?code=FR` (a
 * country), `?code=1` or `?code=SUMMER24` (a discount) are short and no secret.
 */
const MIN_OAUTH_CODE = 16

/**
 * True when the query parameter `name=value` of a URL (the name decoded, the value decoded
 * or as written) must not be shown or exported: a secret name (`isSecretQueryName`), a name
 * that holds a secret in a URL (`signature`, `hmac`, `jwt`, `pwd`, `pass`, `auth`, `bearer`,
 * `sid`), or
 * `code` (in any case) with a value as long as OAuth's authorization codes (`/callback?code=e72e16c7e42f292c6912&state=xyz`,
 * RFC 6749, 4.1.2), which the app trades for the user's tokens. Only in a URL's query: a
 * field `code` of an error's JSON, `exit code=1` in a log line or an HTTP status code stays.
 *
 * @example
 * ```ts
 * isSecretQueryParameter('code', 'e72e16c7e42f292c6912') // true
 * isSecretQueryParameter('api_key', 'k1')                // true
 * isSecretQueryParameter('hmac', 'a1b2')                 // true
 * isSecretQueryParameter('code', 'FR')                   // false
 * ```
 */
export function isSecretQueryParameter(name: string, value: string): boolean {
  if (isSecretQueryName(name) || isUrlSecretName(name)) return true
  // The value is read only for a `code`: other parameters are judged by their name alone.
  return name.length === 4 && name.toLowerCase() === 'code' && value.length >= MIN_OAUTH_CODE && decodeQueryName(value).length >= MIN_OAUTH_CODE
}

/**
 * A URL's query names that hold a secret there only: a header's credential names (a signed
 * URL's `signature` or `hmac`, Shopify's or a webhook's, grants what the key that signed it
 * does; a `jwt` is a token) and `URL_SECRET_NAMES`.
 */
function isUrlSecretName(name: string): boolean {
  return SECRET_HEADER_NAME.test(name) || (name.length <= 6 && URL_SECRET_NAMES.has(name.toLowerCase()))
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
  return [...entries].map(([name, value]) => [name, redactHeader(name, value)])
}

function redactHeader(name: string, value: string): string {
  if (isSecretHeaderName(name)) return REDACTED
  const lower = name.toLowerCase()
  if (lower === 'baggage') return redactBaggage(value)
  return URL_HEADERS.has(lower) ? redactUrlText(value) : value
}

/** Headers whose value is a URL: a reset link in `Referer`, a token in a redirect's `Location`. */
const URL_HEADERS = new Set(['referer', 'location', 'content-location'])

/**
 * How many URLs deep a URL given as a parameter's value is looked into: a sign-in link's
 * `next` holds a URL whose own `redirect_uri` holds another (`?next=https%3A%2F%2Fidp%2Fauth%3Fredirect_uri%3Dhttps%253A%252F%252Fapp%252Fcb%253Ftoken%253Dabc`),
 * percent-encoded once more at each level, and chains of identity providers and redirect
 * services add a level each. Eight is more than any real chain; bounded, so that a crafted
 * value costs at most eight passes over its text (each level reads only the decoded values of
 * the level above, never the same text twice at one level).
 */
export const NESTED_URL_LEVELS = 8

/**
 * A URL as written (absolute or not) with its user info and the values of secret-named
 * parameters, in the query and in a fragment (where OAuth puts tokens), redacted. A URL
 * that is itself a parameter's value (`?next=https%3A%2F%2Fapi%2Fcb%3Ftoken%3Dabc`,
 * `?callback=https://user:pass@host/x`) is redacted the same way, and a URL in its values
 * too, `NESTED_URL_LEVELS` deep.
 *
 * @example
 * ```ts
 * redactUrlText('/signed-in?access_token=abc&state=7') // '/signed-in?access_token=********&state=7'
 * redactUrlText('/login?next=%2Fcb%3Ftoken%3Dabc')     // '/login?next=%2Fcb%3Ftoken%3D********'
 * ```
 */
export function redactUrlText(url: string): string {
  return redactUrlAt(url, REDACTED, NESTED_URL_LEVELS)
}

/** `redactUrlText`, looking into URLs in parameter values `levels` deep, so that it ends. */
function redactUrlAt(url: string, placeholder: string, levels: number): string {
  const hash = url.indexOf('#')
  const beforeHash = hash < 0 ? url : url.slice(0, hash)
  const query = beforeHash.indexOf('?')
  const base = (query < 0 ? beforeHash : beforeHash.slice(0, query)).replace(/^((?:[a-z][a-z0-9+.-]*:)?\/\/)[^/?#@]*@/i, `$1${placeholder}@`)
  const search = query < 0 ? '' : `?${redactQueryAt(beforeHash.slice(query + 1), placeholder, levels)}`
  const fragment = hash < 0 ? '' : `#${redactQueryAt(url.slice(hash + 1), placeholder, levels)}`
  return `${base}${search}${fragment}`
}

/**
 * `name=value&...` as written, with the values of secret-named parameters redacted, and
 * the secrets of a URL that is a parameter's value (as `redactQueryValue` does).
 *
 * @example
 * ```ts
 * redactQueryParameters('q=shoes&api_key=k1') // 'q=shoes&api_key=********'
 * ```
 */
export function redactQueryParameters(text: string): string {
  return redactQueryAt(text, REDACTED, NESTED_URL_LEVELS)
}

function redactQueryAt(text: string, placeholder: string, levels: number): string {
  return text
    .split('&')
    .map((part) => {
      const at = part.indexOf('=')
      const name = at === -1 ? part : part.slice(0, at)
      if (isSecretQueryParameter(decodeQueryName(name), at === -1 ? '' : part.slice(at + 1))) return `${name}=${placeholder}`
      return levels > 0 && at !== -1 ? `${name}=${redactWrittenValue(part.slice(at + 1), placeholder, levels)}` : part
    })
    .join('&')
}

// An absolute URL, or one that starts at a host (`//host`) or a path (`/cb`).
const URL_START = /^(?:[a-z][a-z0-9+.-]*:\/\/|\/)/i

/**
 * A query parameter's value as written (percent-encoded or not), kept as it is unless it
 * holds a token its shape gives away or a URL with a secret (`redactQueryValue`, `levels`
 * URLs deep), which is then encoded again: how a value is redacted in a query string and in
 * free text, whatever its parameter's name.
 *
 * @example
 * ```ts
 * redactWrittenValue('https%3A%2F%2Fx%2Fcb%3Ftoken%3Dabc', '********') // 'https%3A%2F%2Fx%2Fcb%3Ftoken%3D********'
 * redactWrittenValue('Bearer+abcd1234efgh', '********')                // 'Bearer%20********'
 * redactWrittenValue('blue', '********')                              // 'blue'
 * ```
 */
export function redactWrittenValue(value: string, placeholder: string, levels = NESTED_URL_LEVELS): string {
  if (!value.includes('%') && !value.includes('+')) return redactQueryValue(value, placeholder, levels)
  const decoded = decodeQueryName(value)
  const redacted = redactQueryValue(decoded, placeholder, levels)
  return redacted === decoded ? value : encodeURIComponent(redacted)
}

/**
 * A query parameter's value (decoded) with the tokens its shape gives away redacted
 * (`redactBareSecrets`: a JWT, `Bearer <token>`, `ghp_...`, `sk_live_...`; and a whole
 * value that is a long run of random hex or base64, `isRandomToken`), and the user
 * info and secret-named parameters of the URL it holds (absolute, `//host...` or
 * `/path...`), and those of the URLs in its own values, `levels` URLs deep in all
 * (`NESTED_URL_LEVELS`).
 *
 * @example
 * ```ts
 * redactQueryValue('https://user:pass@host/cb?token=abc&x=1') // 'https://********@host/cb?token=********&x=1'
 * redactQueryValue('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI3In0.c2ln') // '********'
 * redactQueryValue('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08') // '********'
 * redactQueryValue('blue')                                    // 'blue'
 * ```
 */
export function redactQueryValue(value: string, placeholder = REDACTED, levels = NESTED_URL_LEVELS): string {
  if (isRandomToken(value)) return placeholder
  const shown = redactBareSecrets(value, placeholder)
  if (levels <= 0 || !/[?#@]/.test(shown) || !URL_START.test(shown)) return shown
  return redactUrlAt(shown, placeholder, levels - 1)
}

/**
 * The value of the query parameter `name=value` (both decoded) as the toolbar shows and
 * exports it: `placeholder` for a secret (`isSecretQueryParameter`), else the value with its
 * secrets redacted (`redactQueryValue`). The one rule of the Request panel's query and the
 * `url.query` / `url.full` of the spans the toolbar makes.
 *
 * @example
 * ```ts
 * redactQueryParameter('api_key', 'k1', 'REDACTED')       // 'REDACTED'
 * redactQueryParameter('x', 'ghp_' + 'a'.repeat(36), 'REDACTED') // 'REDACTED'
 * redactQueryParameter('page', '2', 'REDACTED')          // '2'
 * ```
 */
export function redactQueryParameter(name: string, value: string, placeholder = REDACTED): string {
  return isSecretQueryParameter(name, value) ? placeholder : redactQueryValue(value, placeholder)
}

/*
 * Secrets known by their shape alone, with no name around them (a bare token in a log line, a
 * SQL param, an attribute's value), in one precompiled pattern:
 * - a JWT: a base64url JSON header and payload (`{"` encodes as `eyJ`), then a signature;
 * - an HTTP credential written out, `Bearer <token>` / `Basic <base64>`, the scheme kept (not
 *   `Bearer tokens` or `Basic Auth`: a word, or a word in capitals, is prose);
 * - tokens whose prefix says what they are, as GitHub's and GitLab's secret scanners match
 *   them: GitHub (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`), GitLab (`glpat-`,
 *   `gldt-`, `glrt-`, `glptt-`, `glsoat-`, `glcbt-`), Stripe (`sk_live_`, `rk_live_`, and their
 *   `_test_` keys), Slack (`xoxb-`, `xoxp-`, ...), AWS access key ids (`AKIA`/`ASIA` + 16),
 *   Google API keys (`AIza` + 35), npm (`npm_`), OpenAI and Anthropic (`sk-proj-`, `sk-ant-`...).
 * Each starts with a literal and asks for a length no id has, so uuids, hex trace ids and
 * request ids stay readable. A JWT's header is not read past a `-eyJ`, where another one
 * would start (from each `eyJ` of `eyJ-eyJ-...` it was read to the text's end, which cost
 * the text's length squared): a header that holds `-eyJ` is replaced from there on, with
 * its payload and signature, whatever its length after the hyphen.
 */
const BARE_SECRET = new RegExp(
  [
    String.raw`\b(?:(?<!-)eyJ(?:\w|-(?!eyJ)){8,}|(?<=-)eyJ(?:\w|-(?!eyJ))*)\.eyJ[\w-]{8,}\.[\w-]*`,
    String.raw`\b((?:[Bb]earer|BEARER|[Bb]asic|BASIC)[ \t]+)(?!(?:[A-Za-z][a-z]*|[A-Z]+)(?![\w.~+/=-]))[\w.~+/-]{4,}=*`,
    String.raw`\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_\w{22,}|gl(?:pat|dt|rt|ptt|soat|cbt)-[\w-]{20,}|[rs]k_(?:live|test)_[A-Za-z0-9]{16,}|xox[abeoprs]-[\w-]{10,}|(?:AKIA|ASIA)[A-Z0-9]{16}|AIza[\w-]{35}|npm_[A-Za-z0-9]{36}|sk-(?:proj|svcacct|admin|ant)-[\w-]{20,})(?![\w-])`,
  ].join('|'),
  'g',
)

/**
 * `text` with every secret that its shape gives away, with no name around it, replaced by
 * `placeholder`: a JWT, the credential of `Bearer <token>` / `Basic <base64>` (the scheme is
 * kept), and tokens with a known prefix (`ghp_`, `github_pat_`, `glpat-`, `sk_live_`, `xoxb-`,
 * `AKIA...`, `AIza...`). `redactText` does this too; the SQL panel applies it alone to SQL text
 * and params, which it shows as written.
 *
 * @example
 * ```ts
 * redactBareSecrets('cloning with ghp_0123456789abcdefghijABCDEFGHIJ012345') // 'cloning with ********'
 * redactBareSecrets('sent Bearer eyJhbGciOi.x-1 to /api')                     // 'sent Bearer ******** to /api'
 * redactBareSecrets('request 3f2a9c1e-4b7d-4e8a-9f00-1c2d3e4f5a6b')            // unchanged
 * ```
 */
export function redactBareSecrets(text: string, placeholder: string = REDACTED): string {
  BARE_SECRET.lastIndex = 0
  return BARE_SECRET.test(text) ? text.replace(BARE_SECRET, (_whole, scheme?: string) => `${scheme ?? ''}${placeholder}`) : text
}

/**
 * A W3C `baggage` header value with the values of secret-looking members redacted (their
 * keys and properties kept): baggage is the caller's data, and `user.password=...` in it is
 * as secret as a header of that name.
 *
 * @example
 * ```ts
 * redactBaggage('user.id=42,user.password=hunter2;ttl=60') // 'user.id=42,user.password=********;ttl=60'
 * ```
 */
export function redactBaggage(value: string): string {
  return value
    .split(',')
    .map((member) => {
      const eq = member.indexOf('=')
      const key = eq < 0 ? '' : decodeBaggageKey(member.slice(0, eq).trim())
      if (!isSecretName(key)) return member
      const properties = member.indexOf(';', eq)
      return `${member.slice(0, eq + 1)}${REDACTED}${properties < 0 ? '' : member.slice(properties)}`
    })
    .join(',')
}

function decodeBaggageKey(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * A query parameter's name as the app reads it (`+` and `%xx` decoded), or as written when
 * malformed: what `isSecretQueryName` is asked about when a query is redacted as text.
 *
 * @example
 * ```ts
 * decodeQueryName('pass%77ord') // 'password'
 * decodeQueryName('%zz')        // '%zz'
 * ```
 */
export function decodeQueryName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '))
  } catch {
    return name
  }
}
