import type { HeadersStats } from '../../../src/panels/headers.js'
import type { PanelProps } from '../types.js'
import { KeyValueTable } from './key-value-table.js'

/** The Headers panel: request and response headers; secret values arrive already redacted. */
export function HeadersView({ stats }: PanelProps<HeadersStats>) {
  return (
    <div class="hdt-headers">
      <h2 class="hdt-section-title">Request headers</h2>
      <KeyValueTable label="Request headers" rows={stats.request} empty="No request headers." />
      <h2 class="hdt-section-title">Response headers</h2>
      <KeyValueTable label="Response headers" rows={stats.response} empty="No response headers." />
    </div>
  )
}
