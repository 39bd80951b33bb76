import { registerToolbarFeature } from './core/features.js'
import { mountMcp } from './mcp/feature.js'

// The MCP server at {prefix}/mcp is part of every toolbar made through this entry.
registerToolbarFeature(mountMcp)

export { debugToolbar, serverViews } from './debug-toolbar.js'
export { createDebugToolbar, type ToolbarDefaults } from './core/middleware.js'
export type { ToolbarViews, ErrorPageView } from './core/views.js'
export type { ErrorReport, ErrorEntry, StackFrame } from './shapes/error-report.js'
export type { DebugToolbarOptions, McpServerOptions } from './core/options.js'
export { registerToolbarFeature, type ToolbarFeature } from './core/features.js'
export type { TraceSource, TraceLinks } from './core/trace-source.js'
export { redactText } from './mcp/redact.js'
export { Panel, type ServerTimingMetric } from './core/panel.js'
export { RequestRecord, currentRecord, runWithRecord, slotKey, type SlotKey } from './core/record.js'
export { MemoryStore, type ToolbarStore, type StoredRequest, type RequestSummary, type RequestFilter, type RequestPage, type PanelNav } from './core/store.js'
export type { ToolbarHost } from './core/host.js'
export { ToolbarEvents, type ToolbarEvent, type ToolbarEventType, type ToolbarEventListener, type ToolbarEventsOptions, type NumberedEvent, type Replay } from './core/events.js'
export type { LiveEventsOptions } from './core/live-routes.js'
export type { LiveMessage, DroppedNotice } from './core/live-client.js'
export { Toolbar, REQUEST_ID_HEADER, type RequestDetail } from './core/toolbar.js'
export { isSecretName, redactEntries, REDACTED } from './core/redact.js'
export * from './panels/index.js'
export { recordLog, installConsoleCapture, uninstallConsoleCapture } from './recorders/logging.js'
export { pinoToolbarStream, type PinoLineDestination } from './recorders/pino.js'
export { renderTemplate, timedComponent } from './recorders/templates.js'
export { PROFILE_BUSY } from './recorders/profiling.js'
export { SLOTS, LOG_LEVELS, PROFILE_QUERY, PROFILE_HEADER, PROFILE_COOKIE, type LogLevel, type RecordedLog, type LogBook, type RecordedRender, type RenderLog, type RecordedProfile, type ProfileNode } from './shapes/records.js'
export { SqlPanel, type SqlPanelOptions, type SqlStats, type SqlQueryStats, type SqlQueryGroup } from './panels/sql.js'
export { recordQuery, instrumentBetterSqlite3, instrumentPg, type QueryInput, type BetterSqlite3Database, type PgQueryable, type QueryPlan } from './recorders/sql/index.js'
export type { RecordedQuery, QueryLog } from './shapes/records.js'
export type {
  ToolbarSpan,
  ToolbarSpanEvent,
  ToolbarSpanLink,
  ToolbarSpanStatus,
  SpanKindName,
  SpanSource,
  Attributes,
  AttributeValue,
  TraceSummary,
  TraceFilter,
  TracePage,
} from './core/span-model.js'
