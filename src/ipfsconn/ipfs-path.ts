/**
 * IPFS paths as Resolve takes them: `/ipfs/<cid>/a/b`, `/ipld/<cid>/a/b`,
 * `/ipns/<name>/a/b`, or a bare `<cid>/a/b` (taken as `/ipfs/`).
 */
import { parseCid } from './block-cid.ts'
import { IpfsInvalidRequestError } from './errors.ts'
import type { CID } from 'multiformats/cid'

export type IpfsPath =
  | { namespace: 'ipfs' | 'ipld', root: CID, rest: string[] }
  | { namespace: 'ipns', name: string, rest: string[] }

export function parseIpfsPath (text: string): IpfsPath {
  const segments = text.trim().split('/')
  let namespace = 'ipfs'
  if (segments[0] === '') {
    // absolute: /<namespace>/<root>/...
    namespace = segments[1] ?? ''
    segments.splice(0, 2)
  }
  const [root, ...tail] = segments
  const rest = tail.filter((s) => s !== '')
  if (root == null || root === '') throw new IpfsInvalidRequestError(`${JSON.stringify(text)} is not an IPFS path: no root after /${namespace}/`)
  switch (namespace) {
    case 'ipfs':
    case 'ipld':
      return { namespace, root: parseCid(root), rest }
    case 'ipns':
      return { namespace, name: root, rest }
    default:
      throw new IpfsInvalidRequestError(`${JSON.stringify(text)} is not an IPFS path: it must start with /ipfs/, /ipns/ or /ipld/`)
  }
}

/** The path as text, `/<namespace>/<root>/<rest...>`. */
export function formatIpfsPath (path: IpfsPath): string {
  const root = path.namespace === 'ipns' ? path.name : path.root.toString()
  return [`/${path.namespace}`, root, ...path.rest].join('/')
}
