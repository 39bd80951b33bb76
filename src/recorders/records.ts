// The recorders' shapes moved to src/shapes/records.ts, where the browser bundle may import
// them too; this name stays for imports written before the move.
export * from '../shapes/records.js'
