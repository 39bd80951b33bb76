/** The span model lives in core (stores and the browser use it); re-exported for the OpenTelemetry entry. */
export * from '../core/span-model.js'
