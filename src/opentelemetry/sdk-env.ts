/**
 * The standard SDK variables of the OpenTelemetry specification that concern traces, for the
 * SDK the panel owns (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/):
 * OTEL_SDK_DISABLED, the sampler, the batch span processor, the export timeout and the span
 * limits. The SDK reads some of these itself, but it logs a bad value and goes on with the
 * default; the toolbar reads them here so that a bad value stops the app at startup with
 * the variable's name, and passes every setting to the SDK explicitly.
 */
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanLimits,
} from '@opentelemetry/sdk-trace-base'
import { OpenTelemetryConfigError } from './config-error.js'

export const SAMPLER_NAMES = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const
export type SamplerName = (typeof SAMPLER_NAMES)[number]

/** The sampler the variables ask for (`source` says where it came from, for the panel). */
export interface SamplerSetting {
  /** `option`: the app's own `sampler` instance. */
  name: SamplerName | 'option'
  /** The ratio of the `traceidratio` samplers (OTEL_TRACES_SAMPLER_ARG, default 1). */
  ratio?: number
  source: 'default' | 'OTEL_TRACES_SAMPLER' | 'sampler option'
}

/** The batch span processor's settings (OTEL_BSP_*). */
export interface BatchSettings {
  scheduledDelayMillis: number
  exportTimeoutMillis: number
  maxQueueSize: number
  maxExportBatchSize: number
}

/** What the SDK variables resolve to; `disabledBy` is set when OTEL_SDK_DISABLED is true. */
export interface SdkSettings {
  disabledBy: 'OTEL_SDK_DISABLED' | undefined
  sampler: SamplerSetting
  batch: BatchSettings
  spanLimits: Required<SpanLimits>
  /** OTEL_EXPORTER_OTLP_TRACES_TIMEOUT, then OTEL_EXPORTER_OTLP_TIMEOUT (ms); undefined: the exporters' default. */
  exportTimeoutMillis: number | undefined
}

// The spec's batch default is 5 s; the toolbar sends after 1 s so that Jaeger shows the
// trace by the time a developer clicks through to it.
const BATCH_DEFAULTS: BatchSettings = { scheduledDelayMillis: 1000, exportTimeoutMillis: 30_000, maxQueueSize: 2048, maxExportBatchSize: 512 }

/**
 * Reads the SDK variables from `env`. Throws `OpenTelemetryConfigError` naming the variable
 * when a value is not one the specification allows. `hasSampler`: the `sampler` option was
 * given, so OTEL_TRACES_SAMPLER is not read. `defaults.minQueueSize`: the batch queue's size
 * when OTEL_BSP_MAX_QUEUE_SIZE is not set, if more than the specification's 2,048 (the
 * panel passes `maxSpansPerTrace`, so that one request's trace fits).
 *
 * @example
 * ```ts
 * resolveSdkSettings({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }, false).sampler
 * // { name: 'traceidratio', ratio: 0.25, source: 'OTEL_TRACES_SAMPLER' }
 * ```
 */
