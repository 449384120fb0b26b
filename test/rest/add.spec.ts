import { strict as assert } from 'node:assert'
import { createCipheriv, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { Readable } from 'node:stream'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { metricsReady, startCluster, stopCluster } from '../fixtures/cluster.ts'
import { fetchRaw } from '../fixtures/http-client.ts'
import { BOUNDARY, CONTENT_TYPE, directory, file, multipart } from '../adder/bodies.ts'
import type { Cluster } from '../../src/cluster/cluster.ts'
import type { PinJson } from '../../src/api/types.ts'
import type { RawResponse } from '../fixtures/http-client.ts'

const HELLO_KUBO_V0 = 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o'

/** POSTs a body (bytes or a stream) and reads the whole answer, trailers included. */
async function post (url: string, body: Buffer | Readable, contentType = CONTENT_TYPE): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': contentType }, agent: false }, (res) => {
      res.setEncoding('utf8')
      let text = ''
      res.on('data', (chunk: string) => { text += chunk })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, trailers: res.trailers, rawHeaders: res.rawHeaders }) })
      res.on('error', reject)
    })
    req.on('error', reject)
    if (body instanceof Readable) body.pipe(req)
    else req.end(body)
  })
}

function lines (res: RawResponse): any[] {
  return res.body.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l))
}

function errorMessage (res: RawResponse, status: number): string {
  assert.equal(res.status, status, res.body)
  const body = JSON.parse(res.body)
  assert.deepEqual(Object.keys(body), ['code', 'message'])
  assert.equal(body.code, status)
  return body.message
}

/**
 * The process's resident memory that is its own (Linux's RssAnon): LevelDB
 * maps its table files, so the pages of the files the IPFS nodes write and
 * compact count in the RSS, but they are the page cache's, not the process's.
 */
function anonymousMemory (): number {
  try {
    const kb = /^RssAnon:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]
    if (kb != null) return Number(kb) * 1024
  } catch {
    // not Linux
  }
  return process.memoryUsage.rss()
}

setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

/** `size` bytes that look random and are the same every time (AES-CTR of zeros), made as they are read. */
function* generated (size: number, chunk = 256 * 1024): Generator<Buffer> {
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16, 0))
  const zeros = Buffer.alloc(chunk)
  for (let sent = 0; sent < size; sent += chunk) yield cipher.update(zeros.subarray(0, Math.min(chunk, size - sent)))
}

