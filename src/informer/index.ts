/**
 * The informers (this peer's metrics) and the publisher sending them to
 * every peer's monitor.
 */
import { DiskInformer } from './disk.ts'
import { NumPinInformer } from './numpin.ts'
import { PinQueueInformer } from './pinqueue.ts'
import { TagsInformer } from './tags.ts'
import type { Informer, InformerInit } from './informer.ts'
import type { InformerSections } from '../config/types.ts'

export { DiskInformer } from './disk.ts'
export { NumPinInformer } from './numpin.ts'
export { PinQueueInformer, pinQueueWeight } from './pinqueue.ts'
export { PingInformer, PING_METRIC } from './ping.ts'
export { TagsInformer, TAG_METRIC_PREFIX } from './tags.ts'
export { MetricsPublisher } from './metrics-publisher.ts'
export { makeMetric } from './informer.ts'
export type { Clock, Informer, InformerInit, MetricFields } from './informer.ts'
export type { MetricsPublisherInit } from './metrics-publisher.ts'

/** The four informers of the `informer` config section (disk, tags, pinqueue, numpin). */
export function createInformers (init: InformerInit & { config: InformerSections }): Informer[] {
  const { config, ...rest } = init
  return [
    new DiskInformer({ ...rest, config: config.disk }),
    new TagsInformer({ ...rest, config: config.tags }),
    new PinQueueInformer({ ...rest, config: config.pinqueue }),
    new NumPinInformer({ ...rest, config: config.numpin })
  ]
}
