/**
 * The one-line commands the toolbar suggests for starting a collector on this machine, shared
 * by the server (the console hint on a first run without one) and the browser (the panel's
 * note when the toolbar exports nowhere), so that both say the same. The Jaeger image is the
 * one the container tests run against.
 */

/** Jaeger with its UI (16686) and OTLP over gRPC (4317) and HTTP (4318). */
export const JAEGER_COMMAND = 'docker run --rm -p 16686:16686 -p 4317:4317 -p 4318:4318 cr.jaegertracing.io/jaegertracing/jaeger:2.11.0'

/** Zipkin with its UI and API on 9411. */
export const ZIPKIN_COMMAND = 'docker run --rm -p 9411:9411 openzipkin/zipkin'
