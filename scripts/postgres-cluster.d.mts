export interface PostgresCluster {
  url: string
  port: number
  dir: string
  start(): void
  stop(): void
  destroy(): void
}
export function postgresBinaries(): string | undefined
export function startPostgresCluster(): Promise<PostgresCluster>
export function stopPostgresCluster(dir: string): void
