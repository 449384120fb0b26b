/**
 * A benchmark peer in its own process: a host with the cluster secret from
 * BENCH_SECRET (hex), the test RPC API and the two echo protocols. Prints its
 * multiaddr on stdout, runs until stdin closes or SIGTERM.
 */
import { lpStream } from '@libp2p/utils'
import { fromString } from 'uint8arrays/from-string'
import { RpcServer } from '../src/rpc/server.ts'
import { startHost } from '../test/fixtures/hosts.ts'
import { TestHandlers, testMethods } from '../test/fixtures/test-api.ts'
import { FRESH_ECHO, LONG_ECHO } from './rpc-peer-protocols.ts'
import type { TestApi } from '../test/fixtures/test-api.ts'


const { host } = await startHost(fromString(process.env.BENCH_SECRET ?? '', 'base16'))
const server = new RpcServer<TestApi>({ host, methods: testMethods })
const handlers = new TestHandlers()
server.register('Test', handlers.Test)
server.register('Guarded', handlers.Guarded)
await server.start()

await host.handle(FRESH_ECHO, async (stream) => {
  const lp = lpStream(stream)
  const msg = await lp.read()
  await lp.write(msg)
  await stream.close()
}, { maxInboundStreams: 1024, maxOutboundStreams: 1024 })
// raw byte echo: the cheapest possible server, so this baseline is the connection's limit
await host.handle(LONG_ECHO, (stream) => {
  stream.addEventListener('message', (evt) => { stream.send(evt.data) })
})

const stop = async (): Promise<void> => {
  await server.stop()
  await host.stop()
  process.exit(0)
}
process.on('SIGTERM', () => { void stop() })
process.stdin.on('end', () => { void stop() })
process.stdin.resume()
console.log(host.getMultiaddrs()[0]?.toString())
