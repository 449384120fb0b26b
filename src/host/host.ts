/**
 * The cluster's libp2p host: TCP, Noise, Yamux, a private network keyed by the
 * cluster secret, identify and ping. Peers without the same secret cannot
 * complete a connection, so they cannot call anything.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { preSharedKey } from '@libp2p/pnet'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { toString as toHex } from 'uint8arrays/to-string'
import { fromString } from 'uint8arrays/from-string'
import { PeerGate } from './peer-gate.ts'
import type { Identify } from '@libp2p/identify'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'

export const SECRET_LENGTH = 32

/** The largest yamux receive window of a stream. */
const STREAM_WINDOW = 4 * 1024 * 1024

export interface HostInit {
  privateKey: PrivateKey
  /** The 32-byte cluster secret. */
  secret: Uint8Array
  listen: string[]
  /** Addresses to announce instead of the listen addresses. */
  announce?: string[]
  gate?: PeerGate
}

export type ClusterHost = Libp2p<{ identify: Identify, ping: Ping }>

/** The pre-shared key file format that @libp2p/pnet reads. */
export function pskFromSecret (secret: Uint8Array): Uint8Array {
  if (secret.byteLength !== SECRET_LENGTH) throw new Error(`the cluster secret must be ${SECRET_LENGTH} bytes`)
  return fromString('/key/swarm/psk/1.0.0/\n/base16/\n' + toHex(secret, 'base16'))
}

/** Builds the host, not started: `start()` listens. */
export async function createClusterHost (init: HostInit): Promise<ClusterHost> {
  return createLibp2p({
    start: false,
    privateKey: init.privateKey,
    addresses: { listen: init.listen, announce: init.announce ?? [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    // a paused stream (a slow consumer of a long RPC stream) must be able to hold a full window:
    // yamux grows windows to 16 MiB by default, above its 4 MiB read buffer limit, which resets it
    streamMuxers: [yamux({ streamOptions: { maxStreamWindowSize: STREAM_WINDOW, maxReadBufferLength: 2 * STREAM_WINDOW } })],
    connectionProtector: preSharedKey({ psk: pskFromSecret(init.secret) }),
    connectionGater: init.gate ?? new PeerGate(),
    services: {
      identify: identify(),
      ping: ping()
    }
  })
}
