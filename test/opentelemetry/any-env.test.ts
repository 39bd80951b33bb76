// Whatever the OTEL_* variables of an app's environment hold, the OpenTelemetry panel starts
// with them, or refuses them with an OpenTelemetryConfigError that names the variable; never a
// TypeError from deep inside. fast-check writes the environments.
import { describe, it } from 'vitest'
import fc from 'fast-check'
import { OpenTelemetryConfigError, resolveOpenTelemetryConfig } from '../../src/opentelemetry/config.js'
import { resolveSdkSettings } from '../../src/opentelemetry/sdk-env.js'

const VARIABLES = [
  'OTEL_SERVICE_NAME', 'OTEL_RESOURCE_ATTRIBUTES', 'OTEL_TRACES_EXPORTER', 'OTEL_PROPAGATORS', 'OTEL_SDK_DISABLED',
  'OTEL_TRACES_SAMPLER', 'OTEL_TRACES_SAMPLER_ARG', 'OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS',
  'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
  'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'OTEL_EXPORTER_OTLP_COMPRESSION', 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION',
  'OTEL_EXPORTER_OTLP_TIMEOUT', 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_ZIPKIN_ENDPOINT',
  'OTEL_BSP_SCHEDULE_DELAY', 'OTEL_BSP_EXPORT_TIMEOUT', 'OTEL_BSP_MAX_QUEUE_SIZE', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
  'OTEL_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_SPAN_EVENT_COUNT_LIMIT', 'OTEL_SPAN_LINK_COUNT_LIMIT',
]

// Values as people write them, and as they mistype them.
const value = fc.oneof(
  fc.constantFrom('', ' ', 'none', 'otlp', 'zipkin', 'console', 'otlp,zipkin', 'grpc', 'http/protobuf', 'http/json', 'gzip', 'true', 'false', 'TRUE',
    'tracecontext,baggage', 'b3', 'b3multi', 'jaeger', 'xray', 'always_on', 'parentbased_traceidratio', 'traceidratio', '0.5', '2', '-1', '1e3', 'NaN',
    'http://localhost:4317', 'http://127.0.0.1:4318/v1/traces', 'localhost:4317', 'https://[::1]:4317', 'http://', 'ftp://x', '%', '%ZZ',
    'a=b', 'a=b,c=d', '=x', 'a=', 'a', 'a=%ZZ', 'service.name=x', '__proto__=x', 'GET,POST', 'get', '10000', '0', '99999999999999999999'),
  fc.string({ maxLength: 12 }),
)
const environment = fc.dictionary(fc.constantFrom(...VARIABLES), value, { maxKeys: 6 })

describe('any OTEL_* environment', () => {
  it('gives a configuration, or an OpenTelemetryConfigError that names what was wrong', () => {
    fc.assert(
      fc.property(environment, fc.boolean(), (env, hasSampler) => {
        try {
          resolveOpenTelemetryConfig({ serviceName: env.OTEL_SERVICE_NAME === undefined ? 'shop' : undefined }, env, process.cwd())
          resolveSdkSettings(env, hasSampler)
          return true
        } catch (error) {
          if (!(error instanceof OpenTelemetryConfigError)) throw error
          // The message starts with the variable it read, and says what was wrong with it.
          return /^OTEL_[A-Z_]+: .*(expected|malformed|more than)/.test(error.message)
        }
      }),
      { numRuns: 5000 },
    )
  })
})
