/** The RPC protocol id; the major version changes only with an incompatible wire. */
export const RPC_PROTOCOL_NAME = 'pincluster'
export const RPC_PROTOCOL_VERSION = '1'
export const RPC_PROTOCOL = `/${RPC_PROTOCOL_NAME}/rpc/${RPC_PROTOCOL_VERSION}`

/** How many streams of the RPC protocol may be open at once on one connection, each way. */
export const MAX_RPC_STREAMS_PER_CONNECTION = 1024
