/**
 * Fuzzing the REST API of a running 3-peer cluster (in this process) with
 * malformed requests: random methods on the routes with garbage segments,
 * malformed CIDs, IPFS paths and peer ids, bad query values (numbers,
 * durations, dates, huge values), malformed JSON bodies, wrong content
 * types, oversize headers and URLs, and raw garbage bytes. Every answer must
 * be a 4xx with a `{code, message}` body (or a 2xx for a request that
 * happens to be a valid read): never a 5xx, never silence. Afterwards every
 * peer still answers /id and the pinset is exactly what it was.
 *
 * The requests come from a seeded PRNG: the seed is printed, and
 * `FUZZ_SEED=<seed>` replays the same run (`FUZZ_REQUESTS` changes the count).
 * Write requests are always malformed somewhere (a bad CID, path, peer id or
 * query value), so no generated request may change the pinset.
 */
import { strict as assert } from 'node:assert'
import { Agent, request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { canonicalCid } from '../../src/api/cid.ts'
import { checkIpfsPath } from '../../src/api/ipfs-path.ts'
import { pinOptionsFromQuery } from '../../src/api/rest/pin-options.ts'
import { eventually, startCluster, stopCluster } from '../fixtures/cluster.ts'
import { mulberry32 } from '../fixtures/prng.ts'
import { randomPeerId } from '../fixtures/rpc-mock.ts'
import type { Cluster } from '../../src/cluster/cluster.ts'

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31))
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 5000)
const CONCURRENCY = 12
/** A request not answered within this long is a failure (none should come close). */
const ANSWER_TIMEOUT = 30_000

interface FuzzRequest {
  /** What the generator meant, for failure reports. */
  kind: string
  method: string
  path: string
  headers?: Record<string, string>
  body?: string | Buffer
  /** Bytes written as they are on a fresh socket, instead of an HTTP request. */
  raw?: Buffer
  /** Half-close the socket after `raw`: the bytes are all there is (else the request is complete as it is). */
  endAfterRaw?: boolean
}

interface Answer {
  status: number
  body: string
}

class Generator {
  private readonly next: () => number
  private readonly cids: string[]
  private readonly peers: string[]

  /** `cids`: valid CIDs that are not pinned; `peers`: valid peer ids that are not members. */
  constructor (seed: number, cids: string[], peers: string[]) {
    this.next = mulberry32(seed)
    this.cids = cids
    this.peers = peers
  }

  int (n: number): number {
    return Math.floor(this.next() * n)
  }

  pick<T> (items: readonly T[]): T {
    return items[this.int(items.length)] as T
  }

  chance (p: number): boolean {
    return this.next() < p
  }

  /** Random text from an alphabet that is hard on parsers. */
  garbage (max = 40): string {
    const alphabets = [
      'abcdefghijklmnopqrstuvwxyz234567',
      '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz',
      '%/?#&=+;:@!$\'()*,.~-_ ',
      '\u00e9\u4e2d\u{1F600}\u0000\u0007\u007f\u202e',
      '0123456789-+.eE'
    ]
    let out = ''
    const length = this.int(max) + 1
    for (let i = 0; i < length; i++) {
      const alphabet = [...this.pick(alphabets)]
      out += this.pick(alphabet)
    }
    return out
  }

  /** A URL path segment: garbage, percent-encoded or not (never a valid CID or peer id in practice). */
  segment (): string {
    const text = this.garbage()
    return this.chance(0.7) ? encodeURIComponent(text) : this.pick([text.replace(/[^\x21-\x7e]/g, ''), '%zz', '%', '%00', '%2F..%2F', '..', '.', '%ff%fe'])
  }

  validCid (): string {
    return this.pick(this.cids)
  }

  /** A CID that is not one (a changed character can make another valid CID: such ones are drawn again). */
  badCid (): string {
    for (;;) {
      const text = this.maybeBadCid()
      if (!isCid(text)) return encodeURIComponent(text)
    }
  }

