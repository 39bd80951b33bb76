import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { serve } from '@hono/node-server'
import { createFrontend } from './frontend.js'

// `npm run example:distributed`: the frontend here, the inventory service as its own
// process, exporting its spans to the frontend's toolbar through the standard variable.
const host = '127.0.0.1'
let inventoryUrl = ''

serve({ fetch: createFrontend(() => inventoryUrl).fetch, port: Number(process.env.PORT ?? 3000), hostname: host }, (info) => {
  const frontend = `http://${host}:${info.port}`
  const inventory = spawn(process.execPath, [fileURLToPath(new URL('./inventory-server.js', import.meta.url))], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      PORT: process.env.INVENTORY_PORT ?? '3001',
      OTEL_SERVICE_NAME: 'inventory',
      OTEL_EXPORTER_OTLP_ENDPOINT: `${frontend}/_debug_toolbar/otlp`,
    },
  })
  inventory.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString()
    process.stdout.write(text)
    const url = /inventory service: (http:\/\/[^/\s]+)/.exec(text)?.[1]
    if (url && !inventoryUrl) {
      inventoryUrl = url
      console.log(`shop frontend with the debug toolbar: ${frontend}/`)
    }
  })
  inventory.once('exit', (code) => {
    console.error(`the inventory service stopped (${code}); stopping the frontend`)
    process.exit(code ?? 1)
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => inventory.kill(signal))
})
