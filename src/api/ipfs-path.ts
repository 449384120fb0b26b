/**
 * IPFS paths as users give them to pin or unpin by path (`POST
 * /pins/ipfs/...`, `cluster-ctl pin add /ipfs/...`), checked as IPFS
 * Cluster checks them (go-path's `ParsePath`) before anything resolves
 * them: `/ipfs/<cid>[/...]`, `/ipld/<cid>[/...]` or `/ipns/<name>[/...]`.
 * One trailing slash is dropped; an empty segment, `.`, `..` or a control
 * character is refused rather than cleaned away. What the path resolves to
 * is the IPFS node's business.
 */
import { parseCid } from './cid.ts'

export const PATH_NAMESPACES = ['ipfs', 'ipns', 'ipld'] as const
export type PathNamespace = typeof PATH_NAMESPACES[number]

export class InvalidPathError extends Error {
  static readonly NAME = 'InvalidPathError'
  constructor (path: string, problem: string) {
    super(`invalid IPFS path ${show(path)}: ${problem}`)
    this.name = InvalidPathError.NAME
  }
}

/** The path, checked, without its trailing slash. Throws InvalidPathError. */
export function checkIpfsPath (path: string): string {
  const [empty, namespace, ...rest] = path.split('/')
  if (empty !== '' || !(PATH_NAMESPACES as readonly string[]).includes(namespace ?? '')) {
    throw new InvalidPathError(path, `must start with ${PATH_NAMESPACES.map((n) => `/${n}/`).join(', ')}`)
  }
  if (rest.length > 1 && rest.at(-1) === '') rest.pop()
  const [root] = rest
  if (root == null || root === '') throw new InvalidPathError(path, `nothing after /${namespace}/`)
  const bad = rest.find((s) => s === '' || s === '.' || s === '..')
  if (bad !== undefined) throw new InvalidPathError(path, bad === '' ? 'empty segment' : `${show(bad)} segment`)
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(path)) throw new InvalidPathError(path, 'control character')
  if (namespace !== 'ipns') {
    try {
      parseCid(root)
    } catch (err) {
      throw new InvalidPathError(path, `${show(root)} is not a CID: ${(err as Error).message}`)
    }
  }
  return `/${namespace}/${rest.join('/')}`
}

function show (text: string): string {
  const shown = JSON.stringify(text)
  return shown.length > 100 ? shown.slice(0, 96) + '..."' : shown
}
