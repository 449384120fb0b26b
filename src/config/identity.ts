/**
 * identity.json, as IPFS Cluster writes it: the peer id and the base64
 * (standard, padded) libp2p protobuf encoding of the private key. The key is
 * never logged nor quoted in errors.
 */
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { fromString } from 'uint8arrays/from-string'
import { toString } from 'uint8arrays/to-string'
import { ConfigError } from './errors.ts'
import { formatJsonProblem, parseJsonText } from './json-syntax.ts'
import { describeJson } from './kinds.ts'
import type { PrivateKey } from '@libp2p/interface'

export const IDENTITY_FILE = 'identity.json'

export interface Identity {
  /** The peer id, base58btc ("12D3KooW..."). */
  id: string
  privateKey: PrivateKey
}

/** A new Ed25519 identity. */
export async function generateIdentity (): Promise<Identity> {
  const privateKey = await generateKeyPair('Ed25519')
  return { id: peerIdFromPrivateKey(privateKey).toString(), privateKey }
}

export function serializeIdentity (identity: Identity): string {
  return JSON.stringify({
    id: identity.id,
    private_key: toString(privateKeyToProtobuf(identity.privateKey), 'base64pad')
  }, null, 2) + '\n'
}

function stringField (json: Record<string, unknown>, key: string, source: string): string {
  const value = json[key]
  if (value === undefined) throw new ConfigError({ source, key, problem: 'is missing' })
  if (typeof value !== 'string') throw new ConfigError({ source, key, problem: `expected a string, got ${describeJson(value)}` })
  return value
}

/** Parses identity.json text and checks that the id belongs to the key. */
export function parseIdentity (text: string, source = IDENTITY_FILE): Identity {
  const parsed = parseJsonText(text)
  if ('problem' in parsed) throw new ConfigError({ source, problem: formatJsonProblem(parsed.problem) })
  const json = parsed.value
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError({ source, problem: `must hold a JSON object, got ${describeJson(json)}` })
  }
  const record = json as Record<string, unknown>
  const id = stringField(record, 'id', source)
  const encodedKey = stringField(record, 'private_key', source)

  let privateKey: PrivateKey
  try {
    privateKey = privateKeyFromProtobuf(fromString(encodedKey, 'base64pad'))
  } catch {
    // the cause is left out: decoder messages may quote the input
    throw new ConfigError({ source, key: 'private_key', problem: 'is not a base64-encoded libp2p private key' })
  }

  let peerId: string
  try {
    peerId = peerIdFromString(id).toString()
  } catch (err) {
    throw new ConfigError({ source, key: 'id', problem: `${JSON.stringify(id)} is not a valid peer id`, cause: err })
  }
  const keyId = peerIdFromPrivateKey(privateKey).toString()
  if (peerId !== keyId) {
    throw new ConfigError({ source, key: 'id', problem: `${id} does not match private_key, whose peer id is ${keyId}` })
  }
  return { id: peerId, privateKey }
}
