/**
 * Shown instead of the export status when OTEL_SDK_DISABLED=true: the toolbar still records
 * the waterfall, but exports nothing, and the developer should know which variable did it.
 *
 * @example
 * ```tsx
 * <SdkDisabledNote variable="OTEL_SDK_DISABLED" />
 * ```
 */
export function SdkDisabledNote({ variable }: { variable: string }) {
  return (
    <p class="hdt-otel-export hdt-muted" data-export="disabled">
      The OpenTelemetry SDK is disabled by <code>{variable}=true</code>: the waterfall is recorded here, nothing is
      exported, and the app's own instrumentation records nothing.
    </p>
  )
}