  /** Truncated, a character changed, a bad prefix, too long... */
  private maybeBadCid (): string {
    const cid = this.validCid()
    const cases = [
      () => cid.slice(0, this.int(cid.length - 1) + 1),
      () => { const i = this.int(cid.length - 2) + 1; return cid.slice(0, i) + (cid[i] === 'z' ? 'a' : 'z') + cid.slice(i + 1) },
      () => cid + this.pick(['a', '0', '1', 'zz']),
      () => 'Qm' + this.garbage(44).replace(/[^1-9A-HJ-NP-Za-km-z]/g, '1'),
      () => 'bafy' + this.garbage(55).replace(/[^a-z2-7]/g, 'a'),
      () => 'z' + this.garbage(48).replace(/[^1-9A-HJ-NP-Za-km-z]/g, 'x'),
      () => 'f01551220' + 'g'.repeat(64),
      () => 'b' + 'a'.repeat(this.int(3000) + 100),
      () => this.garbage()
    ]
    return this.pick(cases)()
  }

  badPeer (): string {
    const peer = this.pick(this.peers)
    return this.pick([peer.slice(0, -3), peer + 'x', '12D3KooW' + this.garbage(30), 'Qm' + this.garbage(20), this.garbage()])
  }

  /** An IPFS path under /pins/ that checkIpfsPath refuses. */
  badPinPath (): string {
    for (;;) {
      const path = this.maybeBadPinPath()
      if (!isIpfsPath(path)) return path
    }
  }

  private maybeBadPinPath (): string {
    const cid = this.validCid()
    return this.pick([
      `ipfs/${this.badCid()}`,
      `ipld/${this.badCid()}/a`,
      `ipfs/${cid}//a`,
      `ipfs/${cid}/../x`,
      `ipfs/${cid}/./x`,
      `ipfs/${cid}/a/%2e%2e/b`,
      `ipns/a/%00`,
      `ipfs/${cid}/a%0Ab`,
      `ipfs/`,
      `ipns//x`,
      `ipld/${this.segment()}`
    ])
  }

  /** A query value that the parameter cannot take. */
  badValue (name: string): string {
    const number = ['abc', '1.5', '1e3', '0x10', '99999999999999999999', '--1', '', ' 1', '1 ', '+', '\u0661']
    const values: Record<string, string[]> = {
      replication: number,
      'replication-min': number,
      'replication-max': number,
      'shard-size': [...number, '-1'],
      mode: ['pinned', 'RECURSIVE', 'indirect', '0'],
      'user-allocations': [this.badPeer(), `${this.pick(this.peers)},${this.badPeer()}`, ','],
      'expire-at': ['2024-13-01T00:00:00Z', 'yesterday', '2024-01-01', '0', '2024-02-30T00:00:00Z', '2024-01-01T25:00:00Z', '1e9'],
      'expire-in': ['1x', '0s', '-1h', '500ms', '9999999999999h', 'h', '1.h', '1e3s', '∞'],
      'pin-update': [decodeURIComponent(this.badCid())],
      origins: ['/ip4/1.2.3.4/tcp/1', 'garbage', `/ip4/1.2.3.4/tcp/1/p2p/${this.badPeer()}`, '/ip4/999.1.1.1/tcp/1/p2p/x'],
      local: ['yes', '1', 'TRUE', 'maybe'],
      filter: ['pinnned', 'pin,', 'all,x', 'PINNED', ' queued'],
      cids: [decodeURIComponent(this.badCid()), `${this.validCid()},${decodeURIComponent(this.badCid())}`, ',']
    }
    return this.pick(values[name] ?? [this.garbage()]).replace(/^$/, 'x\u0000')
  }

  /** Any value, good or bad, for any parameter. */
  anyParam (): [string, string] {
    const names = ['name', 'mode', 'replication', 'replication-min', 'replication-max', 'shard-size', 'user-allocations',
      'expire-at', 'expire-in', 'pin-update', 'origins', 'local', 'filter', 'cids', `meta-${this.garbage(8)}`, this.garbage(10)]
    const name = this.pick(names)
    const good: Record<string, string[]> = {
      name: [this.garbage(200)],
      replication: ['1', '-1', '0', '2'],
      'expire-at': ['9999-12-31T23:59:59Z', '2099-01-01T00:00:00+02:00'],
      'expire-in': ['1h', '720h', '1.5s'],
      local: ['true', 'false']
    }
    return [name, this.chance(0.5) && good[name] != null ? this.pick(good[name]) : this.badValue(name)]
  }

