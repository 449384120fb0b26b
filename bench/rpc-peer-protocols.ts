/** The baseline echo protocols of the RPC benchmark. */
export const FRESH_ECHO = '/bench/echo-fresh/1'
export const LONG_ECHO = '/bench/echo-long/1'
