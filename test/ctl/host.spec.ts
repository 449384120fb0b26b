import { strict as assert } from 'node:assert'
import { HostError } from '../../src/cli/ctl/errors.ts'
import { DEFAULT_HOST, parseHost } from '../../src/cli/ctl/host.ts'

describe('cluster-ctl --host', function () {
  it('accepts multiaddrs of every kind', function () {
    const cases: Array<[string, string, (4 | 6)?]> = [
      [DEFAULT_HOST, 'http://127.0.0.1:9094/'],
      ['/ip4/10.1.2.3/tcp/80/http', 'http://10.1.2.3/'],
      ['/ip4/10.1.2.3/tcp/9094/https', 'https://10.1.2.3:9094/'],
      ['/ip4/10.1.2.3/tcp/9094/tls/http', 'https://10.1.2.3:9094/'],
      ['/ip6/::1/tcp/9094', 'http://[::1]:9094/'],
      ['/dns4/cluster.example.com/tcp/9094', 'http://cluster.example.com:9094/', 4],
      ['/dns6/cluster.example.com/tcp/443/https', 'https://cluster.example.com/', 6],
      ['/dns/localhost/tcp/9094', 'http://localhost:9094/']
    ]
    for (const [host, url, family] of cases) {
      const endpoint = parseHost(host)
      assert.equal(endpoint.url.href, url, host)
      assert.equal(endpoint.family, family, host)
    }
  })

  it('accepts http and https URLs, keeping a path as a prefix', function () {
    assert.equal(parseHost('http://127.0.0.1:9094').url.href, 'http://127.0.0.1:9094/')
    assert.equal(parseHost('https://cluster.example.com/api').url.href, 'https://cluster.example.com/api/')
    assert.equal(new URL('id', parseHost('https://cluster.example.com/api').url).href, 'https://cluster.example.com/api/id')
  })

  it('refuses anything else with a reason', function () {
    const cases: Array<[string, RegExp]> = [
      ['localhost:9094', /multiaddr .* or an http\(s\):\/\/ URL/],
      ['ftp://example.com', /multiaddr/],
      ['/ip4/127.0.0.1', /\/tcp\/<port>/],
      ['/ip4/127.0.0.1/udp/9094', /\/tcp\/<port>/],
      ['/ip4/999.0.0.1/tcp/9094', /999/],
      ['/ip4/127.0.0.1/tcp/9094/ws', /unsupported \/ws/],
      ['/unix/tmp%2Fsock', /ip4/],
      ['http://user:pw@127.0.0.1:9094', /--basic-auth/],
      ['http://127.0.0.1:9094/?x=1', /query/],
      ['http://[::1', /not a valid URL/]
    ]
    for (const [host, reason] of cases) {
      assert.throws(() => parseHost(host), (err: Error) => err.name === HostError.NAME && reason.test(err.message) && err.message.includes(host), host)
    }
  })
})
