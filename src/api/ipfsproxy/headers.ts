/**
 * Headers of the answers the proxy gives itself. With a Kubo daemon behind
 * it, they carry what Kubo would have put on its own answer, as IPFS
 * Cluster's proxy does: the CORS headers Kubo gives a request from the same
 * Origin (asked with an OPTIONS request, only when the request has an
 * Origin), and the headers taken from `extract_headers_path`'s answer
 * (Access-Control-Expose-Headers and `extract_headers_extra`), kept for
 * `extract_headers_ttl`. Without a daemon, Kubo's default exposed headers.
 */
import { VERSION } from '../../version.ts'
import type { Logger } from '@libp2p/logger'
import type { FastifyReply, FastifyRequest } from 'fastify'

const CORS_HEADERS = ['access-control-allow-origin', 'vary', 'access-control-allow-credentials']
const EXPOSE_HEADERS = 'access-control-expose-headers'
/** What go-ipfs-cmds exposes on every answer. */
const KUBO_EXPOSED = 'X-Stream-Output, X-Chunked-Output, X-Content-Length'
/** A daemon that does not answer these quickly is not waited for. */
const ASK_TIMEOUT = 5000

export interface AnswerHeadersInit {
  /** The Kubo daemon's origin; undefined with the embedded connector. */
  node?: URL
  extra: string[]
  path: string
  ttl: number
  log: Logger
}

interface Extracted {
  at: number
  headers: Array<[string, string]>
}

export class AnswerHeaders {
  private readonly init: AnswerHeadersInit
  private readonly names: string[]
  private extracted?: Extracted
  private asking?: Promise<Extracted>

  constructor (init: AnswerHeadersInit) {
    this.init = init
    this.names = [EXPOSE_HEADERS, ...init.extra.map((h) => h.toLowerCase())]
  }

  /** Sets the headers of an answer the proxy gives itself. */
  async apply (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    reply.header('server', `pincluster/ipfsproxy/${VERSION}`)
    const node = this.init.node
    if (node == null) {
      reply.header(EXPOSE_HEADERS, KUBO_EXPOSED)
      return
    }
    const [cors, extracted] = await Promise.all([this.cors(node, request), this.extractedHeaders(node)])
    for (const [name, value] of [...extracted, ...cors]) reply.header(name, value)
  }

  private async cors (node: URL, request: FastifyRequest): Promise<Array<[string, string]>> {
    const origin = request.headers.origin
    if (origin == null) return []
    const path = request.url.split('?')[0] ?? '/'
    const answer = await this.ask(new URL(path, node), {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': request.method }
    })
    return answer == null ? [] : pick(answer.headers, CORS_HEADERS)
  }

  private async extractedHeaders (node: URL): Promise<Array<[string, string]>> {
    const kept = this.extracted
    if (kept != null && this.init.ttl > 0 && Date.now() - kept.at < this.init.ttl) return kept.headers
    this.asking ??= (async () => {
      const answer = await this.ask(new URL(this.init.path, node), { method: 'POST' })
      // a daemon that does not answer leaves what was extracted before
      const extracted = answer == null ? { at: Date.now(), headers: kept?.headers ?? [] } : { at: Date.now(), headers: pick(answer.headers, this.names) }
      this.extracted = extracted
      return extracted
    })().finally(() => { this.asking = undefined })
    return (await this.asking).headers
  }

  private async ask (url: URL, init: RequestInit): Promise<Response | undefined> {
    try {
      const answer = await fetch(url, { ...init, signal: AbortSignal.timeout(ASK_TIMEOUT) })
      await answer.body?.cancel()
      return answer
    } catch (err) {
      this.init.log('could not ask the IPFS daemon for headers (%s %s): %s', init.method, url.pathname, (err as Error).message)
      return undefined
    }
  }
}

function pick (headers: Headers, names: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const name of names) {
    const value = headers.get(name)
    if (value != null) out.push([name, value])
  }
  return out
}