describe('REST API POST /add (3-peer cluster)', function () {
  let peers: Cluster[]
  let url: string

  before(async function () {
    peers = await startCluster(3)
    await metricsReady(peers)
    url = peers[0]!.restApiUrls[0] as string
  })

  after(async function () {
    await stopCluster(peers)
  })

  const pinCount = async (): Promise<number> => {
    let n = 0
    for await (const _ of peers[0]!.rpc.stream(undefined, 'Cluster', 'Pins', undefined)) n++
    return n
  }
  const pinGet = async (cid: string): Promise<PinJson> => peers[0]!.rpc.call(undefined, 'Cluster', 'PinGet', cid)

  it('streams AddedOutput as NDJSON with X-Chunked-Output and pins with the query\'s options', async function () {
    const res = await post(`${url}/add?replication=2&meta-color=blue`, multipart([file('hello.txt', 'hello world\n')]))
    assert.equal(res.status, 200, res.body)
    assert.equal(res.headers['x-chunked-output'], '1')
    assert.equal(res.trailers['x-stream-error'], '')
    const [out, ...rest] = lines(res)
    assert.deepEqual(rest, [])
    assert.deepEqual(Object.keys(out), ['name', 'cid', 'size', 'allocations'])
    assert.equal(out.cid, HELLO_KUBO_V0)
    assert.equal(out.name, 'hello.txt')
    assert.equal(out.allocations.length, 2)
    const pin = await pinGet(HELLO_KUBO_V0)
    assert.equal(pin.replication_factor_min, 2)
    assert.deepEqual(pin.metadata, { color: 'blue' })
    assert.equal(pin.name, 'hello.txt')
  })

  it('takes both disposition styles, URL-encoded names and directories, and wraps them', async function () {
    const a = randomBytes(2000)
    const b = randomBytes(3000)
    const body = multipart([directory('my+folder', 'file'), file('my+folder%2Fa.bin', a, 'file'), file('my+folder%2Fb.bin', b, 'form-data')])
    const res = await post(`${url}/add?wrap-with-directory=true&name=wrapped`, body)
    assert.equal(res.status, 200, res.body)
    const outputs = lines(res)
    assert.deepEqual(outputs.map((o) => o.name), ['my folder/a.bin', 'my folder/b.bin', 'my folder', ''])
    let expected = ''
    const source = [{ path: 'my folder' }, { path: 'my folder/a.bin', content: a }, { path: 'my folder/b.bin', content: b }]
    const options = { cidVersion: 0 as const, rawLeaves: false, wrapWithDirectory: true, chunker: fixedSize({ chunkSize: 262144 }), layout: balanced({ maxChildrenPerNode: 174 }) }
    for await (const e of importer(source, { put: async (cid) => cid }, options)) expected = e.cid.toString()
    assert.equal(outputs.at(-1).cid, expected)
    assert.equal((await pinGet(expected)).name, 'wrapped')
  })

  it('answers one JSON array with stream-channels=false', async function () {
    const res = await post(`${url}/add?stream-channels=false&progress=true`, multipart([file('x', randomBytes(10)), file('y', randomBytes(10))]))
    assert.equal(res.status, 200, res.body)
    assert.equal(res.headers['x-chunked-output'], undefined)
    assert.match(res.headers['content-type'] ?? '', /^application\/json/)
    const body = JSON.parse(res.body)
    assert.ok(Array.isArray(body))
    assert.deepEqual(body.map((o: { name: string }) => o.name), ['x', 'y'], 'progress items are left out')
  })

  it('answers 400 naming the problem, and pins nothing, for bad input', async function () {
    const count = await pinCount()
    const good = multipart([file('f', 'content')])
    assert.match(errorMessage(await post(`${url}/add?chunker=size-0`, good), 400), /invalid query parameter "chunker"/)
    assert.match(errorMessage(await post(`${url}/add?cid-version=7`, good), 400), /"cid-version"/)
    assert.match(errorMessage(await post(`${url}/add?replication-min=x`, good), 400), /"replication-min"/)
    assert.match(errorMessage(await post(`${url}/add`, Buffer.from('no boundaries in here')), 400), /no file|malformed/)
    assert.match(errorMessage(await post(`${url}/add`, multipart([file('a', 'x')]).subarray(0, 60)), 400), /malformed|broke off/)
    assert.match(errorMessage(await post(`${url}/add`, multipart([{ disposition: 'form-data', body: 'a field only' }])), 400), /no file in the request/)
    assert.match(errorMessage(await post(`${url}/add`, good, 'multipart/form-data'), 400), /no multipart boundary/)
    assert.match(errorMessage(await post(`${url}/add`, Buffer.from('{}'), 'application/json'), 400), /expected multipart/)
    assert.match(errorMessage(await post(`${url}/add?format=car`, good), 400), /CAR/)
    assert.equal(await pinCount(), count)
  })

  it('reports a failure after the first line in the X-Stream-Error trailer, and pins nothing', async function () {
    const count = await pinCount()
    const whole = multipart([file('first', randomBytes(100)), file('second', randomBytes(5000))])
    const res = await post(`${url}/add`, whole.subarray(0, whole.length - 2000))
    assert.equal(res.status, 200)
    assert.deepEqual(lines(res).map((o) => o.name), ['first'])
    assert.match(res.trailers['x-stream-error'] ?? '', /malformed multipart body|broke off/)
    assert.equal(await pinCount(), count)
  })

  it('answers 405 to GET /add', async function () {
    assert.equal((await fetchRaw(`${url}/add`)).status, 405)
  })

  it('streams a 64 MiB upload through with memory growing by a fraction of it', async function () {
    const size = 64 * 1024 * 1024
    const upload = (bytes: number): Readable => Readable.from((function * () {
      yield Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`)
      yield * generated(bytes)
      yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`)
    })(), { objectMode: false })
    // one-time costs (LevelDB's caches and memtables filling, code, buffer pools) come with any first upload: paid here
    assert.equal((await post(`${url}/add?replication=2&no-pin=true`, upload(16 * 1024 * 1024))).status, 200)
    await metricsReady(peers)
    const body = upload(size)
    collectGarbage()
    const baseline = anonymousMemory()
    let peak = baseline
    // garbage not collected yet is not memory the upload holds: what is left after a collection is
    const sampler = setInterval(() => {
      collectGarbage()
      peak = Math.max(peak, anonymousMemory())
    }, 100)
    let res: RawResponse
    try {
      res = await post(`${url}/add?replication=2`, body)
    } finally {
      clearInterval(sampler)
    }
    assert.equal(res.status, 200, res.body)
    assert.equal(res.trailers['x-stream-error'], '')
    const ratio = (peak - baseline) / size
    assert.ok(ratio < 0.5, `anonymous RSS grew by ${Math.round((peak - baseline) / 1048576)} MiB for a 64 MiB upload (ratio ${ratio.toFixed(2)})`)
    let expected = ''
    const options = { cidVersion: 0 as const, rawLeaves: false, chunker: fixedSize({ chunkSize: 262144 }), layout: balanced({ maxChildrenPerNode: 174 }) }
    for await (const e of importer([{ path: 'big.bin', content: generated(size) }], { put: async (cid) => cid }, options)) expected = e.cid.toString()
    assert.equal(lines(res)[0].cid, expected)
    assert.equal((await pinGet(expected)).allocations.length, 2)
  })
})
