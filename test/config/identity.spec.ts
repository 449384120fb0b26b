import { strict as assert } from 'node:assert'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { generateIdentity, parseIdentity, serializeIdentity } from '../../src/config/index.ts'
import { throwsConfigError } from './helpers.ts'

describe('config: identity.json', () => {
  it("writes IPFS Cluster's format and reads it back", async () => {
    const identity = await generateIdentity()
    const text = serializeIdentity(identity)
    const json = JSON.parse(text)
    assert.deepEqual(Object.keys(json), ['id', 'private_key'])
    assert.equal(json.id, identity.id)
    assert.match(json.id, /^12D3KooW/)
    assert.equal(json.private_key, Buffer.from(privateKeyToProtobuf(identity.privateKey)).toString('base64'))
    const back = parseIdentity(text)
    assert.equal(back.id, identity.id)
    assert.ok(back.privateKey.equals(identity.privateKey))
  })

  it('reads an identity written by another program (RSA keys too)', async () => {
    const key = await generateKeyPair('RSA', 1024)
    const text = JSON.stringify({ id: peerIdFromPrivateKey(key).toString(), private_key: Buffer.from(privateKeyToProtobuf(key)).toString('base64') })
    assert.equal(parseIdentity(text).id, peerIdFromPrivateKey(key).toString())
  })

  it('refuses an id that does not match the key, naming both ids but not the key', async () => {
    const a = await generateIdentity()
    const b = await generateIdentity()
    const encodedKey = Buffer.from(privateKeyToProtobuf(a.privateKey)).toString('base64')
    throwsConfigError(() => parseIdentity(JSON.stringify({ id: b.id, private_key: encodedKey })), {
      key: 'id', includes: ['identity.json', 'does not match private_key', a.id, b.id], excludes: [encodedKey, encodedKey.slice(8, 30)]
    })
  })

  it('names the broken part without quoting the key', async () => {
    const { id } = await generateIdentity()
    throwsConfigError(() => parseIdentity('{"id": '), { key: '', includes: ['identity.json', 'not valid JSON'] })
    throwsConfigError(() => parseIdentity(JSON.stringify({ private_key: 'CAESQA==' })), { key: 'id', includes: ['missing'] })
    throwsConfigError(() => parseIdentity(JSON.stringify({ id, private_key: 5 })), { key: 'private_key', includes: ['expected a string'] })
    const garbage = 'Zm9vYmFyYmF6cXV4c2VjcmV0'
    throwsConfigError(() => parseIdentity(JSON.stringify({ id, private_key: garbage })), { key: 'private_key', includes: ['not a base64-encoded libp2p private key'], excludes: [garbage] })
    throwsConfigError(() => parseIdentity(JSON.stringify({ id, private_key: '!!not base64!!' })), { key: 'private_key', excludes: ['!!not base64!!'] })
    const { privateKey } = await generateIdentity()
    throwsConfigError(() => parseIdentity(JSON.stringify({ id: 'not-a-peer-id', private_key: Buffer.from(privateKeyToProtobuf(privateKey)).toString('base64') })), {
      key: 'id', includes: ['not a valid peer id']
    })
  })
})
