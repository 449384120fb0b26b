/** Building the messages the core sends, and vetting the ones it receives. */
import type { Message, MessageType } from './types.ts'

const TYPES = new Set<MessageType>([
  'prevote', 'prevote-resp', 'vote', 'vote-resp', 'append', 'append-resp',
  'heartbeat', 'heartbeat-resp', 'snapshot', 'timeout-now'
])

/** The fields a message needs beyond its type and destination default to zero / empty. */
export type MessageInit = Partial<Omit<Message, 'type' | 'to' | 'from' | 'term'>> & Pick<Message, 'type' | 'to'>

export function makeMessage (from: string, term: number, m: MessageInit): Message {
  const out: Message = {
    type: m.type,
    from,
    to: m.to,
    term,
    logTerm: m.logTerm ?? 0,
    index: m.index ?? 0,
    entries: m.entries ?? [],
    commit: m.commit ?? 0,
    reject: m.reject ?? false,
    rejectHint: m.rejectHint ?? 0
  }
  // optional fields are left out rather than set to undefined, which some codecs refuse
  if (m.snapshot !== undefined) out.snapshot = m.snapshot
  if (m.transfer === true) out.transfer = true
  return out
}

function isIndex (n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
}

/**
 * Whether a received message is shaped as the core sends them; anything else
 * is dropped. For appends: entries numbered from index + 1 without gaps, with
 * terms that never go back and never exceed the sender's term.
 */
export function isWellFormed (m: Message): boolean {
  if (m == null || !TYPES.has(m.type) || typeof m.from !== 'string' || typeof m.to !== 'string') return false
  if (!isIndex(m.term) || !isIndex(m.logTerm) || !isIndex(m.index) || !isIndex(m.commit) || !isIndex(m.rejectHint)) return false
  if (!Array.isArray(m.entries)) return false
  if (m.type === 'append') {
    let prevTerm = m.logTerm
    for (let i = 0; i < m.entries.length; i++) {
      const e = m.entries[i]
      if (e == null || e.index !== m.index + 1 + i || !isIndex(e.term) || e.term < prevTerm || e.term > m.term) return false
      if ((e.type !== 'normal' && e.type !== 'conf') || !(e.data instanceof Uint8Array)) return false
      prevTerm = e.term
    }
  }
  if (m.type === 'snapshot') {
    const s = m.snapshot
    if (s == null || !isIndex(s.meta?.index) || !isIndex(s.meta.term) || !Array.isArray(s.meta.voters)) return false
  }
  return true
}
