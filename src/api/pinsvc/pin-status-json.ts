/** A stored request and its live status as the spec's PinStatus, fields in the spec's order. */
import type { LiveStatus } from './pin-status.ts'
import type { PinStatusJson, RequestRecord } from './types.ts'

export function toPinStatus (record: RequestRecord, live: LiveStatus): PinStatusJson {
  return {
    requestid: record.id,
    status: live.status,
    created: record.created,
    pin: { cid: record.pin.cid, name: record.pin.name, origins: record.pin.origins, meta: record.pin.meta },
    delegates: live.delegates,
    info: live.details != null ? { status_details: live.details } : {}
  }
}
