/**
 * The connectors' pure parts: paths, API URLs, which addresses ConnectSwarms
 * dials, the inactivity timer of pins.
 */
import { strict as assert } from 'node:assert'
import { multiaddr } from '@multiformats/multiaddr'
import { dialableAddresses, isTcpAddress } from '../../src/ipfsconn/connect-swarms.ts'
import { InactivityTimeout, withInactivityTimeout } from '../../src/ipfsconn/inactivity.ts'
import { formatIpfsPath, parseIpfsPath } from '../../src/ipfsconn/ipfs-path.ts'
import { kuboApiUrl } from '../../src/ipfsconn/kubo/api-url.ts'
import { blockCid } from '../../src/ipfsconn/block-cid.ts'
import { CIDS } from '../fixtures/rpc-mock.ts'

const PEER = '12D3KooWJxHmt9oF8g3RJtXBP7PK4ZzbvmrTQBVCUvTgmKNpHLXo'
const OTHER = '12D3KooWCq2AoPoZWtSsq3j6ffypwtyArdQbvDYRfwpuhBkPq7N7'

describe('IPFS connector helpers', function () {
  describe('IPFS paths', function () {
    it('reads /ipfs/, /ipld/, /ipns/ and bare CID paths', function () {
      const ipfs = parseIpfsPath(`/ipfs/${CIDS.v0}/a/b/`)
      assert.equal(ipfs.namespace, 'ipfs')
      assert.deepEqual(ipfs.rest, ['a', 'b'])
      assert.equal(formatIpfsPath(ipfs), `/ipfs/${CIDS.v0}/a/b`)
      assert.equal(parseIpfsPath(`/ipld/${CIDS.v1}/x`).namespace, 'ipld')
      assert.deepEqual(parseIpfsPath('/ipns/example.com/x'), { namespace: 'ipns', name: 'example.com', rest: ['x'] })
      // any base: canonical text back
      assert.equal(formatIpfsPath(parseIpfsPath(`${CIDS.v1base58}/f`)), `/ipfs/${CIDS.v1}/f`)
    })

    it('refuses other namespaces, a missing root and a bad CID with IpfsInvalidRequestError', function () {
      for (const bad of ['/foo/bar', '/ipfs/', '/ipfs/notacid/x', '']) {
        assert.throws(() => parseIpfsPath(bad), { name: 'IpfsInvalidRequestError' }, bad)
      }
    })
  })

  describe('the Kubo API URL', function () {
    it('comes from node_multiaddress', function () {
      assert.equal(kuboApiUrl('/ip4/127.0.0.1/tcp/5001').href, 'http://127.0.0.1:5001/api/v0')
      assert.equal(kuboApiUrl('/dns4/ipfs.local/tcp/443/https').href, 'https://ipfs.local/api/v0')
      assert.equal(kuboApiUrl('/ip6/::1/tcp/5001/http').href, 'http://[::1]:5001/api/v0')
      assert.throws(() => kuboApiUrl('/ip4/127.0.0.1/udp/5001'), { name: 'IpfsInvalidRequestError' })
    })
  })

  describe('ConnectSwarms addresses', function () {
    it('keeps the dialable addresses of the node, each with its /p2p/, once', function () {
      const got = dialableAddresses(PEER, [
        `/ip4/127.0.0.1/tcp/4001/p2p/${PEER}`,
        '/ip4/127.0.0.1/tcp/4001',
        '/ip4/10.0.0.1/udp/4001/quic-v1',
        `/ip4/1.2.3.4/tcp/4001/p2p/${OTHER}/p2p-circuit/p2p/${PEER}`,
        `/ip4/127.0.0.2/tcp/4002/p2p/${OTHER}`,
        'not a multiaddr',
        '/dns4/node.example/tcp/4001'
      ], isTcpAddress).map(String)
      assert.deepEqual(got, [`/ip4/127.0.0.1/tcp/4001/p2p/${PEER}`, `/dns4/node.example/tcp/4001/p2p/${PEER}`])
    })

    it('isTcpAddress: plain TCP over an IP or a DNS name only', function () {
      assert.equal(isTcpAddress(multiaddr('/ip6/::1/tcp/1')), true)
      assert.equal(isTcpAddress(multiaddr('/ip4/127.0.0.1/tcp/1/ws')), false)
      assert.equal(isTcpAddress(multiaddr('/ip4/127.0.0.1/udp/1/quic-v1')), false)
    })
  })

  describe('block CIDs', function () {
    it('are CIDv1 of the codec and hash asked; unknown ones are refused', async function () {
      const data = new TextEncoder().encode('hello')
      const raw = await blockCid(data, 'raw')
      assert.equal(raw.toString(), 'bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq')
      assert.equal((await blockCid(data, 'dag-cbor', 'sha2-512')).multihash.code, 0x13)
      await assert.rejects(blockCid(data, 'nope'), { name: 'IpfsInvalidRequestError' })
      await assert.rejects(blockCid(data, 'raw', 'md5'), { name: 'IpfsInvalidRequestError' })
    })
  })

  describe('the inactivity timeout of pins', function () {
    it('lets an operation run longer than the timeout while it makes progress', async function () {
      const idle = 1500
      let ticks = 0
      const started = Date.now()
      await withInactivityTimeout(undefined, idle, async (signal, progress) => {
        // progress every 100 ms for twice the timeout
        while (Date.now() - started < 2 * idle) {
          await new Promise((resolve) => setTimeout(resolve, 100))
          signal.throwIfAborted()
          progress()
          ticks++
        }
      })
      assert.ok(ticks > 0)
    })

    it('aborts it with InactivityTimeout when progress stops', async function () {
      await assert.rejects(withInactivityTimeout(undefined, 200, async (signal) => {
        await new Promise((resolve, reject) => { signal.addEventListener('abort', () => { reject(new Error('aborted')) }) })
      }), { name: InactivityTimeout.NAME })
    })

    it('passes the caller\'s abort reason through', async function () {
      const controller = new AbortController()
      const reason = new Error('caller gave up')
      const running = withInactivityTimeout(controller.signal, 60_000, async (signal) => {
        await new Promise((resolve, reject) => { signal.addEventListener('abort', () => { reject(new Error('aborted')) }) })
      })
      controller.abort(reason)
      await assert.rejects(running, (err) => err === reason)
    })
  })
})
