/**
 * `format=car`: the uploaded file is a CAR (v1, or v2 around a v1) with one
 * root; its blocks are put as they are, read one at a time from the stream.
 * Lengths are checked before anything is buffered, so a CAR announcing a
 * huge header or block cannot make the reader hold more than that limit.
 */
import { asyncIterableReader, limitReader, readBlockHead, readHeader } from '@ipld/car/decoder'
import { decode as decodeVarint } from 'uint8-varint'
import { AddInputError } from './errors.ts'
import type { PutBlock } from './unixfs.ts'
import type { CID } from 'multiformats/cid'

/** Above a bitswap message's size a block could never be fetched by another node anyway. */
export const MAX_CAR_BLOCK_SIZE = 2 * 1024 * 1024
const MAX_CAR_HEADER_SIZE = 1024 * 1024
/** A section's length covers its CID too. */
const MAX_CID_SIZE = 256

export interface CarImport {
  root: CID
  /** Bytes of all the blocks. */
  size: number
}

/** Puts every block of the CAR; `onBytes` is told how many bytes of the CAR were read so far. */
export async function importCar (content: AsyncIterable<Uint8Array>, put: PutBlock, onBytes?: (bytes: number) => Promise<void>): Promise<CarImport> {
  let reader = asyncIterableReader(content)
  const header = await decoding('header', async () => {
    await checkLength(reader, MAX_CAR_HEADER_SIZE, 'header')
    return readHeader(reader)
  })
  if (header.roots.length !== 1) throw new AddInputError(`the CAR has ${header.roots.length} roots: format=car takes exactly one`)
  const root = header.roots[0] as CID
  if (header.version === 2) reader = limitReader(reader, header.dataSize - (reader.pos - header.dataOffset))
  let size = 0
  while ((await decoding('block', async () => reader.upTo(8))).length > 0) {
    const { cid, blockLength } = await decoding('block', async () => {
      await checkLength(reader, MAX_CAR_BLOCK_SIZE + MAX_CID_SIZE, 'block')
      return readBlockHead(reader)
    })
    if (blockLength > MAX_CAR_BLOCK_SIZE) throw new AddInputError(`the CAR's block ${cid.toString()} has ${blockLength} bytes: at most ${MAX_CAR_BLOCK_SIZE}`)
    const bytes = await decoding('block', async () => reader.exactly(blockLength, true))
    await put(cid, bytes)
    size += blockLength
    await onBytes?.(reader.pos)
  }
  return { root, size }
}

/** Refuses a section whose announced length is above `max`, before reading it. */
async function checkLength (reader: ReturnType<typeof asyncIterableReader>, max: number, what: string): Promise<void> {
  const length = decodeVarint(await reader.upTo(8))
  if (length > max) throw new AddInputError(`not a usable CAR: a ${what} of ${length} bytes (at most ${max})`)
}

/** Decoding failures (truncated data, bad CBOR, bad CIDs) are the upload's fault. */
async function decoding<T> (what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (err instanceof AddInputError) throw err
    throw new AddInputError(`not a valid CAR (${what}): ${(err as Error).message}`, { cause: err })
  }
}
