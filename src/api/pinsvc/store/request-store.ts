/**
 * The requests of this peer's Pinning Service API, on disk in a LevelDB of
 * their own (datastore-level's, as the pinset's), laid out as keys.ts says.
 * Every change is one atomic batch covering the request and its indexes.
 * Writes go one after another (a status update reads the request first, and
 * must not bring back one deleted meanwhile); reads run alongside, each
 * iterator reading one consistent view.
 */
import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { compressedLevelDatastore } from '../../../util/level-datastore.ts'
import { REQUESTS_PREFIX, UNPINS_PREFIX, cidKey, cidPrefix, keySuffix, rangeOf, requestKey, statusKey, unpinKey } from './keys.ts'
import { RequestIds, createdOf, timeOf } from './request-id.ts'
import { Serial } from '../../../state/serial.ts'
import type { LevelDatastore } from 'datastore-level'
import type { KeyRange } from './keys.ts'
import type { PinObject, RequestRecord, SpecStatus } from '../types.ts'

type Db = LevelDatastore['db']
type Op = { type: 'put', key: string, value: Uint8Array } | { type: 'del', key: string }

const EMPTY = new Uint8Array(0)
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** What is stored under /requests/<id>: the id and `created` come from the key. */
interface StoredRequest {
  pin: PinObject
  status: SpecStatus
}

export class RequestStore {
  private readonly path: string
  private readonly writes = new Serial()
  private store: LevelDatastore | undefined
  private idSource = new RequestIds(0)

  constructor (path: string) {
    this.path = path
  }

  async open (): Promise<void> {
    if (this.store != null) return
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 })
    const store = compressedLevelDatastore(this.path)
    await store.open()
    this.store = store
    let newest = 0
    for await (const key of this.db().keys({ ...rangeOf(REQUESTS_PREFIX, {}), reverse: true, limit: 1 })) newest = timeOf(keySuffix(key, REQUESTS_PREFIX))
    this.idSource = new RequestIds(newest)
  }

  async close (): Promise<void> {
    const store = this.store
    this.store = undefined
    await this.writes.run(async () => { await store?.close() })
  }

  async get (id: string): Promise<RequestRecord | undefined> {
    const value: Uint8Array | undefined = await this.db().get(requestKey(id))
    return value === undefined ? undefined : decodeRecord(id, value)
  }

  /** Stores a new request for `pin`; its id and `created` are given now. */
  async create (pin: PinObject, status: SpecStatus): Promise<RequestRecord> {
    return this.writes.run(async () => {
      const record = this.newRecord(pin, status)
      await this.db().batch([...putOps(record), { type: 'del', key: unpinKey(pin.cid) }])
      return record
    })
  }

  /**
   * Replaces `old` by a new request for `pin` in one write. `unpinOld`: no
   * request wants the old CID any more; it is marked for unpinning.
   */
  async replace (old: RequestRecord, pin: PinObject, status: SpecStatus, unpinOld: boolean): Promise<RequestRecord> {
    return this.writes.run(async () => {
      const record = this.newRecord(pin, status)
      const ops: Op[] = [...deleteOps(old), ...putOps(record), { type: 'del', key: unpinKey(pin.cid) }]
      if (unpinOld) ops.push({ type: 'put', key: unpinKey(old.pin.cid), value: EMPTY })
      await this.db().batch(ops)
      return record
    })
  }

  /** Deletes a request; `unpin`: it was the last one for its CID, which is marked for unpinning in the same write. */
  async remove (record: RequestRecord, unpin: boolean): Promise<void> {
    await this.writes.run(async () => {
      const ops = deleteOps(record)
      if (unpin) ops.push({ type: 'put', key: unpinKey(record.pin.cid), value: EMPTY })
      await this.db().batch(ops)
    })
  }

  /** Records the status last seen for a request, if it still exists and the status changed; answers the record as stored. */
  async setStatus (id: string, status: SpecStatus): Promise<RequestRecord | undefined> {
    return this.writes.run(async () => {
      const record = await this.get(id)
      if (record == null || record.status === status) return record
      const updated = { ...record, status }
      await this.db().batch([
        { type: 'del', key: statusKey(record.status, id) },
        { type: 'put', key: statusKey(status, id), value: EMPTY },
        { type: 'put', key: requestKey(id), value: encodeRecord(updated) }
      ])
      return updated
    })
  }

  /** Whether some request wants `cid`, leaving out the one with id `except`. */
  async wanted (cid: string, except?: string): Promise<boolean> {
    for await (const key of this.db().keys({ ...rangeOf(cidPrefix(cid), {}), limit: 2 })) {
      if (keySuffix(key, cidPrefix(cid)) !== except) return true
    }
    return false
  }

  /** The CID is unpinned from the cluster (or wanted again): forget the mark. */
  async clearUnpinMark (cid: string): Promise<void> {
    await this.writes.run(async () => { await this.db().del(unpinKey(cid)) })
  }

  /** CIDs marked for unpinning, in CID order. */
  async * unpinMarks (signal?: AbortSignal): AsyncGenerator<string> {
    for await (const key of this.db().keys(rangeOf(UNPINS_PREFIX, {}))) {
      signal?.throwIfAborted()
      yield keySuffix(key, UNPINS_PREFIX)
    }
  }

  /** The ids under an index prefix within `range`, newest first unless `oldestFirst`. */
  async * ids (prefix: string, range: KeyRange, options: { oldestFirst?: boolean, signal?: AbortSignal } = {}): AsyncGenerator<string> {
    for await (const key of this.db().keys({ ...range, reverse: options.oldestFirst !== true })) {
      options.signal?.throwIfAborted()
      yield keySuffix(key, prefix)
    }
  }

  /** Every request within `range` of /requests/, newest first unless `oldestFirst`. */
  async * records (range: KeyRange, options: { oldestFirst?: boolean, signal?: AbortSignal } = {}): AsyncGenerator<RequestRecord> {
    for await (const [key, value] of this.db().iterator({ ...range, reverse: options.oldestFirst !== true })) {
      options.signal?.throwIfAborted()
      yield decodeRecord(keySuffix(key, REQUESTS_PREFIX), value)
    }
  }

  private newRecord (pin: PinObject, status: SpecStatus): RequestRecord {
    const id = this.idSource.next()
    return { id, pin, created: createdOf(id), status }
  }

  private db (): Db {
    if (this.store == null) throw new Error('the Pinning Service API datastore is not open')
    return this.store.db
  }
}

function putOps (record: RequestRecord): Op[] {
  return [
    { type: 'put', key: requestKey(record.id), value: encodeRecord(record) },
    { type: 'put', key: cidKey(record.pin.cid, record.id), value: EMPTY },
    { type: 'put', key: statusKey(record.status, record.id), value: EMPTY }
  ]
}

function deleteOps (record: RequestRecord): Op[] {
  return [
    { type: 'del', key: requestKey(record.id) },
    { type: 'del', key: cidKey(record.pin.cid, record.id) },
    { type: 'del', key: statusKey(record.status, record.id) }
  ]
}

function encodeRecord (record: RequestRecord): Uint8Array {
  const stored: StoredRequest = { pin: record.pin, status: record.status }
  return encoder.encode(JSON.stringify(stored))
}

function decodeRecord (id: string, value: Uint8Array): RequestRecord {
  const stored = JSON.parse(decoder.decode(value)) as StoredRequest
  return { id, pin: stored.pin, created: createdOf(id), status: stored.status }
}
