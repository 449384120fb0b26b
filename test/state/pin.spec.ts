import { strict as assert } from 'node:assert'
import { CID } from 'multiformats/cid'
import { base58btc } from 'multiformats/bases/base58'
import { base64 } from 'multiformats/bases/base64'
import { PinValidationError, defaultPinOptions, parsePin, pinKey } from '../../src/api/pin.ts'
import { ZERO_TIME } from '../../src/api/types.ts'
import { cidOf, fullPin } from './helpers.ts'

/** The field order of the reference's Pin example. */
const REFERENCE_ORDER = [
  'replication_factor_min', 'replication_factor_max', 'name', 'mode', 'shard_size', 'user_allocations',
  'expire_at', 'metadata', 'pin_update', 'origins', 'cid', 'type', 'allocations', 'max_depth', 'reference', 'timestamp'
]

function rejects (json: unknown, field: string): PinValidationError {
  try {
    parsePin(json)
  } catch (err) {
    assert.ok(err instanceof PinValidationError, `a PinValidationError, got ${String(err)}`)
    assert.equal(err.name, 'PinValidationError')
    assert.equal(err.field, field, err.message)
    assert.match(err.message, new RegExp(field.replace(/[[\].]/g, '\\$&')))
    return err
  }
  assert.fail(`${JSON.stringify(json)} was accepted`)
}

describe('parsePin', function () {
  it('accepts the reference example and keeps every field, in IPFS Cluster order', async function () {
    const example = {
      replication_factor_min: 1,
      replication_factor_max: 1,
      name: '',
      mode: 'recursive',
      shard_size: 0,
      user_allocations: null,
      expire_at: '0001-01-01T00:00:00Z',
      metadata: null,
      pin_update: null,
      origins: [],
      cid: cidOf(7),
      type: 'pin',
      allocations: ['12D3KooWGRUVh2W1jTcG5ZGUVmrDWRkUadCUhGMkBE3WnNMb2Tvr'],
      max_depth: -1,
      reference: null,
      timestamp: '2022-12-07T16:12:39+08:00'
    }
    const pin = parsePin(example)
    assert.deepEqual(pin, example)
    assert.deepEqual(Object.keys(pin), REFERENCE_ORDER)
    assert.equal(JSON.stringify(pin), JSON.stringify(example))

    const full = await fullPin()
    assert.deepEqual(parsePin(JSON.parse(JSON.stringify(full))), full)
  })

  it('fills absent fields with the defaults, drops unknown ones', function () {
    const pin = parsePin({ cid: cidOf(1), extra: true })
    assert.deepEqual(pin, {
      ...defaultPinOptions(), cid: cidOf(1), type: 'pin', allocations: [], max_depth: -1, reference: null, timestamp: ZERO_TIME
    })
    assert.deepEqual(Object.keys(pin), REFERENCE_ORDER)
    assert.equal(parsePin({ cid: cidOf(1), mode: 'direct' }).max_depth, 0)
    // Go writes nil slices as null
    assert.deepEqual(parsePin({ cid: cidOf(1), allocations: null, origins: null }).allocations, [])
  })

  it('accepts CIDv0 and CIDv1 in any base, and writes them canonically', function () {
    const v0 = 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG'
    assert.equal(parsePin({ cid: v0 }).cid, v0)
    const v1 = CID.parse(cidOf(3))
    for (const text of [v1.toString(), v1.toString(base58btc), v1.toString(base64)]) {
      assert.equal(parsePin({ cid: text }).cid, v1.toString(), text)
      assert.equal(pinKey(text), v1.toString())
    }
    // v0 and v1 of the same content are different pins, as in IPFS Cluster
    assert.notEqual(pinKey(v0), pinKey(CID.parse(v0).toV1().toString()))
  })

  it('rejects a bad CID anywhere, naming the field', function () {
    rejects({ cid: 'not-a-cid' }, 'cid')
    rejects({ cid: 42 }, 'cid')
    rejects({}, 'cid')
    rejects({ cid: cidOf(1), pin_update: 'Qmnope' }, 'pin_update')
    rejects({ cid: cidOf(1), reference: 'bafyzzz' }, 'reference')
    assert.throws(() => pinKey('nope'), { name: 'PinValidationError' })
  })

  it('rejects bad modes, types, numbers, lists and maps', function () {
    const cid = cidOf(1)
    rejects({ cid, mode: 'deep' }, 'mode')
    rejects({ cid, type: 'data' }, 'type')
    rejects({ cid, replication_factor_min: '1' }, 'replication_factor_min')
    rejects({ cid, replication_factor_max: 1.5 }, 'replication_factor_max')
    rejects({ cid, shard_size: -1 }, 'shard_size')
    rejects({ cid, max_depth: -2 }, 'max_depth')
    rejects({ cid, name: null }, 'name')
    rejects({ cid, allocations: 'x' }, 'allocations')
    rejects({ cid, allocations: ['not-a-peer'] }, 'allocations[0]')
    rejects({ cid, user_allocations: [1] }, 'user_allocations[0]')
    rejects({ cid, origins: ['/ip4/1.2.3.4/tcp/nope'] }, 'origins[0]')
    rejects({ cid, metadata: { a: 1 } }, 'metadata.a')
    rejects({ cid, metadata: [] }, 'metadata')
    rejects('{"cid":"x"}', '')
    rejects(null, '')
  })

  it('rejects dates that are not RFC 3339', function () {
    const cid = cidOf(1)
    for (const date of ['2022-02-30T00:00:00Z', '2022-12-07 16:12:39Z', '2022-12-07T16:12:39', '2022-13-01T00:00:00Z',
      '2022-12-07T24:00:00Z', '2022-12-07T16:12:60Z', '2022-12-07T16:12:39+25:00', 'yesterday', '']) {
      rejects({ cid, timestamp: date }, 'timestamp')
    }
    rejects({ cid, expire_at: 1700000000 }, 'expire_at')
    for (const date of ['2024-02-29T23:59:59Z', '2022-12-07T16:12:39.123456789-07:00', ZERO_TIME]) {
      assert.equal(parsePin({ cid, timestamp: date }).timestamp, date)
    }
  })
})