  query (params: Array<[string, string]>): string {
    if (params.length === 0) return ''
    return '?' + params.map(([k, v]) => `${encodeURIComponent(k)}=${this.chance(0.9) ? encodeURIComponent(v) : v.replace(/[^\x21-\x7e]/g, '')}`).join('&')
  }

  /** A request that has one parameter its route cannot take, and maybe others. */
  badQuery (): FuzzRequest {
    const cid = this.validCid()
    const routes: Array<{ method: string, path: string, reads: string[] }> = [
      { method: 'POST', path: `/pins/${cid}`, reads: ['replication', 'replication-min', 'replication-max', 'shard-size', 'mode', 'user-allocations', 'expire-at', 'expire-in', 'pin-update', 'origins'] },
      { method: 'POST', path: `/pins/ipfs/${cid}`, reads: ['replication', 'mode', 'expire-at', 'expire-in', 'user-allocations', 'origins'] },
      { method: 'POST', path: `/pins/ipld/${cid}/a/b`, reads: ['replication-max', 'shard-size', 'pin-update'] },
      { method: 'GET', path: '/pins', reads: ['local', 'filter', 'cids'] },
      { method: 'GET', path: `/pins/${cid}`, reads: ['local'] },
      { method: 'GET', path: '/allocations', reads: ['filter'] },
      { method: 'POST', path: `/pins/${cid}/recover`, reads: ['local'] },
      { method: 'POST', path: '/pins/recover', reads: ['local'] },
      { method: 'POST', path: '/ipfs/gc', reads: ['local'] }
    ]
    const route = this.pick(routes)
    const bad = this.pick(route.reads)
    for (;;) {
      // the bad value comes first: of a repeated parameter, the first value counts
      const params: Array<[string, string]> = [[bad, this.badValue(bad)]]
      for (let i = this.int(4); i > 0; i--) params.push(this.anyParam())
      const path = route.path + this.query(params)
      // a pin request must stay malformed: the server's own parser must refuse it (an empty value is no value)
      if (route.method === 'POST' && route.path.startsWith('/pins/') && !route.path.endsWith('recover') && pinQueryIsValid(path)) continue
      return { kind: `bad query ${bad}`, method: route.method, path }
    }
  }

  /** A route with a garbage parameter, asked with any method. */
  garbageSegment (): FuzzRequest {
    const method = this.pick(['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS', 'GET', 'POST', 'DELETE'])
    const templates = [
      () => `/pins/${this.badCid()}`,
      () => `/pins/${this.badCid()}/recover`,
      () => `/allocations/${this.badCid()}`,
      () => `/peers/${encodeURIComponent(this.badPeer())}`,
      () => `/pins/${this.badPinPath()}`,
      () => `/monitor/metrics/${this.segment()}`,
      () => `/${this.pick(['id', 'version', 'peers', 'pins', 'allocations', 'health', 'monitor', 'ipfs', 'add', 'token'])}/${this.segment()}/${this.segment()}`,
      () => `/${this.segment()}`,
      () => this.pick(['/id', '/version', '/peers', '/allocations', '/pins', '/pins/recover', '/ipfs/gc', '/health', '/health/graph',
        '/health/alerts', '/health/bandwidth', '/monitor/metrics', '/add', '/token']) + this.pick(['', '/', '//', '?', '?%zz', '#x', '/..'])
    ]
    // none of these paths is a valid write: a garbage segment never makes a CID, peer id or IPFS path
    return { kind: 'garbage segment', method, path: this.pick(templates)() }
  }

