/**
 * The connectivity graph as a Graphviz dot file, line for line as
 * ipfs-cluster-ctl's `health graph` writes it: cluster peers (boxes: this
 * peer doubly outlined, trusted ones orange, others dark orange) above their
 * IPFS nodes (cylinders; red "Errored" for a peer whose IPFS node is
 * unknown), edges for cluster links, each peer to its IPFS node (dotted when
 * unknown) and IPFS swarm links. Nodes are numbered in peer id order. With
 * `allIpfs`, swarm peers outside the cluster are drawn too.
 */
import type { ConnectGraphJson } from '../../../api/types.ts'

interface Node {
  id: string
  label: string
  group: string
  color: string
  shape: string
  peripheries?: number
}

/** The dot text, ending with a newline (ipfs-cluster-ctl writes none after the closing brace). */
export function formatConnectGraph (graph: ConnectGraphJson, allIpfs = false): string {
  const ipfsEdges = ipfsEdgesOf(graph, allIpfs)
  const clusterPeers = Object.keys(graph.cluster_links).sort()
  const clusterNodes = new Map<string, Node>()
  const ipfsNodes = new Map<string, Node>()
  const peerLabel = (id: string): string => label(graph.id_to_peername[id] ?? '', shorten(id))

  for (const peer of clusterPeers) {
    const n = clusterNodes.size
    if (peer === graph.cluster_id) {
      clusterNodes.set(peer, { id: `C${n}`, label: peerLabel(peer), group: peer, color: 'orange', shape: 'box3d', peripheries: 2 })
    } else if (graph.cluster_trust_links[peer] === true) {
      clusterNodes.set(peer, { id: `T${n}`, label: peerLabel(peer), group: peer, color: 'orange', shape: 'box3d' })
    } else {
      clusterNodes.set(peer, { id: `C${n}`, label: peerLabel(peer), group: peer, color: 'darkorange3', shape: 'box3d' })
    }
  }
  for (const ipfs of [...ipfsEdges.keys()].sort()) {
    ipfsNodes.set(ipfs, { id: `I${ipfsNodes.size}`, label: label('IPFS', shorten(ipfs)), group: ipfs, color: 'turquoise3', shape: 'cylinder' })
  }
  // a peer whose IPFS node is unknown gets a node of its own, keyed by the peer
  for (const peer of clusterPeers) {
    if (graph.cluster_to_ipfs[peer] != null) continue
    ipfsNodes.set(peer, { id: `I${ipfsNodes.size}`, label: label('IPFS', 'Errored'), group: peer, color: 'firebrick1', shape: 'cylinder' })
  }

  const lines = ['digraph cluster {', '/* The nodes of the connectivity graph */', '/* The cluster-service peers */']
  lines.push(...subgraph('min', [...clusterNodes.values()]), '')
  lines.push('/* The ipfs peers */', ...subgraph('max', [...ipfsNodes.values()]), '')

  lines.push('/* Edges representing active connections in the cluster */', '/* The connections among cluster-service peers */')
  for (const peer of clusterPeers) {
    for (const other of graph.cluster_links[peer] ?? []) lines.push(...edge(clusterNodes.get(peer), clusterNodes.get(other)))
  }
  lines.push('')

  lines.push('/* The connections between cluster peers and their ipfs daemons */')
  for (const peer of clusterPeers) {
    const ipfs = graph.cluster_to_ipfs[peer]
    if (ipfs == null) lines.push(...edge(clusterNodes.get(peer), ipfsNodes.get(peer), 'dotted'))
    else lines.push(...edge(clusterNodes.get(peer), ipfsNodes.get(ipfs)))
  }
  lines.push('')

  lines.push('/* The swarm peer connections among ipfs daemons in the cluster */')
  for (const ipfs of [...ipfsEdges.keys()].sort()) {
    for (const other of ipfsEdges.get(ipfs) ?? []) lines.push(...edge(ipfsNodes.get(ipfs), ipfsNodes.get(other)))
  }
  lines.push('}')
  return lines.join('\n') + '\n'
}

/** The IPFS links to draw: between the cluster's IPFS nodes, or with `allIpfs` to every swarm peer (drawn as a node too). */
function ipfsEdgesOf (graph: ConnectGraphJson, allIpfs: boolean): Map<string, string[]> {
  const edges = new Map<string, string[]>()
  for (const [ipfs, swarm] of Object.entries(graph.ipfs_links)) {
    edges.set(ipfs, swarm.filter((other) => allIpfs || Object.hasOwn(graph.ipfs_links, other)))
  }
  if (allIpfs) {
    for (const swarm of Object.values(graph.ipfs_links)) {
      for (const other of swarm) if (!edges.has(other)) edges.set(other, [])
    }
  }
  return edges
}

function subgraph (rank: string, nodes: Node[]): string[] {
  return ['subgraph  {', `rank="${rank}"`, ...nodes.map(vertex), '}']
}

/** As go-dot writes a vertex: its set attributes in a fixed order, HTML-like labels unquoted. */
function vertex (node: Node): string {
  const attributes: Array<[string, string | number | undefined]> = [
    ['label', node.label],
    ['group', node.group],
    ['color', node.color],
    ['style', 'filled'],
    ['colorscheme', 'x11'],
    ['fontcolor', 'black'],
    ['fontname', 'Arial'],
    ['shape', node.shape],
    ['peripheries', node.peripheries]
  ]
  let text = `${node.id} [`
  for (const [name, value] of attributes) {
    if (value == null || value === '' || value === 0) continue
    text += typeof value === 'string' && value.startsWith('<') ? `${name}=${value} ` : `${name}="${value}" `
  }
  return text + ']'
}

/** An edge between two drawn nodes; nothing when one of them is not drawn. */
function edge (from: Node | undefined, to: Node | undefined, style?: string): string[] {
  if (from == null || to == null) return []
  return [`${from.id} -> ${to.id}${style != null ? ` [ style="${style}" ]` : ''}`]
}

function shorten (id: string): string {
  return id.length <= 8 ? id : `${id.slice(0, 2)}*${id.slice(-6)}`
}

function label (top: string, bottom: string): string {
  return `< <B> ${top} </B> <BR/> <B> ${bottom} </B> >`
}
