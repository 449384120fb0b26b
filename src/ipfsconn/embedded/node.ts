/**
 * The embedded IPFS node: Helia with its blocks (one file each, see
 * blockstore.ts) and its datastore (pins, the libp2p peer store, in LevelDB)
 * under `<folder>/ipfs/`, and its own libp2p
 * host: TCP, noise, yamux, identify and bitswap, nothing else. It is the
 * public IPFS side, so no cluster secret (pnet); and it finds no one by
 * itself (no bootstrap list, no DHT, no mDNS, no delegated routing): the
 * cluster connects it to the other peers' nodes (ConnectSwarms).
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { withBitswap } from '@helia/bitswap'
import { withLibp2pLight } from '@helia/libp2p'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import * as dagCbor from '@ipld/dag-cbor'
import * as dagJson from '@ipld/dag-json'
import { compressedLevelDatastore } from '../../util/level-datastore.ts'
import { createHeliaLight } from 'helia'
import * as json from 'multiformats/codecs/json'
import { sha512 } from 'multiformats/hashes/sha2'
import { openBlockstore } from './blockstore.ts'
import { loadOrCreateKey } from './identity.ts'
import type { RepoBlockstore } from './blockstore.ts'
import type { EmbeddedIpfsSection } from '../../config/types.ts'
import type { HeliaWithLibp2p } from '@helia/libp2p'
import type { Identify } from '@libp2p/identify'

export type EmbeddedHelia = HeliaWithLibp2p<{ identify: Identify }>

/** Where the embedded node keeps its files, below the configuration folder. */
export function embeddedRepoPaths (folder: string): { root: string, blocks: string, datastore: string, key: string } {
  const root = join(folder, 'ipfs')
  return { root, blocks: join(root, 'blocks'), datastore: join(root, 'datastore'), key: join(root, 'identity.key') }
}

export interface EmbeddedNode {
  helia: EmbeddedHelia
  /** The folder the blockstore's files are in (RepoStat reads its disk's free space). */
  blocksPath: string
  blockstore: RepoBlockstore
  /** Stops Helia and libp2p and closes the stores. */
  close(): Promise<void>
}

export async function startEmbeddedNode (folder: string, config: EmbeddedIpfsSection, signal?: AbortSignal): Promise<EmbeddedNode> {
  const paths = embeddedRepoPaths(folder)
  await mkdir(paths.root, { recursive: true, mode: 0o700 })
  const privateKey = await loadOrCreateKey(paths.key, signal)
  signal?.throwIfAborted()

  const blockstore = await openBlockstore(paths.blocks)
  const datastore = compressedLevelDatastore(paths.datastore)
  try {
    await datastore.open()
  } catch (err) {
    await blockstore.close()
    throw err
  }

  const helia = withBitswap(withLibp2pLight(createHeliaLight({
    blockstore,
    datastore,
    codecs: [dagCbor, dagJson, json],
    hashers: [sha512]
  }), {
    privateKey,
    addresses: { listen: config.listen_multiaddress, announce: config.announce_multiaddress },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  }), {
    // Helia waits 10 ms before sending wants and blocks, to batch them: on a
    // cluster's LAN that wait is most of a small block's fetch time (about 20
    // ms a block, 9 ms with 1 ms), and a pin queue keeps enough wants in
    // flight to batch anyway
    sendWantlistDebounce: 1,
    sendBlocksDebounce: 1
  })

  const closeStores = async (): Promise<void> => {
    await Promise.allSettled([blockstore.close(), datastore.close()])
  }
  try {
    await helia.start()
  } catch (err) {
    await helia.stop().catch(() => {})
    await closeStores()
    throw err
  }
  return {
    helia,
    blocksPath: paths.blocks,
    blockstore,
    close: async () => {
      try {
        await helia.stop()
      } finally {
        await closeStores()
      }
    }
  }
}
