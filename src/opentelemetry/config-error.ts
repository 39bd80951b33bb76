/**
 * A setting, from an option or an environment variable, that the panel cannot use. Its
 * message starts with the option or variable's name.
 *
 * @example
 * ```ts
 * throw new OpenTelemetryConfigError('OTEL_TRACES_SAMPLER: unknown sampler "sometimes"')
 * ```
 */
export class OpenTelemetryConfigError extends Error {
  override name = 'OpenTelemetryConfigError'
}
