import { canonicalPin } from '../../pin.ts'
import { cidFromPath } from '../cid-param.ts'
import { sendNdjson } from '../ndjson.ts'
import { parsePinTypeFilter } from '../pin-filter.ts'
import { queryOf } from '../query.ts'
import type { PinJson, PinType } from '../../types.ts'
import type { RouteModule } from './context.ts'

/**
 * GET /allocations: the pinset, streamed, `?filter=` choosing the pin types
 * (every type without one; see pin-filter.ts). GET /allocations/{cid}: one
 * Pin, 404 when it is not pinned.
 */
export const allocationsRoutes: RouteModule = ({ rpc, signals, log }) => [{
  method: 'GET',
  url: '/allocations',
  handler: async (request, reply) => {
    const types = parsePinTypeFilter(queryOf(request).get('filter'))
    const signal = signals.forStream(reply)
    const pins = rpc.stream(undefined, 'Cluster', 'Pins', undefined, { signal })
    return sendNdjson(reply, pinsOfTypes(pins, types), signal, log)
  }
}, {
  method: 'GET',
  url: '/allocations/:cid',
  handler: async (request, reply): Promise<PinJson> => {
    const cid = cidFromPath(request)
    return canonicalPin(await rpc.call(undefined, 'Cluster', 'PinGet', cid, { signal: signals.forCall(reply) }))
  }
}]

/** The pins of the wanted types, in IPFS Cluster's field order; stopping early releases the source. */
async function * pinsOfTypes (pins: AsyncIterable<PinJson>, types: ReadonlySet<PinType>): AsyncGenerator<PinJson> {
  for await (const pin of pins) {
    if (types.has(pin.type)) yield canonicalPin(pin)
  }
}
