/** Multipart upload bodies written by hand, as the different clients write them. */

export interface Part {
  /** The raw filename parameter (already encoded as the client would). */
  filename?: string
  /** 'form-data' (kubo-rpc-client, ipfs-cluster-ctl), 'file' (old go-ipfs-files), 'attachment'. */
  disposition?: 'form-data' | 'file' | 'attachment'
  type?: string
  headers?: Record<string, string>
  body?: string | Uint8Array
}

export const BOUNDARY = 'pincluster-test-boundary'
export const CONTENT_TYPE = `multipart/form-data; boundary=${BOUNDARY}`

export function multipart (parts: Part[], boundary = BOUNDARY): Buffer {
  const chunks: Buffer[] = []
  for (const part of parts) {
    const disposition = part.disposition ?? 'form-data'
    const name = disposition === 'form-data' ? '; name="file"' : ''
    const filename = part.filename != null ? `; filename="${part.filename}"` : ''
    let head = `--${boundary}\r\nContent-Disposition: ${disposition}${name}${filename}\r\n`
    head += `Content-Type: ${part.type ?? 'application/octet-stream'}\r\n`
    for (const [k, v] of Object.entries(part.headers ?? {})) head += `${k}: ${v}\r\n`
    chunks.push(Buffer.from(head + '\r\n'), Buffer.from(part.body ?? ''), Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return Buffer.concat(chunks)
}

export function file (filename: string, body: string | Uint8Array, disposition: Part['disposition'] = 'form-data'): Part {
  return { filename, body, disposition }
}

export function directory (filename: string, disposition: Part['disposition'] = 'form-data'): Part {
  return { filename, type: 'application/x-directory', disposition }
}
