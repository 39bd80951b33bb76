import { afterAll, beforeAll, describe } from 'vitest'
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers'
import { PostgresStore } from '../src/store/postgres.js'
import { storeContract } from '../test/store/store-contract.js'
import { detectContainerRuntime } from './support/containers.js'
import { uniqueSchema } from './support/postgres-server.js'

/** The official image, pinned: the same major as Debian's server the other tests use. */
const POSTGRES_IMAGE = 'postgres:15.10-alpine'

const runtime = await detectContainerRuntime()
if (!runtime.available) console.log(`PostgresStore in a PostgreSQL container: skipped: ${runtime.reason}`)

describe.skipIf(!runtime.available)(`PostgresStore against ${POSTGRES_IMAGE} in a container`, () => {
  let container: StartedTestContainer
  let url = ''

  beforeAll(async () => {
    container = await new GenericContainer(POSTGRES_IMAGE)
      .withEnvironment({ POSTGRES_PASSWORD: 'toolbar', POSTGRES_DB: 'toolbar' })
      .withExposedPorts(5432)
      // The entrypoint starts the server twice (once to initialise): ready means the second time.
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .withStartupTimeout(120_000)
      .start()
    url = `postgres://postgres:toolbar@${container.getHost()}:${container.getMappedPort(5432)}/toolbar`
  })
  afterAll(async () => {
    await container?.stop({ timeout: 5_000 })
  })

  storeContract((options) => new PostgresStore({ connectionString: url, schema: uniqueSchema('container'), ...options }))
})