  /** A valid CID, peer id or name where the route wants one: reads, and writes of what is not there (404). */
  validParam (): FuzzRequest {
    const cid = this.validCid()
    const local = this.chance(0.3) ? '?local=true' : ''
    return this.pick<FuzzRequest>([
      { kind: 'unpin what is not pinned', method: 'DELETE', path: `/pins/${cid}` },
      { kind: 'unpin by path what is not pinned', method: 'DELETE', path: `/pins/ipfs/${cid}` },
      { kind: 'allocation of what is not pinned', method: 'GET', path: `/allocations/${cid}` },
      { kind: 'status of what is not pinned', method: 'GET', path: `/pins/${cid}${local}` },
      { kind: 'recover what is not pinned', method: 'POST', path: `/pins/${cid}/recover${local}` },
      { kind: 'remove a peer that is not a member', method: 'DELETE', path: `/peers/${this.pick(this.peers)}` },
      { kind: 'pin-update from what is not pinned', method: 'POST', path: `/pins/${cid}?pin-update=${this.validCid()}&mode=bogus` },
      { kind: 'status of a few CIDs', method: 'GET', path: `/pins?cids=${cid},${this.validCid()}&filter=${this.pick(['pinned', 'error', 'queued', 'remote'])}` }
    ])
  }

  /** Bodies: malformed JSON, wrong content types, too large. */
  body (): FuzzRequest {
    const peer = this.pick(this.peers)
    const bodies: Array<[string, string | Buffer]> = [
      ['', ''],
      ['{"peer_id": ', '{"peer_id": '],
      ['array', '[1,2,3]'],
      ['number id', '{"peer_id": 42}'],
      ['bad id', JSON.stringify({ peer_id: this.badPeer() })],
      ['nested', '{"peer_id": {"peer_id": "x"}}'.repeat(this.int(3) + 1)],
      ['deep', '['.repeat(5000) + ']'.repeat(5000)],
      ['garbage', Buffer.from(Array.from({ length: this.int(500) + 1 }, () => this.int(256)))],
      ['utf-16', Buffer.from(JSON.stringify({ peer_id: peer }), 'utf16le')],
      ['too large', JSON.stringify({ peer_id: peer, pad: 'x'.repeat(1024 * 1024 + 10) })],
      ['a stranger', JSON.stringify({ peer_id: peer })]
    ]
    const [what, body] = this.pick(bodies)
    const contentType = this.pick(['application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded',
      'application/json; charset=latin1', this.garbage(20).replace(/[^\x21-\x7e]/g, 'x'), ''])
    const headers: Record<string, string> = contentType === '' ? {} : { 'content-type': contentType }
    const target = this.pick([
      { method: 'POST', path: '/peers' },
      { method: 'POST', path: '/peers' },
      { method: 'POST', path: `/pins/${this.badCid()}` },
      { method: 'POST', path: `/pins/${this.validCid()}?replication=x` },
      { method: 'DELETE', path: `/peers/${encodeURIComponent(this.badPeer())}` },
      { method: 'POST', path: '/token' },
      { method: 'POST', path: '/add?cid-version=x' },
      { method: 'PUT', path: '/pins' }
    ])
    return { kind: `body: ${what}, ${contentType}`, ...target, headers, body }
  }

