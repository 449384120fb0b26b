/** A peer's ID as ipfs-cluster-ctl prints it. */
import type { IDJson } from '../../../api/types.ts'

export function formatId (id: IDJson): string {
  if (id.error !== '') return `${id.id} | ERROR: ${id.error}\n`
  const lines = [`${id.id} | ${id.peername} | Sees ${Math.max(0, id.cluster_peers.length - 1)} other peers`]
  lines.push('  > Addresses:')
  for (const addr of [...id.addresses].sort()) lines.push(`    - ${addr}`)
  if (id.ipfs.error !== '') {
    lines.push(`  > IPFS ERROR: ${id.ipfs.error}`)
  } else {
    lines.push(`  > IPFS: ${id.ipfs.id}`)
    for (const addr of [...id.ipfs.addresses].sort()) lines.push(`    - ${addr}`)
  }
  return lines.join('\n') + '\n'
}
