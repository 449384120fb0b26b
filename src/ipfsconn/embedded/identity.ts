/**
 * The embedded IPFS node's own key (not the cluster peer's), kept in one file
 * under its repo so that its peer id stays the same across restarts: the
 * other peers' IPFS nodes and ConnectSwarms know it by that id.
 */
import { randomBytes } from 'node:crypto'
import { readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'

export async function loadOrCreateKey (path: string, signal?: AbortSignal): Promise<PrivateKey> {
  try {
    return privateKeyFromProtobuf(await readFile(path, { signal }))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`the embedded IPFS node's key ${path} cannot be read: ${(err as Error).message}`, { cause: err })
    }
  }
  const key = await generateKeyPair('Ed25519')
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await writeFile(temporary, privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx', signal })
    await rename(temporary, path)
  } catch (err) {
    await unlink(temporary).catch(() => {})
    throw err
  }
  return key
}
