import { strict as assert } from 'node:assert'
import { AddInputError, importParamsFromQuery } from '../../src/adder/index.ts'
import { parseChunker } from '../../src/adder/params.ts'

const parse = (query: string): ReturnType<typeof importParamsFromQuery> => importParamsFromQuery(new URLSearchParams(query))

function refuses (query: string, pattern: RegExp): void {
  assert.throws(() => parse(query), (err: Error) => {
    assert.ok(err instanceof AddInputError)
    assert.match(err.message, pattern)
    return true
  })
}

describe('adder: import parameters', function () {
  it('defaults to what Kubo and IPFS Cluster default to', function () {
    assert.deepEqual(parse(''), {
      format: 'unixfs',
      chunker: { kind: 'size', size: 262144 },
      rawLeaves: false,
      cidVersion: 0,
      layout: 'balanced',
      hash: 'sha2-256',
      wrapWithDirectory: false,
      local: false,
      noPin: false,
      progress: false,
      hidden: false,
      recursive: false
    })
  })

  it('reads every parameter; cid-version 1 implies raw leaves unless raw-leaves=false', function () {
    const p = parse('format=car&chunker=rabin-16-32-64&cid-version=1&layout=trickle&wrap-with-directory=true&local=1&no-pin=T&progress=true&hidden=true&recursive=true')
    assert.equal(p.format, 'car')
    assert.deepEqual(p.chunker, { kind: 'rabin', min: 16, avg: 32, max: 64 })
    assert.equal(p.rawLeaves, true)
    assert.equal(p.cidVersion, 1)
    assert.equal(p.layout, 'trickle')
    assert.ok(p.wrapWithDirectory && p.local && p.noPin && p.progress && p.hidden && p.recursive)
    assert.equal(parse('cid-version=1&raw-leaves=false').rawLeaves, false)
    assert.equal(parse('raw-leaves=true').rawLeaves, true)
    // another hash than sha2-256 moves to CIDv1, hence raw leaves, as in Kubo
    assert.deepEqual([parse('hash=sha2-512').cidVersion, parse('hash=sha2-512').rawLeaves], [1, true])
    assert.equal(parse('hash=sha2-512&raw-leaves=false').rawLeaves, false)
  })

  it('reads chunkers as Kubo does', function () {
    assert.deepEqual(parseChunker('size-1024'), { kind: 'size', size: 1024 })
    assert.deepEqual(parseChunker('rabin'), { kind: 'rabin', min: 87381, avg: 262144, max: 393216 })
    assert.deepEqual(parseChunker('rabin-3000'), { kind: 'rabin', min: 1000, avg: 3000, max: 4500 })
  })

  it('refuses a value it cannot use with a 400 naming the parameter', function () {
    refuses('chunker=size-0', /"chunker": "size-0"/)
    refuses('chunker=size-2000000', /at most 1048576/)
    refuses('chunker=buzhash', /buzhash chunker is not supported/)
    refuses('chunker=rabin-8-16-32', /at least 16/)
    refuses('chunker=rabin-64-32-16', /min <= avg <= max/)
    refuses('chunker=fastcdc', /unknown chunker/)
    refuses('cid-version=2', /"cid-version": "2" is not 0 or 1/)
    refuses('layout=flat', /"layout": "flat" is not one of balanced, trickle/)
    refuses('format=tar', /"format"/)
    refuses('hash=blake2b-256', /"hash": "blake2b-256" is not supported/)
    refuses('hash=sha2-512&cid-version=0', /"cid-version": CIDv0 only supports sha2-256, not sha2-512/)
    refuses('raw-leaves=maybe', /"raw-leaves": "maybe" is not a boolean/)
    refuses('nocopy=true', /"nocopy": not supported/)
    refuses('shard=true', /sharding is not supported/)
    // a CAR's blocks keep their own hashes: the hash parameter does not apply
    assert.equal(parse('format=car&hash=blake2b-256').format, 'car')
  })
})
