import { Hono } from 'hono'
import { debugToolbar } from '/work/wt/interop/dist/src/index.js'
import { OpenTelemetryPanel } from '/work/wt/interop/dist/src/opentelemetry/index.js'
const otel = new OpenTelemetryPanel()
const app = new Hono()
app.use(debugToolbar({ extraPanels: [otel] }))
app.get('/', (c) => c.html('<body>hi</body>'))
const env = { incoming: { socket: { remoteAddress: '127.0.0.1' } } }
for (let i = 0; i < 3; i++) await (await app.request('/', {}, env)).text()
await new Promise((r) => setTimeout(r, 3000))
await otel.shutdown()
console.log('done')
