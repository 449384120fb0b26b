/**
 * The wire form of a single-server membership change, carried as the data of a
 * 'conf' entry, and its effect on a set of voters.
 *
 * Form: one byte for the type (1 add, 2 remove), then the node id in UTF-8.
 */
import type { ConfChange, NodeId } from './types.ts'

const ADD = 1
const REMOVE = 2

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

export function encodeConfChange (cc: ConfChange): Uint8Array {
  if (cc.type !== 'add' && cc.type !== 'remove') throw new TypeError(`unknown conf change type: ${String(cc.type)}`)
  if (typeof cc.node !== 'string' || cc.node === '') throw new TypeError('a conf change needs a node id')
  const node = encoder.encode(cc.node)
  const out = new Uint8Array(1 + node.byteLength)
  out[0] = cc.type === 'add' ? ADD : REMOVE
  out.set(node, 1)
  return out
}

export function decodeConfChange (data: Uint8Array): ConfChange {
  if (data.byteLength < 2) throw new TypeError('conf change too short')
  const tag = data[0]
  if (tag !== ADD && tag !== REMOVE) throw new TypeError(`unknown conf change tag: ${String(tag)}`)
  return { type: tag === ADD ? 'add' : 'remove', node: decoder.decode(data.subarray(1)) }
}

/** The voters after `cc`: adding a member or removing a non-member changes nothing. */
export function applyConfChange (voters: readonly NodeId[], cc: ConfChange): NodeId[] {
  if (cc.type === 'add') return voters.includes(cc.node) ? [...voters] : [...voters, cc.node]
  return voters.filter((v) => v !== cc.node)
}