  /** Headers or URLs over max_header_bytes, many headers. */
  oversize (): FuzzRequest {
    const cid = this.validCid()
    return this.pick<FuzzRequest>([
      { kind: 'huge header', method: 'GET', path: '/id', headers: { 'x-big': 'a'.repeat(9000 + this.int(100_000)) } },
      { kind: 'huge URL', method: 'POST', path: `/pins/${cid}?name=${'n'.repeat(9000 + this.int(50_000))}` },
      { kind: 'huge CID', method: 'GET', path: `/allocations/b${'a'.repeat(9000 + this.int(10_000))}` },
      { kind: 'many headers', method: 'GET', path: '/version', headers: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`x-h${i}`, 'v'.repeat(20)])) }
    ])
  }

  /** Bytes that are not a (valid) HTTP request. */
  rawBytes (): FuzzRequest {
    const cid = this.validCid()
    const texts = [
      () => Buffer.from(Array.from({ length: this.int(300) + 1 }, () => this.int(256))),
      () => `GET /pins/${cid} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`,
      () => `POST /peers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      () => `GET /id HTTP/9.9\r\nHost: x\r\n\r\n`,
      () => `G\u00c9T /id HTTP/1.1\r\nHost: x\r\n\r\n`,
      () => `GET /pins/a b HTTP/1.1\r\nHost: x\r\n\r\n`,
      () => `GET /id HTTP/1.1\r\nHost: x\r\nBad Header: v\r\n\r\n`,
      () => `GET /id HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\n\r\n`,
      () => `POST /peers HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{"a":1}`,
      () => `GET /${this.garbage(60)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      () => Buffer.from('\r\n\r\n\r\n'),
      () => `GET /id\r\n\r\n`
    ]
    const text = this.pick(texts)()
    // random bytes may look like the start of a request: the end of the stream tells the server there is no more
    return { kind: 'raw bytes', method: '', path: '', raw: typeof text === 'string' ? Buffer.from(text, 'latin1') : text, endAfterRaw: typeof text !== 'string' }
  }

  /** Valid reads. */
  read (): FuzzRequest {
    const rare: FuzzRequest[] = [
      { kind: 'gc', method: 'POST', path: '/ipfs/gc?local=true' },
      { kind: 'recover all', method: 'POST', path: '/pins/recover' },
      { kind: 'graph', method: 'GET', path: '/health/graph' }
    ]
    if (this.chance(0.1)) return this.pick(rare)
    return {
      kind: 'read',
      method: 'GET',
      path: this.pick(['/id', '/version', '/peers', '/allocations', '/allocations?filter=all', '/pins', '/pins?local=true', '/pins?filter=pinned,error',
        '/health', '/health/alerts', '/health/bandwidth', '/monitor/metrics', '/monitor/metrics/freespace', '/monitor/metrics/ping'])
    }
  }

  request (): FuzzRequest {
    const r = this.next()
    if (r < 0.25) return this.garbageSegment()
    if (r < 0.45) return this.badQuery()
    if (r < 0.55) return this.validParam()
    if (r < 0.7) return this.body()
    if (r < 0.77) return this.oversize()
    if (r < 0.87) return this.rawBytes()
    return this.read()
  }
}

function isCid (text: string): boolean {
  try {
    canonicalCid(text)
    return true
  } catch {
    return false
  }
}

/** Whether `path` (under `/pins/`) is a valid IPFS path, decoded segment by segment or as a whole. */
function isIpfsPath (path: string): boolean {
  const decode = (text: string): string => { try { return decodeURIComponent(text) } catch { return text } }
  return [path.split('/').map(decode).join('/'), decode(path)].some((decoded) => {
    try {
      checkIpfsPath('/' + decoded)
      return true
    } catch {
      return false
    }
  })
}

function pinQueryIsValid (path: string): boolean {
  try {
    pinOptionsFromQuery(new URLSearchParams(path.slice(path.indexOf('?') + 1)), Date.now())
    return true
  } catch {
    return false
  }
}

async function send (base: URL, req: FuzzRequest, agent: Agent): Promise<Answer> {
  if (req.raw != null) return sendRaw(base, req.raw, req.endAfterRaw === true)
  return new Promise((resolve, reject) => {
    let r
    try {
      r = httpRequest({ host: base.hostname, port: base.port, method: req.method, path: req.path, headers: req.headers, agent, timeout: ANSWER_TIMEOUT }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }) })
        res.on('error', reject)
      })
    } catch {
      // node:http refuses to send this (a character it does not allow): send it raw instead
      const head = `${req.method} ${req.path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n` +
        Object.entries(req.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n'
      sendRaw(base, Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(req.body ?? '')]), false).then(resolve, reject)
      return
    }
    r.on('timeout', () => { r.destroy(new Error(`no answer within ${ANSWER_TIMEOUT} ms`)) })
    // the server may answer (413, 400) and close before it read the whole body
    r.on('error', (err: NodeJS.ErrnoException) => { reject(err) })
    r.end(req.body)
  })
}

