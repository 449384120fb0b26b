import { strict as assert } from 'node:assert'
import { base36 } from 'multiformats/bases/base36'
import { base58btc } from 'multiformats/bases/base58'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { IpfsPinset, blockKey } from '../../src/pintracker/ipfs-pinset.ts'

const DAG_PB = 0x70

async function * items (list: Array<{ cid: string, type: 'recursive' | 'direct' }>): AsyncGenerator<{ cid: string, type: 'recursive' | 'direct' }> {
  yield * list
}

describe('IpfsPinset', () => {
  it('keys every form of a CID by its multihash', async () => {
    const digest = await sha256.digest(new TextEncoder().encode('ipfs-pinset'))
    const v0 = CID.createV0(digest)
    const v1 = CID.createV1(DAG_PB, digest)
    const forms = [v0.toString(), v1.toString(), v1.toString(base36), v1.toString(base58btc), CID.createV1(raw.code, digest).toString()]
    const keys = new Set(forms.map(blockKey))
    assert.equal(keys.size, 1, `one key for ${forms.join(', ')}`)
    const other = CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode('another block'))).toString()
    assert.notEqual(blockKey(other), [...keys][0])
  })

  it('finds a pin listed in one form when asked in another, recursive winning over direct', async () => {
    const digest = await sha256.digest(new TextEncoder().encode('pinned both ways'))
    const v0 = CID.createV0(digest).toString()
    const v1 = CID.createV1(DAG_PB, digest).toString()
    const direct = CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode('direct only'))).toString()
    const set = await IpfsPinset.load(items([{ cid: v1, type: 'direct' }, { cid: v0, type: 'recursive' }, { cid: direct, type: 'direct' }]))
    assert.equal(set.typeOf(v1), 'recursive')
    assert.equal(set.typeOf(v0), 'recursive')
    assert.equal(set.typeOf(direct), 'direct')
    assert.equal(set.typeOf(CID.parse(direct).toString(base36)), 'direct')
    const missing = CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode('not pinned'))).toString()
    assert.equal(set.typeOf(missing), 'unpinned')
  })
})
