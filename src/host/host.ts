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
import type { ProtocolBandwidth } from './bandwidth.ts'
import type { Identify } from '@libp2p/identify'
import type { ConnectionProtector, Libp2p, PrivateKey } from '@libp2p/interface'
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
  /** Counts bytes by protocol (`GET /health/bandwidth`). */
  bandwidth?: ProtocolBandwidth
}

export type ClusterHost = Libp2p<{ identify: Identify, ping: Ping }>

/** The most bytes handed to one XSalsa20 call of the private network (see boundedPreSharedKey). */
const XOR_CHUNK = 64 * 1024

interface Xor {
  update: (input: Uint8Array, output?: Uint8Array) => Uint8Array
}

/**
 * @libp2p/pnet (3.0.27, the latest release) XORs everything a connection writes
 * at once in one call of the `xsalsa20` package, whose WebAssembly memory is
 * shared by every cipher in the process and starts at 640 KiB. A larger write
 * (a yamux frame can be as large as the stream window, 4 MiB here) grows that
 * memory, which leaves every other cipher with a stale view of it; each of
 * them then grows it again on its next call, so it grows on every switch
 * between ciphers until the 64 MiB limit throws and the process dies (seen
 * within seconds of a bulk RPC stream; fixed the same way upstream in
 * js-libp2p#3585, not yet released). XORing in pieces of at most XOR_CHUNK
 * bytes never grows the memory; the key stream is the same.
 */
function boundedPreSharedKey (psk: Uint8Array): () => ConnectionProtector {
  const factory = preSharedKey({ psk })
  const chunked = (xor: Xor): Xor => {
    const update = xor.update.bind(xor)
    return {
      update: (input, output = new Uint8Array(input.byteLength)) => {
        if (input.byteLength <= XOR_CHUNK) return update(input, output)
        for (let i = 0; i < input.byteLength; i += XOR_CHUNK) {
          const end = Math.min(i + XOR_CHUNK, input.byteLength)
          update(input.subarray(i, end), output.subarray(i, end))
        }
        return output
      }
    }
  }
  return () => {
    const inner = factory()
    return {
      async protect (connection, options) {
        const box = await inner.protect(connection, options)
        const ciphers = box as unknown as { inboundXor?: Xor, outboundXor?: Xor }
        if (ciphers.inboundXor == null || ciphers.outboundXor == null) throw new Error('unexpected @libp2p/pnet internals: no ciphers to bound')
        ciphers.inboundXor = chunked(ciphers.inboundXor)
        ciphers.outboundXor = chunked(ciphers.outboundXor)
        return box
      }
    }
  }
}

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
    connectionProtector: boundedPreSharedKey(pskFromSecret(init.secret)),
    connectionGater: init.gate ?? new PeerGate(),
    ...(init.bandwidth != null ? { metrics: init.bandwidth.metrics() } : {}),
    services: {
      identify: identify(),
      ping: ping()
    }
  })
}