/**
 * Writes bytes on a new connection and reads the answer, until it is
 * complete or the server closes the connection. With `end`, the socket is
 * half-closed after the bytes (a server takes that as the client going away
 * once a request is complete, so only for bytes that are not one).
 */
async function sendRaw (base: URL, bytes: Buffer, end: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: base.hostname, port: Number(base.port) })
    let received = Buffer.alloc(0)
    const timer = setTimeout(() => { socket.destroy(new Error(`no answer within ${ANSWER_TIMEOUT} ms`)) }, ANSWER_TIMEOUT)
    const finish = (): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve(parseAnswer(received.toString('utf8')))
    }
    socket.on('connect', () => {
      socket.write(bytes)
      if (end) socket.end()
    })
    socket.on('data', (c: Buffer) => {
      received = Buffer.concat([received, c])
      if (parseAnswer(received.toString('utf8')).complete) finish()
    })
    socket.on('error', (err) => { clearTimeout(timer); reject(err) })
    socket.on('close', finish)
  })
}

/** An HTTP/1.1 answer as text: its status, its body, and whether all of it is there. */
function parseAnswer (text: string): Answer & { complete: boolean } {
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0)
  const split = text.indexOf('\r\n\r\n')
  if (split < 0) return { status, body: '', complete: false }
  const head = text.slice(0, split)
  const rest = text.slice(split + 4)
  if (/\r\ntransfer-encoding: chunked/i.test(head)) return { status, body: dechunk(rest), complete: /(^|\r\n)0\r\n(.*\r\n)*\r\n$/.test(rest) }
  const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
  return { status, body: rest, complete: Buffer.byteLength(rest) >= length }
}

function dechunk (text: string): string {
  let out = ''
  let rest = text
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n')
    const size = parseInt(rest.slice(0, end), 16)
    if (!(size > 0)) break
    out += rest.slice(end + 2, end + 2 + size)
    rest = rest.slice(end + 2 + size + 2)
  }
  return out
}

/** What is wrong with an answer, or undefined when it is fine. */
function problemOf (req: FuzzRequest, answer: Answer): string | undefined {
  const { status, body } = answer
  if (req.raw != null && status === 0 && req.raw.toString('latin1').trim() === '') {
    // only line breaks, which HTTP says to skip before a request: there is no request to answer
    return undefined
  }
  if (status >= 500) return `status ${status}`
  if (status < 200 || (status >= 300 && status < 400)) return `status ${status}`
  if (status < 300 || req.method === 'HEAD') return undefined
  let error: { code?: unknown, message?: unknown }
  try {
    error = JSON.parse(body) as typeof error
  } catch {
    return `status ${status} with a body that is not JSON: ${JSON.stringify(body.slice(0, 200))}`
  }
  if (error.code !== status || typeof error.message !== 'string' || error.message === '') {
    return `status ${status} with a body that is not {code, message}: ${body.slice(0, 200)}`
  }
  return undefined
}

async function fetchText (url: string): Promise<{ status: number, text: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(ANSWER_TIMEOUT) })
  return { status: res.status, text: await res.text() }
}

/** A peer's pinset as GET /allocations?filter=all answers it, one Pin per line (empty when 204). */
async function pinsetOf (peer: Cluster): Promise<string> {
  const { status, text } = await fetchText(`${peer.restApiUrls[0]}/allocations?filter=all`)
  assert.ok(status === 200 || status === 204, `GET /allocations: ${status}`)
  return text
}

