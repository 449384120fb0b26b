/**
 * Bytes in and out of the cluster host, by libp2p protocol, for `GET
 * /health/bandwidth` (IPFS Cluster reads go-libp2p's bandwidth counter).
 *
 * js-libp2p 3 has no bandwidth counter of its own: it hands every negotiated
 * protocol stream to the `metrics` component, if one is configured. The
 * published ones do not fit: @libp2p/prometheus-metrics needs a Prometheus
 * registry and scraping, and @libp2p/simple-metrics keeps its per-protocol
 * counts to itself (they never reach its `onMetrics` callback) and counts
 * incoming bytes with a 'message' listener, which makes a stream hand out
 * data before its handler listens. So this is a `Metrics` of our own that
 * does only that: it wraps each stream's `send` (bytes out) and
 * `dispatchEvent` ('message' events: bytes in) without adding a listener,
 * and registers no other metric (libp2p's other metrics are dropped).
 *
 * Rates are bytes per second over the last RATE_WINDOW whole seconds, kept
 * in per-second buckets: no timer.
 */
import type { BandwidthByProtocolJson, BandwidthJson } from '../api/types.ts'
import type { Metrics, MultiaddrConnection, Stream } from '@libp2p/interface'

/** Seconds the rates average over. */
const RATE_WINDOW = 10

interface Bucket {
  second: number
  in: number
  out: number
}

class ProtocolCounter {
  totalIn = 0
  totalOut = 0
  /** The latest buckets, oldest first; at most RATE_WINDOW + 1. */
  private readonly buckets: Bucket[] = []

  add (direction: 'in' | 'out', bytes: number, now: number): void {
    if (direction === 'in') this.totalIn += bytes
    else this.totalOut += bytes
    const second = Math.floor(now / 1000)
    let last = this.buckets.at(-1)
    if (last?.second !== second) {
      last = { second, in: 0, out: 0 }
      this.buckets.push(last)
      while ((this.buckets[0]?.second ?? second) < second - RATE_WINDOW) this.buckets.shift()
    }
    last[direction] += bytes
  }

  stats (now: number): BandwidthJson {
    const current = Math.floor(now / 1000)
    let rateIn = 0
    let rateOut = 0
    // whole seconds only: the current one is still filling
    for (const bucket of this.buckets) {
      if (bucket.second >= current || bucket.second < current - RATE_WINDOW) continue
      rateIn += bucket.in
      rateOut += bucket.out
    }
    return { total_in: this.totalIn, total_out: this.totalOut, rate_in: rateIn / RATE_WINDOW, rate_out: rateOut / RATE_WINDOW }
  }
}

/** What every metric libp2p registers gets: it accepts every call and records nothing. */
const IGNORED_METRIC = {
  update () {},
  increment () {},
  decrement () {},
  observe () {},
  reset () {},
  timer () { return () => {} }
}

export class ProtocolBandwidth {
  private readonly counters = new Map<string, ProtocolCounter>()
  private readonly now: () => number

  constructor (now: () => number = Date.now) {
    this.now = now
  }

  /** The counts so far, by protocol, with their recent rates. */
  byProtocol (): BandwidthByProtocolJson {
    const now = this.now()
    const out: BandwidthByProtocolJson = {}
    for (const [protocol, counter] of this.counters) out[protocol] = counter.stats(now)
    return out
  }

  /** Counts the bytes of a negotiated stream under its protocol. */
  track (stream: Stream): void {
    const protocol = stream.protocol
    if (protocol == null || protocol === '') return
    let counter = this.counters.get(protocol)
    if (counter == null) {
      counter = new ProtocolCounter()
      this.counters.set(protocol, counter)
    }
    const count = counter
    const send = stream.send.bind(stream)
    stream.send = (data) => {
      count.add('out', data.byteLength, this.now())
      return send(data)
    }
    const dispatch = stream.dispatchEvent.bind(stream)
    stream.dispatchEvent = (event) => {
      if (event.type === 'message') count.add('in', (event as Event & { data: { byteLength: number } }).data.byteLength, this.now())
      return dispatch(event)
    }
  }

  /** The `metrics` component to give createLibp2p. */
  metrics (): () => Metrics {
    const metrics = {
      trackMultiaddrConnection: (_connection: MultiaddrConnection) => {},
      trackProtocolStream: (stream: Stream) => { this.track(stream) },
      registerMetric: () => IGNORED_METRIC,
      registerMetricGroup: () => IGNORED_METRIC,
      registerCounter: () => IGNORED_METRIC,
      registerCounterGroup: () => IGNORED_METRIC,
      registerHistogram: () => IGNORED_METRIC,
      registerHistogramGroup: () => IGNORED_METRIC,
      registerSummary: () => IGNORED_METRIC,
      registerSummaryGroup: () => IGNORED_METRIC,
      traceFunction: <F>(_name: string, fn: F) => fn,
      createTrace: () => undefined
    }
    // the register* overloads cannot be written as plain functions; each answers IGNORED_METRIC, which has every method
    return () => metrics as unknown as Metrics
  }
}
