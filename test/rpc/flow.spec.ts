import { strict as assert } from 'node:assert'
import { RpcClient } from '../../src/rpc/client.ts'
import { ITEM_OVERHEAD, MAX_STREAM_CREDIT, STREAM_CREDIT, STREAM_WINDOW } from '../../src/rpc/frames.ts'
import { RpcServer } from '../../src/rpc/server.ts'
import { startHosts, stopHosts } from '../fixtures/hosts.ts'
import type { MethodTable, StreamMethod, UnaryMethod } from '../../src/rpc/types.ts'
import type { TestHost } from '../fixtures/hosts.ts'

type FlowApi = {
  Flow: {
    /** n items of `size` bytes; counts what it has yielded in `produced`. */
    Items: StreamMethod<{ n: number, size: number }, Uint8Array>
    Echo: UnaryMethod<unknown, unknown>
  }
}

const flowMethods: MethodTable<FlowApi> = {
  Flow: {
    Items: { policy: 'open', kind: 'stream' },
    Echo: { policy: 'open', kind: 'unary' }
  }
}

describe('rpc flow control and coalescing', function () {
  let hosts: TestHost[]
  let server: RpcServer<FlowApi>
  let client: RpcClient<FlowApi>
  let produced = 0

  before(async function () {
    hosts = await startHosts(2)
    const [a, b] = hosts as [TestHost, TestHost]
    await a.host.dial(b.host.getMultiaddrs())
    server = new RpcServer<FlowApi>({ host: b.host, methods: flowMethods })
    server.register('Flow', {
      Items: async function * ({ n, size }) {
        for (let i = 0; i < n; i++) {
          produced++
          yield new Uint8Array(size).fill(i % 256)
        }
      },
      Echo: async (arg) => arg
    })
    await server.start()
    const local = new RpcServer<FlowApi>({ host: a.host, methods: flowMethods })
    client = new RpcClient<FlowApi>({ host: a.host, server: local })
  })

  after(async function () {
    await client.stop()
    await server.stop()
    await stopHosts(hosts)
  })

  /** Consumes slowly; returns how far the handler got ahead of the consumer at most. */
  async function maxLead (n: number, size: number): Promise<number> {
    produced = 0
    let consumed = 0
    let lead = 0
    for await (const item of client.stream((hosts[1] as TestHost).host.peerId, 'Flow', 'Items', { n, size })) {
      assert.equal(item[0], consumed % 256)
      consumed++
      lead = Math.max(lead, produced - consumed)
      if (consumed % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 2))
    }
    assert.equal(consumed, n)
    return lead
  }

  it('lets small items fill a window of bytes, not just 64 items', async function () {
    const frame = 1 + 4 + 100 // a 100-byte item: the length prefix, then [5, bytes] (4 bytes of heads) and the bytes
    const window = Math.min(MAX_STREAM_CREDIT, Math.floor(STREAM_WINDOW / (frame + ITEM_OVERHEAD)))
    const lead = await maxLead(20_000, 100)
    assert.ok(lead > STREAM_CREDIT * 4, `the window did not open: lead ${lead}`)
    assert.ok(lead <= window + 1, `more in flight than the window: ${lead} > ${window}`)
  })

  it('keeps large items to the initial credit', async function () {
    const lead = await maxLead(500, 16 * 1024)
    assert.ok(lead <= STREAM_CREDIT + 1, `more in flight than ${STREAM_CREDIT}: ${lead}`)
  })

  it('answers many calls made together, each with its own result', async function () {
    const peer = (hosts[1] as TestHost).host.peerId
    const args = Array.from({ length: 2000 }, (_, i) => ({ i, pad: 'x'.repeat(i % 300) }))
    const results = await Promise.all(args.map(async (arg) => client.call(peer, 'Flow', 'Echo', arg)))
    assert.deepEqual(results, args)
    const many = await client.multiCall([peer, peer, peer], 'Flow', 'Echo', { same: 'bytes' })
    assert.deepEqual(many.map((r) => r.value), [{ same: 'bytes' }, { same: 'bytes' }, { same: 'bytes' }])
  })
})
