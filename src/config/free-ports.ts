/**
 * Free TCP ports on 127.0.0.1, for `init --randomports`. All the ports are
 * held open together before being released, so they differ from each other.
 */
import { createServer } from 'node:net'
import type { Server } from 'node:net'

function listenOnAnyPort (): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen({ port: 0, host: '127.0.0.1' }, () => { resolve(server) })
  })
}

function close (server: Server): Promise<void> {
  return new Promise(resolve => { server.close(() => { resolve() }) })
}

export async function freePorts (count: number, signal?: AbortSignal): Promise<number[]> {
  const servers: Server[] = []
  try {
    for (let i = 0; i < count; i++) {
      signal?.throwIfAborted()
      servers.push(await listenOnAnyPort())
    }
    signal?.throwIfAborted()
    return servers.map(server => {
      const address = server.address()
      if (address === null || typeof address === 'string') throw new Error('a TCP server has no port')
      return address.port
    })
  } finally {
    await Promise.all(servers.map(close))
  }
}
