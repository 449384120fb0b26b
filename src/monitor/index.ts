export { PeerMonitor, MetricSenderError } from './peer-monitor.ts'
export type { PeerMonitorInit } from './peer-monitor.ts'