export function resolveSdkSettings(env: NodeJS.ProcessEnv, hasSampler: boolean, defaults: { minQueueSize?: number } = {}): SdkSettings {
  const read = (name: string) => env[name]?.trim() || undefined
  const count = (name: string) => integer(name, read(name), 0)
  const attributeCount = count('OTEL_ATTRIBUTE_COUNT_LIMIT') ?? 128
  const valueLength = count('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT') ?? Infinity
  const batch: BatchSettings = {
    scheduledDelayMillis: integer('OTEL_BSP_SCHEDULE_DELAY', read('OTEL_BSP_SCHEDULE_DELAY'), 0) ?? BATCH_DEFAULTS.scheduledDelayMillis,
    exportTimeoutMillis: integer('OTEL_BSP_EXPORT_TIMEOUT', read('OTEL_BSP_EXPORT_TIMEOUT'), 0) ?? BATCH_DEFAULTS.exportTimeoutMillis,
    maxQueueSize: integer('OTEL_BSP_MAX_QUEUE_SIZE', read('OTEL_BSP_MAX_QUEUE_SIZE'), 1) ?? Math.max(BATCH_DEFAULTS.maxQueueSize, defaults.minQueueSize ?? 0),
    maxExportBatchSize: integer('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', read('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'), 1) ?? BATCH_DEFAULTS.maxExportBatchSize,
  }
  if (batch.maxExportBatchSize > batch.maxQueueSize) {
    throw new OpenTelemetryConfigError(
      `OTEL_BSP_MAX_EXPORT_BATCH_SIZE: ${batch.maxExportBatchSize} is more than the queue size ${batch.maxQueueSize} (OTEL_BSP_MAX_QUEUE_SIZE)`,
    )
  }
  const timeout =
    integer('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', read('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT'), 1) ??
    integer('OTEL_EXPORTER_OTLP_TIMEOUT', read('OTEL_EXPORTER_OTLP_TIMEOUT'), 1)
  return {
    disabledBy: sdkDisabled(read('OTEL_SDK_DISABLED')) ? 'OTEL_SDK_DISABLED' : undefined,
    sampler: hasSampler ? { name: 'option', source: 'sampler option' } : resolveSampler(read),
    batch,
    spanLimits: {
      attributeCountLimit: count('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT') ?? attributeCount,
      attributeValueLengthLimit: count('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT') ?? valueLength,
      eventCountLimit: count('OTEL_SPAN_EVENT_COUNT_LIMIT') ?? 128,
      linkCountLimit: count('OTEL_SPAN_LINK_COUNT_LIMIT') ?? 128,
      attributePerEventCountLimit: count('OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT') ?? attributeCount,
      attributePerLinkCountLimit: count('OTEL_LINK_ATTRIBUTE_COUNT_LIMIT') ?? attributeCount,
    },
    exportTimeoutMillis: timeout,
  }
}

/**
 * The SDK sampler for a setting (`option`, the app's own sampler, is the caller's to pass).
 *
 * @example
 * ```ts
 * samplerFor({ name: 'parentbased_traceidratio', ratio: 0.1, source: 'OTEL_TRACES_SAMPLER' })
 * // ParentBasedSampler{root=TraceIdRatioBased{0.1}}
 * ```
 */
export function samplerFor(setting: SamplerSetting): Sampler {
  const ratio = new TraceIdRatioBasedSampler(setting.ratio ?? 1)
  switch (setting.name) {
    case 'always_on':
      return new AlwaysOnSampler()
    case 'always_off':
      return new AlwaysOffSampler()
    case 'traceidratio':
      return ratio
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() })
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio })
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() })
  }
}

function resolveSampler(read: (name: string) => string | undefined): SamplerSetting {
  const raw = read('OTEL_TRACES_SAMPLER')
  if (raw === undefined) return { name: 'parentbased_always_on', source: 'default' }
  const name = raw.toLowerCase() as SamplerName
  if (!SAMPLER_NAMES.includes(name)) {
    throw new OpenTelemetryConfigError(
      `OTEL_TRACES_SAMPLER: unknown sampler ${JSON.stringify(raw)} (expected ${SAMPLER_NAMES.join(', ')})`,
    )
  }
  if (!name.endsWith('traceidratio')) return { name, source: 'OTEL_TRACES_SAMPLER' }
  const arg = read('OTEL_TRACES_SAMPLER_ARG')
  const ratio = arg === undefined ? 1 : Number(arg)
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1 || !/^[\d.eE+-]+$/.test(arg ?? '1')) {
    throw new OpenTelemetryConfigError(`OTEL_TRACES_SAMPLER_ARG: expected a probability from 0 to 1, got ${JSON.stringify(arg)}`)
  }
  return { name, ratio, source: 'OTEL_TRACES_SAMPLER' }
}

function sdkDisabled(value: string | undefined): boolean {
  if (value === undefined) return false
  const lower = value.toLowerCase()
  if (lower === 'true') return true
  if (lower === 'false') return false
  // The spec's booleans are "true" or "false" only; anything else is a mistake worth stopping for.
  throw new OpenTelemetryConfigError(`OTEL_SDK_DISABLED: expected true or false, got ${JSON.stringify(value)}`)
}

function integer(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(n) || n < min) {
    const expected = min === 0 ? 'a non-negative integer' : 'a positive integer'
    throw new OpenTelemetryConfigError(`${name}: expected ${expected}, got ${JSON.stringify(value)}`)
  }
  return n
}
