// The signal handling is shared with the durable stores, so it lives in core: one handler
// per process flushes everything before the signal is raised again.
export { flushOnSignals, settleWithin, type Flushable } from '../core/shutdown.js'
