/**
 * The Raft core's data types. The core (core.ts) is deterministic and does no
 * I/O: the caller feeds it ticks, messages and proposals, and collects a
 * `Ready` holding what to persist, what to send and what to apply.
 */

/** A member's id: the peer id string of a cluster peer. */
export type NodeId = string

export type EntryType = 'normal' | 'conf'

export interface Entry {
  term: number
  index: number
  type: EntryType
  /** Opaque to the core for 'normal'; an encoded ConfChange for 'conf' (see encodeConfChange). */
  data: Uint8Array
}

/** A single-server membership change. */
export interface ConfChange {
  type: 'add' | 'remove'
  node: NodeId
}

/** What must be on disk before any message that depends on it is sent. */
export interface HardState {
  term: number
  /** '' when no vote was cast in this term. */
  vote: NodeId
  commit: number
}

export interface SnapshotMeta {
  /** The last log index the snapshot covers. */
  index: number
  term: number
  /** The voters as of `index`. */
  voters: NodeId[]
}

/** The core only carries `data`; the application decides what it holds. */
export interface Snapshot {
  meta: SnapshotMeta
  data: Uint8Array
}

export type MessageType =
  | 'prevote' | 'prevote-resp'
  | 'vote' | 'vote-resp'
  | 'append' | 'append-resp'
  | 'heartbeat' | 'heartbeat-resp'
  | 'snapshot'
  | 'timeout-now'

export interface Message {
  type: MessageType
  from: NodeId
  to: NodeId
  term: number
  /**
   * append: term of the entry at `index`; vote/prevote: the candidate's last log term;
   * append-resp when rejecting: the term of the follower's entry at `rejectHint`.
   */
  logTerm: number
  /**
   * append: index of the entry before `entries`; vote/prevote: candidate's last index;
   * append-resp: the follower's match, or when rejecting, the `index` of the append it rejects
   * (so the leader can tell a late duplicate rejection from the answer to its latest probe).
   */
  index: number
  entries: Entry[]
  commit: number
  reject: boolean
  /**
   * append-resp when rejecting: a hint for where the leader should retry, at most the follower's
   * last index (the last one whose term could match the leader's log there).
   */
  rejectHint: number
  snapshot?: Snapshot
  /**
   * vote: sent by the target of a leadership transfer (it got 'timeout-now'), so receivers
   * grant it despite the leader lease of CheckQuorum. Absent (never undefined) otherwise;
   * a transport must carry it, or transfers cannot succeed.
   */
  transfer?: boolean
}

export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader'

export interface SoftState {
  leader: NodeId | ''
  role: Role
}

/**
 * Everything the caller must act on, in this order:
 * 1. persist `snapshot` (if any), `hardState` (if any) and append `entries`, durably (one fsync);
 * 2. only then send `messages`;
 * 3. apply `committedEntries` (and the snapshot) to the state machine;
 * 4. call `advance()`.
 */
export interface Ready {
  softState?: SoftState
  hardState?: HardState
  /** Entries to append to the log; an entry at an index already stored replaces it and everything after. */
  entries: Entry[]
  /**
   * A snapshot from the leader that replaces the whole log: the storage drops every entry
   * it holds (not only those up to the snapshot's index), then appends `entries`.
   */
  snapshot?: Snapshot
  committedEntries: Entry[]
  messages: Message[]
}

/** What the core is restarted from: exactly what was persisted. */
export interface RaftRestore {
  hardState?: HardState
  snapshot?: Snapshot
  /** Entries after the snapshot, in order. */
  entries?: Entry[]
}