describe('REST API fuzzing: malformed requests to a 3-peer cluster', function () {
  this.timeout(300_000)
  let peers: Cluster[]
  let seeded: string[]

  before(async function () {
    peers = await startCluster(3)
    // a few pins, with options, that must come out of the fuzzing untouched; their blocks are on
    // the first peer, so they get pinned (an IPFS gc waits for pins in progress)
    seeded = await Promise.all(['a', 'b', 'c', 'd'].map(async (label) => peers[0]!.rpc.call(undefined, 'IPFSConnector', 'BlockPut', {
      data: new TextEncoder().encode(`fuzz seed ${label}`),
      codec: 'raw'
    })))
    const options = ['?name=first&meta-owner=fuzz', '?replication=1', '?mode=direct&expire-in=720h', '?replication-min=1&replication-max=2']
    for (const [i, cid] of seeded.entries()) {
      const res = await fetch(`${peers[i % 3]!.restApiUrls[0]}/pins/${cid}${options[i]}`, { method: 'POST' })
      assert.equal(res.status, 200, await res.text())
    }
    for (const peer of peers) {
      await eventually(async () => (await pinsetOf(peer)).split('\n').filter((l) => l !== '').length === seeded.length, 'every peer has the seeded pins')
    }
    for (const cid of seeded) {
      await eventually(async () => {
        const info = JSON.parse((await fetchText(`${peers[0]!.restApiUrls[0]}/pins/${cid}`)).text) as { peer_map: Record<string, { status: string }> }
        return Object.values(info.peer_map).every((p) => p.status === 'pinned' || p.status === 'remote')
      }, `${cid} is pinned where it is allocated`)
    }
  })

  after(async function () {
    await stopCluster(peers)
  })

  it(`answers ${REQUESTS} random malformed requests with 4xx {code, message} (or a 2xx read), never a 5xx, and changes nothing`, async function () {
    console.log(`      fuzz seed: ${SEED} (replay with FUZZ_SEED=${SEED})`)
    const before = await Promise.all(peers.map(pinsetOf))
    const unpinned = await Promise.all(Array.from({ length: 8 }, async (_, i) =>
      CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(`fuzz unpinned ${SEED} ${i}`))).toString()))
    const strangers = await Promise.all(Array.from({ length: 4 }, async () => (await randomPeerId()).toString()))
    const v0 = CID.createV0(await sha256.digest(new TextEncoder().encode(`fuzz v0 ${SEED}`))).toString()
    const generator = new Generator(SEED, [...unpinned, v0], strangers)
    const requests = Array.from({ length: REQUESTS }, () => generator.request())
    const bases = peers.map((p) => new URL(p.restApiUrls[0] as string))
    const agents = peers.map(() => new Agent({ keepAlive: true, maxSockets: CONCURRENCY }))
    const failures: string[] = []
    const statuses = new Map<number, number>()
    let index = 0
    const started = Date.now()
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (index < requests.length) {
          const i = index++
          const req = requests[i] as FuzzRequest
          const peer = i % peers.length
          let problem: string | undefined
          try {
            const answer = await send(bases[peer] as URL, req, agents[peer] as Agent)
            statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
            problem = problemOf(req, answer)
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code
            // the server answered early (413, 431, 400) and closed while the body or headers were still going out
            if (code === 'EPIPE' || code === 'ECONNRESET') {
              statuses.set(-1, (statuses.get(-1) ?? 0) + 1)
            } else {
              problem = `no answer: ${(err as Error).message}`
            }
          }
          if (problem != null) {
            const what = req.raw != null ? JSON.stringify(req.raw.toString('latin1').slice(0, 120)) : `${req.method} ${req.path.slice(0, 200)}`
            failures.push(`#${i} (${req.kind}) ${what} on peer ${peer}: ${problem}`)
          }
        }
      }))
    } finally {
      for (const agent of agents) agent.destroy()
    }
    const seconds = (Date.now() - started) / 1000
    console.log(`      ${REQUESTS} requests in ${seconds.toFixed(1)} s; statuses: ${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s === -1 ? 'closed early' : s}: ${n}`).join(', ')}`)
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} bad answers (seed ${SEED}); the first ones`)

    for (const peer of peers) {
      const { status, text } = await fetchText(`${peer.restApiUrls[0]}/id`)
      assert.equal(status, 200, text)
      assert.equal(JSON.parse(text).error, '')
    }
    assert.deepEqual(await Promise.all(peers.map(pinsetOf)), before, `the pinset changed (seed ${SEED})`)
  })
})
